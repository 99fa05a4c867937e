"""The forms of the import of texts and calls, and of an imported item's note and reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Case, limits


class ImportUploadForm(forms.Form):
    """The export file, and the person it is about when there is more than one."""

    file = forms.FileField(
        label=_("The export file"),
        help_text=_("sms-….xml (texts and picture messages) or calls-….xml (the call log)."),
        error_messages={"required": _("Choose the export file first.")},
    )
    case = forms.ModelChoiceField(
        queryset=Case.objects.none(), label=_("Whose messages are these?"), required=True
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Never the demonstration person: their records go when the demo data is removed.
        cases = Case.objects.owned_by(user).filter(is_demo=False).order_by("created_at", "id")
        if cases.count() > 1:
            self.fields["case"].queryset = cases
        else:
            del self.fields["case"]


class NumbersForm(forms.Form):
    """The numbers found in the file that belong to the person: the user ticks them."""

    numbers = forms.MultipleChoiceField(
        label=_("Which of these are the person's numbers?"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one number.")},
    )

    def __init__(self, *args, found: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["numbers"].choices = [(n["key"], n["key"]) for n in found]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Your note"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why leave it out of the dossier?"),
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The dossier's list of changes shows this reason."),
        error_messages={"required": _("Give a reason: the dossier says why it is left out.")},
    )
