"""Forms of the review pages: every bad value becomes a message, never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.reviews.services import MAX_COMMENT, MAX_EXPIRY_ROUNDS, MAX_SAMPLE


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 2})
    )


class OptionalCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QueryForm(CommentForm):
    items = forms.TypedMultipleChoiceField(label=_("Answers to query"), coerce=int)

    def __init__(self, *args: Any, item_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = item_choices  # type: ignore[attr-defined]
        self.fields["items"].error_messages["required"] = _("Choose at least one answer to query.")


class NaDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    comment = forms.CharField(
        label=_("Comment (required to reject)"),
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    expires_on = forms.DateField(label=_("Approval expires on (optional)"), required=False)
    rounds = forms.IntegerField(
        label=_("or lasts this many rounds (optional)"),
        required=False,
        min_value=1,
        max_value=MAX_EXPIRY_ROUNDS,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            raise forms.ValidationError(_("Say why the N/A is rejected."))
        if data.get("expires_on") and data.get("rounds"):
            raise forms.ValidationError(_("Give an expiry date or a number of rounds, not both."))
        return data


class SampleForm(forms.Form):
    size = forms.IntegerField(
        label=_("Assessments to draw"), min_value=1, max_value=MAX_SAMPLE, initial=10
    )
    seed = forms.IntegerField(
        label=_("Seed (optional, to repeat a draw)"),
        required=False,
        min_value=0,
        max_value=2**62,
    )
