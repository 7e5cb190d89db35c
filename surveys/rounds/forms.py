"""Forms of the round pages: they validate input with messages a user can read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.organisation.models import Department, Phase
from surveys.questionnaires.models import QuestionnaireVersion, VersionStatus
from surveys.rounds.models import Round
from surveys.rounds.selectors import cadence_next, products_targetable, rounds_overlapping


class DateInput(forms.DateInput):
    input_type = "date"


def _today() -> dt.date:
    return timezone.localdate(timezone.now(), timezone.get_default_timezone())


def next_free_date(questionnaire_id: int | None) -> dt.date:
    """The first cadence date (ROUND_CADENCE_MONTHS) after today and after every round of
    the questionnaire, so that a new round never overlaps one (DESIGN §4)."""
    after = _today() - dt.timedelta(days=1)
    if questionnaire_id is not None:
        last = Round.objects.filter(questionnaire_id=questionnaire_id).aggregate(
            last=Max("closes_on")
        )["last"]
        if last is not None and last > after:
            after = last
    return cadence_next(after, settings.ROUND_CADENCE_MONTHS) or after + dt.timedelta(days=1)


class RoundCreateForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=50, help_text=_("For example 2026-10."))
    version = forms.ModelChoiceField(
        label=_("Questionnaire version"),
        queryset=QuestionnaireVersion.objects.none(),
        empty_label=None,
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput)
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput)
    departments = forms.ModelMultipleChoiceField(
        label=_("Only these departments (and their sub-departments)"),
        queryset=Department.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phases = forms.MultipleChoiceField(
        label=_("Only these phases"),
        choices=Phase.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reminder_days = forms.CharField(
        label=_("Reminders (days before the close)"),
        initial="14, 7, 1",
        required=False,
        help_text=_("Comma-separated, for example 14, 7, 1. Leave empty for no reminders."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = (
            QuestionnaireVersion.objects.filter(
                status=VersionStatus.PUBLISHED, archived_at__isnull=True
            )
            .select_related("questionnaire")
            .order_by("questionnaire__key", "-published_at", "-pk")
        )
        field = self.fields["version"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = versions
        if not self.is_bound:
            version = versions.first()
            field.initial = version
            opens_on = next_free_date(version.questionnaire_id if version else None)
            self.fields["opens_on"].initial = opens_on
            self.fields["closes_on"].initial = opens_on + dt.timedelta(
                days=settings.ROUND_OPEN_DAYS
            )
            self.fields["label"].initial = f"{opens_on:%Y-%m}"
            self.fields["reminder_days"].initial = ", ".join(
                str(d) for d in settings.ROUND_REMINDER_DAYS
            )

    def clean_reminder_days(self) -> list[int]:
        raw = self.cleaned_data.get("reminder_days") or ""
        days: list[int] = []
        for part in raw.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit():
                raise forms.ValidationError(
                    _("“%(part)s” is not a whole number of days."), params={"part": part}
                )
            days.append(int(part))
        return sorted(set(days), reverse=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on <= opens_on:
            self.add_error("closes_on", _("The close date must come after the open date."))
        if closes_on and closes_on < _today():
            self.add_error("closes_on", _("The close date is already past."))
        version, label = data.get("version"), (data.get("label") or "").strip()
        if version and opens_on and closes_on and closes_on > opens_on:
            other = rounds_overlapping(
                questionnaire_id=version.questionnaire_id, opens_on=opens_on, closes_on=closes_on
            ).first()
            if other is not None:
                self.add_error(
                    "opens_on",
                    _(
                        "Rounds of one questionnaire never overlap: %(label)s runs from "
                        "%(opens)s to %(closes)s. The next free cadence date is %(free)s."
                    )
                    % {
                        "label": other.label,
                        "opens": f"{other.opens_on:%Y-%m-%d}",
                        "closes": f"{other.closes_on:%Y-%m-%d}",
                        "free": f"{next_free_date(version.questionnaire_id):%Y-%m-%d}",
                    },
                )
        if (
            version
            and label
            and Round.objects.filter(
                questionnaire_id=version.questionnaire_id, label=label
            ).exists()
        ):
            self.add_error(
                "label", _("A round with this label already exists for this questionnaire.")
            )
        if not self.errors and not self.targeted_products().exists():
            raise forms.ValidationError(
                _("No active product matches these departments and phases.")
            )
        return data

    def targeted_products(self) -> Any:
        data = self.cleaned_data
        return products_targetable(
            department_ids=[d.pk for d in data.get("departments") or ()],
            phases=data.get("phases") or (),
        )


class RoundExtendForm(forms.Form):
    closes_on = forms.DateField(label=_("New close date"), widget=DateInput)

    def __init__(self, *args: Any, round: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.round = round
        if not self.is_bound:
            self.fields["closes_on"].initial = round.closes_on + dt.timedelta(days=7)

    def clean_closes_on(self) -> dt.date:
        closes_on: dt.date = self.cleaned_data["closes_on"]
        if closes_on <= self.round.closes_on:
            raise forms.ValidationError(
                _("The new close date must be after the current one (%(date)s)."),
                params={"date": self.round.closes_on.isoformat()},
            )
        return closes_on


class RoundReopenForm(forms.Form):
    closes_on = forms.DateField(label=_("Open until"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["closes_on"].initial = _today() + dt.timedelta(days=7)

    def clean_closes_on(self) -> dt.date:
        closes_on: dt.date = self.cleaned_data["closes_on"]
        if closes_on <= _today():
            raise forms.ValidationError(_("The new close date must be in the future."))
        return closes_on
