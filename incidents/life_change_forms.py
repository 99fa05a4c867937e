"""The form for a change to daily life (kept apart from forms.py, which is long enough)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forms import CaseRecordForm, DateInput
from .models import LifeChange


class LifeChangeForm(CaseRecordForm):
    """A change to daily life. Nothing is chosen for the user: what changed starts unanswered."""

    class Meta:
        model = LifeChange
        fields = ["case", "kind", "changed_on", "note"]
        widgets = {
            "kind": forms.RadioSelect(),
            "changed_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"kind": {"required": _("Choose what changed.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Without this, Django adds an empty "---------" choice to the radio buttons.
        self.fields["kind"].choices = LifeChange.Kind.choices
        self.fields["changed_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_changed_on(self):
        changed_on = self.cleaned_data["changed_on"]
        if changed_on > timezone.localdate():
            raise forms.ValidationError(
                _("This date is in the future. Pick today or an earlier day.")
            )
        return changed_on
