"""The legal words of the user's own system: what its courts call an order that keeps a person
away, what its police call the reference they give, the names of the elements of the offence,
and the help contacts offered when the host has configured none.

Only words change with the jurisdiction, never data: an order stored as "protective" is shown
as a protective order in the United States and as an AVO in New South Wales. The jurisdiction
in force is set per request (incidents.middleware.UserLanguageMiddleware) and per background
job (`override`), like the language.

The words come from the legislation and the courts' own pages as summarised in the project's
research notes (England and Wales, Northern Ireland, Australia) and from the statutes'
well-known names elsewhere; the help contacts are names and numbers of national services only,
as facts, with no promise of what they will do.
"""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The kinds of order a record can hold. The names are the general ones, used where a system
# has no word of its own; each jurisdiction below offers its own list and names.
ORDER_KINDS: dict[str, object] = {
    "protective": pgettext_lazy("court order", "Protective or restraining order"),
    "personal": pgettext_lazy("court order", "Personal protection order"),
    "non_molestation": pgettext_lazy("court order", "Non-molestation order"),
    "stalking": pgettext_lazy("court order", "Stalking protection order"),
    "restraining": pgettext_lazy("court order", "Restraining order (after a criminal case)"),
    "non_harassment": pgettext_lazy("court order", "Non-harassment order"),
    "interdict": pgettext_lazy("court order", "Interdict"),
    "emergency": pgettext_lazy("court order", "Emergency or police protection order"),
    "peace_bond": pgettext_lazy("court order", "Peace bond"),
    "injunction": pgettext_lazy("court order", "Injunction"),
    "bail": pgettext_lazy("court order", "Bail conditions"),
    "other": pgettext_lazy("court order", "Other order"),
}


@dataclass(frozen=True)
class HelpContact:
    """A national service, by its own name; the host's HELP_CONTACTS replace these."""

    name: str
    contact: str


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: object  # a lazy translation
    # (kind, local name) in the order the form offers them; "other" is always added last.
    orders: tuple[tuple[str, object], ...]
    police_reference: object
    officer_number: object
    offence: object  # the offence's name in this system
    elements: tuple[object, ...]
    emergency_number: str = ""
    help_contacts: tuple[HelpContact, ...] = field(default=())
    short_name: object = None  # in a sentence, where `name` says more (a state's country)

    @property
    def place(self) -> object:
        return self.short_name or self.name

    def order_name(self, kind: str) -> object:
        """The local name of a kind of order, or its general name if this system has none."""
        return dict(self.orders).get(kind) or ORDER_KINDS.get(kind, kind)

    def order_choices(self, keep: str = "") -> list[tuple[str, object]]:
        """The kinds the form offers here, plus `keep` (an order's stored kind) if missing."""
        choices = [*self.orders, ("other", ORDER_KINDS["other"])]
        if keep and keep not in dict(choices):
            choices.insert(-1, (keep, self.order_name(keep)))
        return choices


US_ELEMENTS = (
    _("A course of conduct: two or more acts aimed at the person"),
    _("That would make a reasonable person fear for their safety or suffer serious distress"),
    _("The person doing it knew, or should have known, the effect it would have"),
)
UK_ELEMENTS = (
    _("A course of conduct: conduct on at least two occasions"),
    _("That amounts to harassment, with acts associated with stalking"),
    _("That causes fear of violence, or serious alarm or distress"),
    _("The person doing it knew, or ought to have known, that it was harassment"),
)
AU_ELEMENTS = (
    _("Stalking or intimidation: conduct on more than one occasion"),
    _("That causes fear of physical or mental harm"),
    _("The person doing it intended that fear, or knew it was likely"),
)
AU_REFERENCE = _("police event or reference number")
AU_HELP = (HelpContact("1800RESPECT", "1800 737 732"),)
AU_OFFICER = _("officer's registered number")


def _australia(
    code: str, name: object, state: object, protective: object, personal: object
) -> Jurisdiction:
    return Jurisdiction(
        code=code,
        name=name,
        short_name=state,
        orders=(("protective", protective), ("personal", personal), ("bail", ORDER_KINDS["bail"])),
        police_reference=AU_REFERENCE,
        officer_number=AU_OFFICER,
        offence=_("stalking"),
        elements=AU_ELEMENTS,
        emergency_number="000",
        help_contacts=AU_HELP,
    )


JURISDICTIONS: dict[str, Jurisdiction] = {
    j.code: j
    for j in (
        Jurisdiction(
            code="us",
            name=_("United States"),
            short_name=_("the United States"),
            orders=(
                ("protective", pgettext_lazy("court order", "Protective or restraining order")),
                ("stalking", pgettext_lazy("court order", "Stalking protective order")),
                ("emergency", pgettext_lazy("court order", "Emergency protective order")),
                ("injunction", pgettext_lazy("court order", "Injunction")),
                ("bail", pgettext_lazy("court order", "Bail or release conditions")),
            ),
            police_reference=_("police report number"),
            officer_number=_("badge number"),
            offence=_("stalking"),
            elements=US_ELEMENTS,
            emergency_number="911",
            help_contacts=(
                HelpContact("VictimConnect Resource Center", "1-855-484-2846"),
                HelpContact("National Domestic Violence Hotline", "1-800-799-7233"),
            ),
        ),
        Jurisdiction(
            code="gb-eaw",
            name=_("England and Wales"),
            orders=(
                ("non_molestation", pgettext_lazy("court order", "Non-molestation order")),
                ("stalking", pgettext_lazy("court order", "Stalking Protection Order")),
                ("restraining", pgettext_lazy("court order", "Restraining order")),
                (
                    "protective",
                    pgettext_lazy("court order", "Domestic abuse protection order (DAPO)"),
                ),
                ("injunction", pgettext_lazy("court order", "Injunction")),
                ("bail", pgettext_lazy("court order", "Bail conditions")),
            ),
            police_reference=_("crime reference number"),
            officer_number=_("collar number"),
            offence=_("stalking"),
            elements=UK_ELEMENTS,
            emergency_number="999",
            help_contacts=(
                HelpContact("National Stalking Helpline", "0808 802 0300"),
                HelpContact("Victim Support", "0808 168 9111"),
            ),
        ),
        Jurisdiction(
            code="gb-sct",
            name=_("Scotland"),
            orders=(
                ("non_harassment", pgettext_lazy("court order", "Non-harassment order")),
                ("interdict", pgettext_lazy("court order", "Interdict")),
                ("bail", pgettext_lazy("court order", "Bail conditions")),
            ),
            police_reference=_("police incident or crime reference number"),
            officer_number=_("officer's number"),
            offence=_("stalking"),
            elements=(
                _("A course of conduct: conduct on at least two occasions"),
                _("That causes fear or alarm"),
                _("The person doing it intended it, or ought to have known it would"),
            ),
            emergency_number="999",
            help_contacts=(HelpContact("Victim Support Scotland", "0800 160 1985"),),
        ),
        Jurisdiction(
            code="gb-nir",
            name=_("Northern Ireland"),
            orders=(
                ("non_molestation", pgettext_lazy("court order", "Non-molestation order")),
                ("stalking", pgettext_lazy("court order", "Stalking protection order")),
                ("restraining", pgettext_lazy("court order", "Restraining order")),
                ("bail", pgettext_lazy("court order", "Bail conditions")),
            ),
            police_reference=_("crime reference number"),
            officer_number=_("officer's number"),
            offence=_("stalking"),
            elements=UK_ELEMENTS,
            emergency_number="999",
            help_contacts=(HelpContact("Domestic and Sexual Abuse Helpline", "0808 802 1414"),),
        ),
        Jurisdiction(
            code="ie",
            name=_("Ireland"),
            orders=(
                ("protective", pgettext_lazy("court order", "Protection order")),
                ("personal", pgettext_lazy("court order", "Safety order")),
                ("emergency", pgettext_lazy("court order", "Barring or interim barring order")),
                ("bail", pgettext_lazy("court order", "Bail conditions")),
            ),
            police_reference=_("Garda PULSE incident number"),
            officer_number=_("Garda's registered number"),
            offence=_("stalking"),
            elements=(
                # The stalking offence of 2023 (s. 10 of the 1997 Act as amended) needs no
                # persistence: conduct of the kind, with the effect, intended or reckless.
                _(
                    "Conduct such as following, watching, pestering or communicating with "
                    "the person"
                ),
                _(
                    "That causes fear of violence, or serious alarm or distress with a substantial "
                    "adverse effect on their usual day-to-day activities"
                ),
                _("The person doing it intended it, or was reckless about it"),
            ),
            emergency_number="112",
            help_contacts=(HelpContact("Crime Victims Helpline", "116 006"),),
        ),
        Jurisdiction(
            code="ca",
            name=_("Canada"),
            orders=(
                ("peace_bond", pgettext_lazy("court order", "Peace bond")),
                ("emergency", pgettext_lazy("court order", "Emergency protection order")),
                ("protective", pgettext_lazy("court order", "Protection or restraining order")),
                ("bail", pgettext_lazy("court order", "Bail or release conditions")),
            ),
            police_reference=_("police occurrence or file number"),
            officer_number=_("badge number"),
            offence=_("criminal harassment"),
            elements=(
                _("Repeated following, communication, watching or threatening conduct"),
                _("That causes the person to reasonably fear for their safety"),
                _("The person doing it knew, or was reckless about, the harassment"),
            ),
            emergency_number="911",
        ),
        _australia(
            "au-nsw",
            _("Australia: New South Wales"),
            _("New South Wales"),
            pgettext_lazy("court order", "Apprehended violence order (AVO)"),
            pgettext_lazy("court order", "Apprehended personal violence order (APVO)"),
        ),
        _australia(
            "au-vic",
            _("Australia: Victoria"),
            _("Victoria"),
            pgettext_lazy("court order", "Family violence intervention order (FVIO)"),
            pgettext_lazy("court order", "Personal safety intervention order (PSIO)"),
        ),
        _australia(
            "au-qld",
            _("Australia: Queensland"),
            _("Queensland"),
            pgettext_lazy("court order", "Domestic violence order (DVO)"),
            pgettext_lazy("court order", "Peace and good behaviour order"),
        ),
        _australia(
            "au-wa",
            _("Australia: Western Australia"),
            _("Western Australia"),
            pgettext_lazy("court order", "Family violence restraining order (FVRO)"),
            pgettext_lazy("court order", "Violence restraining order (VRO)"),
        ),
        _australia(
            "au-sa",
            _("Australia: South Australia"),
            _("South Australia"),
            pgettext_lazy("court order", "Intervention order"),
            pgettext_lazy("court order", "Intervention order (not family)"),
        ),
        _australia(
            "au-tas",
            _("Australia: Tasmania"),
            _("Tasmania"),
            pgettext_lazy("court order", "Family violence order (FVO)"),
            pgettext_lazy("court order", "Restraint order"),
        ),
        _australia(
            "au-act",
            _("Australia: Australian Capital Territory"),
            _("the Australian Capital Territory"),
            pgettext_lazy("court order", "Family violence order"),
            pgettext_lazy("court order", "Personal protection order"),
        ),
        _australia(
            "au-nt",
            _("Australia: Northern Territory"),
            _("the Northern Territory"),
            pgettext_lazy("court order", "Domestic violence order (DVO)"),
            pgettext_lazy("court order", "Personal violence restraining order"),
        ),
        Jurisdiction(
            code="nz",
            name=_("New Zealand"),
            orders=(
                ("protective", pgettext_lazy("court order", "Protection order")),
                ("personal", pgettext_lazy("court order", "Restraining order (Harassment Act)")),
                ("emergency", pgettext_lazy("court order", "Police safety order")),
                ("bail", pgettext_lazy("court order", "Bail conditions")),
            ),
            police_reference=_("police event or file number"),
            officer_number=_("officer's number"),
            offence=_("harassment"),
            elements=(
                _("A pattern of behaviour: two or more specified acts within 12 months"),
                _("That causes the person to fear for their safety"),
                _("The person doing it knew it was likely to cause that fear"),
            ),
            emergency_number="111",
        ),
        Jurisdiction(
            code="other",
            name=_("Another country"),
            orders=(
                ("protective", ORDER_KINDS["protective"]),
                ("stalking", ORDER_KINDS["stalking"]),
                ("emergency", ORDER_KINDS["emergency"]),
                ("injunction", ORDER_KINDS["injunction"]),
                ("bail", ORDER_KINDS["bail"]),
            ),
            police_reference=_("report number"),
            officer_number=_("badge or collar number"),
            offence=_("stalking"),
            elements=US_ELEMENTS,
        ),
    )
}

# "other": the general words and no numbers, until the host or the user says where they are.
DEFAULT = "other"


# The model fields take these functions, not lists: migrations then name the function, so a new
# system or kind of order is one entry above, with no migration (tests/test_settings_choices.py).
def choices() -> list[tuple[str, object]]:
    """The legal systems an account can choose, by their names in the language in force."""
    return [(code, j.name) for code, j in JURISDICTIONS.items()]


def order_kind_choices() -> list[tuple[str, object]]:
    """Every kind of order a record can hold, by its general name."""
    return list(ORDER_KINDS.items())


_current: contextvars.ContextVar[str] = contextvars.ContextVar("jurisdiction", default="")


def default_code() -> str:
    """The host's default (DEFAULT_JURISDICTION), for new accounts and the signed-out pages.
    A code not listed here stops the app at its checks (stalkerlog.E001, incidents/checks.py)."""
    code = getattr(settings, "DEFAULT_JURISDICTION", DEFAULT)
    return code if code in JURISDICTIONS else DEFAULT


def get(code: str) -> Jurisdiction:
    return JURISDICTIONS.get(code) or JURISDICTIONS[default_code()]


def current() -> Jurisdiction:
    """The jurisdiction whose words are in use now (the user's, in a request or a job)."""
    return get(_current.get() or default_code())


def activate(code: str) -> None:
    _current.set(code)


def deactivate() -> None:
    _current.set("")


@contextmanager
def override(code: str) -> Iterator[None]:
    """Use a jurisdiction's words inside the block (a background job, a test)."""
    token = _current.set(code)
    try:
        yield
    finally:
        _current.reset(token)


def order_name(kind: str) -> str:
    """The name of a kind of order in the jurisdiction in force."""
    return str(current().order_name(kind))
