"""Small forms that confirm something: moving a record to the trash (with an optional reason)
and confirming an answer the app once filled in for the user."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Incident

TRASH_REASON_MAX = 1000


class TrashForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=TRASH_REASON_MAX,
        help_text=_(
            "For example: entered twice, or logged about the wrong person. The dossier lists "
            "what went to the trash, with this reason."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": TRASH_REASON_MAX}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AnswerConfirmForm(forms.Form):
    """Confirm the pre-filled answers of the ticked entries, or of all of them."""

    entries = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    all = forms.BooleanField(required=False)

    def __init__(self, *args, incidents: list[Incident], **kwargs):
        super().__init__(*args, **kwargs)
        self.incidents = {str(incident.uuid): incident for incident in incidents}
        self.fields["entries"].choices = [(key, key) for key in self.incidents]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all") and not cleaned.get("entries"):
            raise forms.ValidationError(
                _("Tick the entries whose answer is right, or confirm them all.")
            )
        return cleaned

    def chosen(self) -> list[Incident]:
        if self.cleaned_data["all"]:
            return list(self.incidents.values())
        return [self.incidents[key] for key in self.cleaned_data["entries"]]
