from datetime import timedelta

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils import timezone

from . import services
from .models import Case, Evidence, Incident, User

# Phones clocks drift; a time a few minutes ahead is a typo-free "now", not the future.
FUTURE_TOLERANCE = timedelta(minutes=10)


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's own date and time picker (a wheel on phones)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class AccountCreateForm(BaseUserCreationForm):
    """A new account: user name, time zone and a password checked by the validators."""

    class Meta:
        model = User
        fields = ["username", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = "Letters, digits and @ . + - _ only."


class SetupForm(AccountCreateForm):
    setup_code = forms.CharField(
        label="Setup code",
        max_length=40,
        help_text="It was printed in the terminal where the app was started.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    field_order = ["setup_code", "username", "time_zone", "password1", "password2"]

    def clean_setup_code(self):
        code = self.cleaned_data["setup_code"]
        if not services.setup_code_matches(code):
            raise forms.ValidationError(
                "That code does not match. Copy it again from the terminal, "
                "or run: python manage.py setup_code"
            )
        return code


class SettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["time_zone"]


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = [
            "name",
            "relationship",
            "aliases",
            "description",
            "phone_numbers",
            "online_accounts",
            "vehicles",
            "addresses",
        ]
        widgets = {
            field: forms.Textarea(attrs={"rows": 3})
            for field in [
                "aliases",
                "phone_numbers",
                "online_accounts",
                "vehicles",
                "addresses",
                "description",
            ]
        }


class IncidentForm(forms.ModelForm):
    """One form for quick entry and for the full record: only when and what are required."""

    class Meta:
        model = Incident
        fields = [
            "case",
            "occurred_at",
            "is_approximate",
            "ended_at",
            "description",
            "kind",
            "channel",
            "location",
            "exact_words",
            "count",
            "witnesses",
            "others_present",
            "effect_level",
            "effect_notes",
            "response",
            "response_notes",
            *Incident.DANGER_FLAGS,
        ]
        widgets = {
            "occurred_at": LocalDateTimeInput(),
            "ended_at": LocalDateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "exact_words": forms.Textarea(attrs={"rows": 3}),
            "witnesses": forms.Textarea(attrs={"rows": 2}),
            "others_present": forms.Textarea(attrs={"rows": 2}),
            "effect_notes": forms.Textarea(attrs={"rows": 2}),
            "response_notes": forms.Textarea(attrs={"rows": 2}),
            "effect_level": forms.RadioSelect(),
            "response": forms.RadioSelect(),
            "count": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        }

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        cases = Case.objects.owned_by(user)
        if len(cases) < 2:
            # Most people have one case: don't make them think about it.
            del self.fields["case"]
        else:
            self.fields["case"].queryset = cases
            self.fields["case"].to_field_name = "uuid"
            self.fields["case"].label = "About"
            self.fields["case"].empty_label = None
        self.fields["occurred_at"].widget.attrs["max"] = timezone.localtime().strftime(
            "%Y-%m-%dT%H:%M"
        )
        self.fields["effect_level"].widget.choices = Incident.Effect.choices
        self.fields["effect_level"].required = False
        self.fields["response"].choices = Incident.Response.choices
        # Only when and what are required; the rest falls back to the model's defaults.
        for name in self.DEFAULTED_FIELDS:
            self.fields[name].required = False

    # Shown on the page apart from the required "when" and "what happened".
    QUICK_FIELDS = {"case", "occurred_at", "is_approximate", "description"}
    DEFAULTED_FIELDS = ("kind", "count", "response")

    def detail_fields(self):
        return [
            self[name]
            for name in self.fields
            if name not in self.QUICK_FIELDS and name not in Incident.DANGER_FLAGS
        ]

    def danger_fields(self):
        return [self[name] for name in Incident.DANGER_FLAGS]

    def _keep_seconds(self, name):
        """The date and time field shows minutes only: a time left as it was keeps its seconds
        (entries not made through this form can have them), so saving unchanged changes nothing."""
        value = self.cleaned_data[name]
        stored = getattr(self.instance, name) if self.instance.pk else None
        if value and stored and value == stored.replace(second=0, microsecond=0):
            return stored
        return value

    def clean_ended_at(self):
        return self._keep_seconds("ended_at")

    def clean_occurred_at(self):
        occurred_at = self._keep_seconds("occurred_at")
        if occurred_at > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError("This is in the future. Check the date and time.")
        return occurred_at

    def clean(self):
        cleaned = super().clean()
        for name in self.DEFAULTED_FIELDS:
            if cleaned.get(name) in (None, "") and name not in self.errors:
                cleaned[name] = Incident._meta.get_field(name).get_default()
        start, end = cleaned.get("occurred_at"), cleaned.get("ended_at")
        if start and end and end < start:
            self.add_error("ended_at", "The end is before the start. Check both times.")
        return cleaned


class TimelineFilterForm(forms.Form):
    """The timeline's filters, read from the query string; bad values are simply ignored."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "All kinds"), *Incident.Kind.choices]
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    danger = forms.BooleanField(label="Only with danger signs", required=False)
    order = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[("newest", "Newest first"), ("oldest", "Oldest first")],
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked later, by its content."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            super().clean(None, initial)  # "required" error
        return files


# Offers the camera and photo library on phones, and filters the picker elsewhere.
EVIDENCE_ACCEPT = "image/*,application/pdf,audio/*,video/*,.heic,.m4a,.mov"


class EvidenceUploadForm(forms.Form):
    files = MultipleFileField(
        label="Files",
        error_messages={"required": "Choose at least one file."},
        widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )
    caption = forms.CharField(
        label="Caption (optional)",
        max_length=300,
        required=False,
        help_text="Say what it shows, for example: text from 555-0100, 21:14.",
    )


class EvidenceCaptionForm(forms.Form):
    caption = Evidence._meta.get_field("caption").formfield()


class GalleryFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type", required=False, choices=[("", "All types"), *Evidence.Kind.choices]
    )
    date_from = forms.DateField(
        label="Received from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Received until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
