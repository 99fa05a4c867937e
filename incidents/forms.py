from datetime import date, timedelta

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import jurisdictions, local_formats, orders
from .models import (
    Case,
    Evidence,
    Incident,
    NoContactNotice,
    PoliceContact,
    ProtectiveOrder,
    SafetyStep,
    User,
)
from .models.accounts import language_choices
from .text_limits import LimitedBoundField

# Phones clocks drift; a time a few minutes ahead is a typo-free "now", not the future.
FUTURE_TOLERANCE = timedelta(minutes=10)


class FormRenderer(TemplatesSetting):
    """Django's renderer with our field layout (templates/forms/field.html) and length counters."""

    field_template_name = "forms/field.html"
    bound_field_class = LimitedBoundField


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's own date and time picker (a wheel on phones)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


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


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def offer_cases(form: forms.BaseForm, user: User) -> bool:
    """Let the form's "case" field choose among the user's own cases (by uuid), or drop it when
    there is only one: most people have one, and need not think about it."""
    cases = Case.objects.owned_by(user)
    if len(cases) < 2:
        del form.fields["case"]
        return False
    field = form.fields["case"]
    field.queryset = cases
    field.to_field_name = "uuid"
    field.label = _("About")
    field.empty_label = None
    return True


class CaseRecordForm(forms.ModelForm):
    """A record in one of the user's cases. Asks which case only once there are two."""

    # The date-and-time fields that cannot lie in the future.
    PAST_FIELDS: tuple[str, ...] = ()
    # Questions about what the user did: a new record shows no answer picked for them.
    NOT_PRESELECTED: tuple[str, ...] = ()

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        offer_cases(self, user)
        if self.instance._state.adding:
            for name in self.NOT_PRESELECTED:
                self.initial.pop(name, None)
                self.fields[name].initial = None
        now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        for name in self.PAST_FIELDS:
            self.fields[name].widget.attrs["max"] = now

    def _clean_time(self, name):
        """The date and time field shows minutes only: a time left as it was keeps its seconds
        (entries not made through this form can have them), so saving unchanged changes nothing."""
        value = self.cleaned_data[name]
        stored = getattr(self.instance, name) if self.instance.pk else None
        if value and stored and value == stored.replace(second=0, microsecond=0):
            value = stored
        if value and name in self.PAST_FIELDS and value > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError(_("This is in the future. Check the date and time."))
        return value


class IncidentForm(orders.OrderQuestion, CaseRecordForm):
    """One form for quick entry and for the full record: only when and what are required."""

    PAST_FIELDS = ("occurred_at",)

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._ask_about_orders(kwargs["user"])
        self.fields["effect_level"].widget.choices = [
            ("", _("Not answered yet")),
            *Incident.Effect.choices,
        ]
        self.fields["effect_level"].required = False
        # No answer is chosen for the user: "not answered yet" until they pick one.
        self.fields["response"].choices = [("", _("Not answered yet")), *Incident.Response.choices]
        if self.instance.pk and self.instance.response_state == "not_confirmed":
            self.fields["response"].help_text = _(
                "When this entry was saved, the form filled in “I did not respond” for you, and "
                "it has not been confirmed. Choose the answer that is right. Saved as it is, it "
                "stays unconfirmed."
            )
        # Only when and what are required; the rest falls back to the model's defaults.
        for name in self.DEFAULTED_FIELDS:
            self.fields[name].required = False
        # The database refuses 0 as well, but with a message meant for developers, at the top.
        self.fields["count"].validators.append(MinValueValidator(1))

    # Shown on the page apart from the required "when" and "what happened".
    QUICK_FIELDS = {"case", "occurred_at", "is_approximate", "description"}
    DEFAULTED_FIELDS = ("kind", "count")

    def detail_fields(self):
        return [
            self[name]
            for name in self.fields
            if name not in self.QUICK_FIELDS and name not in Incident.DANGER_FLAGS
        ]

    def danger_fields(self):
        # With an order in force, its question is asked beside the order's terms instead.
        asked = {"violates_order"} if self.orders else set()
        return [self[name] for name in Incident.DANGER_FLAGS if name not in asked]

    def clean_ended_at(self):
        return self._clean_time("ended_at")

    def clean_occurred_at(self):
        return self._clean_time("occurred_at")

    def clean(self):
        cleaned = super().clean()
        for name in self.DEFAULTED_FIELDS:
            if cleaned.get(name) in (None, "") and name not in self.errors:
                cleaned[name] = Incident._meta.get_field(name).get_default()
        start, end = cleaned.get("occurred_at"), cleaned.get("ended_at")
        if start and end and end < start:
            self.add_error("ended_at", _("The end is before the start. Check both times."))
        return cleaned


class NoticeForm(CaseRecordForm):
    PAST_FIELDS = ("given_at",)
    NOT_PRESELECTED = ("method", "acknowledged")

    class Meta:
        model = NoContactNotice
        fields = ["case", "given_at", "method", "words", "witnesses", "acknowledged", "notes"]
        widgets = {
            "given_at": LocalDateTimeInput(),
            "method": forms.RadioSelect(),
            "acknowledged": forms.RadioSelect(),
            "words": forms.Textarea(attrs={"rows": 4}),
            "witnesses": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_given_at(self):
        return self._clean_time("given_at")


class PoliceContactForm(CaseRecordForm):
    PAST_FIELDS = ("contacted_at",)
    NOT_PRESELECTED = ("method",)
    # How far back the list of incidents to link goes (older linked ones always show).
    LINKABLE_DAYS = 120

    class Meta:
        model = PoliceContact
        fields = [
            "case",
            "contacted_at",
            "method",
            "agency",
            "officer_name",
            "badge_number",
            "reference",
            "reported",
            "incidents",
            "advice",
            "next_steps",
            "follow_up_on",
            "follow_up_done",
        ]
        widgets = {
            "contacted_at": LocalDateTimeInput(),
            "method": forms.RadioSelect(),
            "reported": forms.Textarea(attrs={"rows": 3}),
            "advice": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
            "follow_up_on": DateInput(),
            "incidents": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        since = timezone.now() - timedelta(days=self.LINKABLE_DAYS)
        linkable = Q(occurred_at__gte=since)
        if self.instance.pk:
            linkable |= Q(police_contacts=self.instance)
        field = self.fields["incidents"]
        field.queryset = (
            Incident.objects.owned_by(user)
            .live()
            .filter(linkable)
            .distinct()
            .order_by("-occurred_at")
        )
        field.to_field_name = "uuid"
        field.label_from_instance = _incident_choice_label
        field.help_text = _("Incidents of the last %(days)s days, newest first.") % {
            "days": self.LINKABLE_DAYS
        }
        terms = jurisdictions.current()  # the police's own words where the user lives
        if terms.code != "other":  # elsewhere the field's own, general words
            self.fields["reference"].label = capfirst(terms.police_reference)
            self.fields["badge_number"].label = capfirst(terms.officer_number)

    def clean_contacted_at(self):
        return self._clean_time("contacted_at")

    def clean(self):
        cleaned = super().clean()
        contacted, follow_up = cleaned.get("contacted_at"), cleaned.get("follow_up_on")
        if contacted and follow_up and follow_up < timezone.localdate(contacted):
            self.add_error(
                "follow_up_on",
                _("The follow-up date is before the contact itself. Check both dates."),
            )
        case = cleaned.get("case", self.instance.case if self.instance.pk else None)
        others = [i for i in cleaned.get("incidents", []) if case and i.case_id != case.pk]
        if others:
            self.add_error(
                "incidents",
                _(
                    "Some of these incidents are about another person. Pick only incidents about "
                    "the person this report is about."
                ),
            )
        return cleaned


def _incident_choice_label(incident: Incident) -> str:
    when = local_formats.when(
        timezone.localtime(incident.occurred_at), "SHORT_DATETIME_FORMAT", weekday=True
    )
    return f"{when} · {incident.get_kind_display()} · {incident.description[:60]}"


class ProtectiveOrderForm(CaseRecordForm):
    class Meta:
        model = ProtectiveOrder
        fields = [
            "case",
            "order_type",
            "court",
            "case_number",
            "issued_on",
            "served_on",
            "expires_on",
            "distance",
            "terms",
        ]
        widgets = {
            "issued_on": DateInput(),
            "served_on": DateInput(),
            "expires_on": DateInput(),
            "terms": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The kinds of order of the user's own legal system, by their local names.
        keep = self.instance.order_type if self.instance.pk else ""
        self.fields["order_type"].choices = jurisdictions.current().order_choices(keep=keep)

    def clean(self):
        cleaned = super().clean()
        issued, expires = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued and expires and expires < issued:
            self.add_error("expires_on", _("The order cannot expire before it was issued."))
        served = cleaned.get("served_on")
        if issued and served and served < issued:
            self.add_error("served_on", _("It cannot have been served before it was issued."))
        elif expires and served and served > expires and "expires_on" not in self.errors:
            self.add_error(
                "served_on", _("This is after the order expired. Check the served and end dates.")
            )
        return cleaned


class PeriodDateField(forms.DateField):
    """One end of a period (timeline, gallery, dossier): within these years, so that the start
    and end of its day stay inside the dates Python can hold, in any time zone."""

    default_validators = [
        MinValueValidator(date(1900, 1, 1)),
        MaxValueValidator(date(2199, 12, 31)),
    ]


class TimelineFilterForm(forms.Form):
    """The timeline's filters, read from the query string; bad values are simply ignored."""

    bound_field_class = BoundField  # a search box needs no length counter

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Incident.Kind.choices]
    )
    date_from = PeriodDateField(label=_("From"), required=False, widget=DateInput())
    date_to = PeriodDateField(label=_("To"), required=False, widget=DateInput())
    danger = forms.BooleanField(label=_("Only with danger signs"), required=False)
    order = forms.ChoiceField(
        label=pgettext_lazy("sort order", "Order"),
        required=False,
        choices=[("newest", _("Newest first")), ("oldest", _("Oldest first"))],
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
        label=_("Files"),
        error_messages={"required": _("Choose at least one file.")},
        widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )
    caption = forms.CharField(
        label=_("Caption (optional)"),
        max_length=300,
        required=False,
        help_text=_("Say what it shows, for example: text from 555-0100, 21:14."),
    )


class EvidenceCaptionForm(forms.Form):
    caption = Evidence._meta.get_field("caption").formfield()


class GalleryFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *Evidence.Kind.choices]
    )
    date_from = PeriodDateField(label=_("Received from"), required=False, widget=DateInput())
    date_to = PeriodDateField(label=_("Received until"), required=False, widget=DateInput())


class SafetyStepForm(forms.ModelForm):
    """Ticking one further safety step: when it was done (not in the future) and a short note."""

    class Meta:
        model = SafetyStep
        fields = ["done_on", "note"]
        labels = {"done_on": _("Done on"), "note": _("Note (optional)")}
        widgets = {"done_on": DateInput()}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["done_on"].widget.attrs["max"] = today.isoformat()
        if not self.instance.pk:
            self.initial.setdefault("done_on", today)

    def clean_done_on(self):
        done_on = self.cleaned_data["done_on"]
        if done_on > timezone.localdate():
            raise forms.ValidationError(
                _("This date is in the future. Pick today or an earlier day.")
            )
        return done_on


class DossierForm(forms.Form):
    """What goes into a dossier or evidence package. Asks which person only once there are two."""

    case = forms.ModelChoiceField(
        label=_("About"), queryset=Case.objects.none(), to_field_name="uuid", empty_label=None
    )
    date_from = PeriodDateField(label=_("From (optional)"), required=False, widget=DateInput())
    date_to = PeriodDateField(
        label=_("To (optional)"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave both dates empty to include everything you have recorded."),
    )
    include_effects = forms.BooleanField(
        label=_("Include how it affected you"), required=False, initial=True
    )
    include_images = forms.BooleanField(
        label=_("Include pictures of the evidence"), required=False, initial=True
    )
    short = forms.BooleanField(
        label=_("Short version: the summary and a one-line list of the incidents"), required=False
    )
    paper = forms.ChoiceField(
        label=_("Paper size"),
        choices=[("A4", "A4"), ("Letter", "US Letter")],
        initial="A4",
        widget=forms.RadioSelect(),
    )
    prepared_by = forms.CharField(
        label=_("Prepared by (optional)"),
        max_length=200,
        required=False,
        help_text=_("The name on the cover, usually yours."),
    )
    language = forms.ChoiceField(
        label=_("Language of the dossier"),
        choices=language_choices,
        required=False,  # left out: the owner's own language
        help_text=_("For someone who reads another language than yours, such as an officer."),
    )

    def __init__(self, *args, user: User, default_case: Case | None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.initial.setdefault("language", user.language)
        if offer_cases(self, user):
            self.initial.setdefault("case", default_case)
        remembered = user.dossier_prepared_by
        if remembered is None:
            remembered = user.get_full_name() or user.username
        self.initial.setdefault("prepared_by", remembered)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date. Check both dates."))
        return cleaned


def valid_filters(filter_form) -> dict:
    """The filters that make sense; a bad one shows its error and the others still apply."""
    if not filter_form.is_bound:
        return {}
    filter_form.is_valid()
    return filter_form.cleaned_data
