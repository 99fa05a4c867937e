"""The forms of the import of messages and calls, and of an imported item's note and reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .message_questions import DATE_ORDERS, OTHER_SENDER, shown_name
from .models import TIME_ZONE_CHOICES, Case, limits


class ImportUploadForm(forms.Form):
    """The export file, and the person it is about when there is more than one."""

    file = forms.FileField(
        label=_("The export file"),
        help_text=_(
            "For example sms-….xml (texts and picture messages) or calls-….xml (the call log)."
        ),
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

    def __init__(self, *args, found: list[dict], ask=(), zone: str = "", example: str = "", **kw):
        super().__init__(*args, **kw)
        self.fields["numbers"].choices = [(n["key"], n["key"]) for n in found]
        if "time_zone" in ask:
            self.fields["time_zone"] = forms.ChoiceField(
                label=_("The time zone the phone was in"),
                choices=TIME_ZONE_CHOICES,
                initial=zone,
                help_text=_(
                    "The file gives no time zone: its times are the phone's clock. Choose the "
                    "zone the phone was set to (yours, unless it was set to another)."
                ),
            )
        if "date_order" in ask:
            self.fields["date_order"] = forms.ChoiceField(
                label=_("How are the file's dates written?"),
                choices=list(DATE_ORDERS.items()),
                widget=forms.RadioSelect,
                help_text=_("Nothing in the file decides it. A date from it: %(example)s")
                % {"example": example or "…"},
                error_messages={"required": _("Say how the dates are written.")},
            )
        if "me" in ask:
            self.fields["me"] = forms.ChoiceField(
                label=_("Which of these senders is you? (optional)"),
                choices=_senders(found),
                required=False,
                help_text=_("Your own messages to the person are kept as sent by you."),
            )

    def clean(self):
        data = super().clean()
        me = data.get("me")
        if me and me in (data.get("numbers") or []):
            self.add_error("me", _("You ticked this sender as the person: choose another."))
        return data

    def answers(self) -> dict:
        """The answers to the file's questions, for message_import_choose."""
        names = ("time_zone", "date_order", "me")
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}


def _senders(found: list[dict]) -> list[tuple[str, str]]:
    """The choices for 'which sender is you': in a chat of two, first the one not ticked."""
    choices = [("", _("I'd rather not say"))]
    if len(found) == 2:
        choices.append((OTHER_SENDER, _("The sender I do not tick")))
    return choices + [(n["key"], _label(n)) for n in found]


def _label(found: dict) -> str:
    return shown_name(found) or found["key"]


NO_COLUMN = [("", _("(none)"))]


class ColumnsForm(forms.Form):
    """Which column of a CSV table is what: the user reads the first rows and says."""

    kind = forms.ChoiceField(
        label=_("What does the table list?"),
        choices=[("messages", _("Messages")), ("calls", _("Calls"))],
        widget=forms.RadioSelect,
    )
    time = forms.TypedChoiceField(label=_("The time of each message or call"), coerce=int)
    time_format = forms.ChoiceField(
        label=_("How the times are written"),
        choices=[
            ("iso", _("Year first: 2025-04-03 14:22")),
            ("dmy", _("Day first: 03/04/2025 14:22 is 3 April")),
            ("mdy", _("Month first: 04/03/2025 14:22 is 3 April")),
            ("unix_s", _("Seconds since 1970 (Unix time)")),
            ("unix_ms", _("Milliseconds since 1970")),
        ],
    )
    time_zone = forms.ChoiceField(
        label=_("The time zone of the times"),
        choices=TIME_ZONE_CHOICES,
        help_text=_("Used for times written without a zone."),
    )
    party = forms.TypedChoiceField(label=_("The other person's number or name"), coerce=int)
    party_kind = forms.ChoiceField(
        label=_("Is that a phone number or a name?"),
        choices=[("number", _("A phone number")), ("name", _("A name"))],
        widget=forms.RadioSelect,
    )
    direction = forms.TypedChoiceField(
        label=_("Received or sent (or the call's type)"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_(
            "Words such as incoming, received, in, outgoing, sent, out, missed, in English or "
            "Spanish (entrante, recibido, saliente, enviado, perdida). Without it, the column "
            "above is read as the sender."
        ),
    )
    name = forms.TypedChoiceField(
        label=_("The name shown"), coerce=int, required=False, empty_value=None
    )
    text = forms.TypedChoiceField(
        label=_("The message's text"), coerce=int, required=False, empty_value=None
    )
    outcome = forms.TypedChoiceField(
        label=_("The call's outcome (answered, missed, rejected)"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    duration = forms.TypedChoiceField(
        label=_("The call's duration (seconds, or minutes:seconds)"),
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args, header: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        columns = [(str(i), f"{i + 1}: {name[:40]}") for i, name in enumerate(header)]
        for name in ("time", "party"):
            self.fields[name].choices = columns
        for name in ("direction", "name", "text", "outcome", "duration"):
            self.fields[name].choices = NO_COLUMN + columns

    def clean(self):
        data = super().clean()
        if data.get("time") is not None and data.get("time") == data.get("party"):
            self.add_error("party", _("This is the column chosen for the time."))
        return data

    def columns(self) -> dict:
        """The mapping csv_table.py reads (column numbers from 0, None for none)."""
        names = ("kind", "time", "time_format", "party", "party_kind", "direction", "name")
        names += ("text",) if self.cleaned_data["kind"] == "messages" else ("outcome", "duration")
        return {name: self.cleaned_data.get(name) for name in names}


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
