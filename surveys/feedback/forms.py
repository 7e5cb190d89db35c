from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.feedback.models import FeedbackKind, FeedbackStatus
from surveys.feedback.services import MAX_COMMENT


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FeedbackKind.choices)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=MAX_COMMENT, widget=forms.Textarea
    )


class ResolveForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(FeedbackStatus.ADDRESSED, ""), (FeedbackStatus.DECLINED, "")]
    )
    version = forms.IntegerField(required=False, min_value=1)
    reason = forms.CharField(required=False, max_length=MAX_COMMENT)
