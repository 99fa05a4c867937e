"""Court orders in the flow: reachable from home and the steps page; while one is in force the
incident form shows its terms and asks whether the incident broke it, suggesting (never ticking)
when the incident's kind or place plainly matches; the dossier lists and cites the breaches."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from incidents.dossier import DossierOptions
from incidents.models import Case, Incident, ProtectiveOrder
from incidents.orders import breach_hint, order_terms
from incidents.pdf import render_dossier
from tests.conftest import make_incident, page_text

TERMS = "No contact of any kind, direct or indirect. Must not come within 100 metres of my home."


@pytest.fixture(autouse=True)
def _one_process(settings):
    settings.DOSSIER_WORKERS = 1


def _order(user, *, terms=TERMS, issued_days_ago=30, expires_in_days=335, **fields):
    today = timezone.localdate()
    return ProtectiveOrder.objects.create(
        case=Case.objects.owned_by(user).first(),
        order_type=ProtectiveOrder.Type.STALKING,
        court="Northtown Magistrates' Court",
        issued_on=today - timedelta(days=issued_days_ago),
        expires_on=None if expires_in_days is None else today + timedelta(days=expires_in_days),
        terms=terms,
        **fields,
    )


class _Links(HTMLParser):
    """The links of a page as (text, href)."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None


def _follow(client, response, text: str):
    """Open the first link on the page whose text is `text`, as a person would tap it."""
    parser = _Links()
    parser.feed(response.content.decode())
    hrefs = [href for label, href in parser.links if label == text]
    assert hrefs, f"No link {text!r} on the page"
    followed = client.get(hrefs[0])
    assert followed.status_code == 200, hrefs[0]
    return followed


def _checkbox(response, name: str) -> str:
    """The <input> tag of a checkbox, as sent to the browser."""
    match = re.search(rf'<input type="checkbox" name="{name}"[^>]*>', response.content.decode())
    assert match, f"No checkbox {name}"
    return match.group(0)


def _hint_shown(response, which: str) -> bool:
    html = response.content.decode()
    match = re.search(rf'<p class="order-hint" data-hint="{which}"( hidden)?>', html)
    assert match, f"No {which} hint on the page"
    return match.group(1) is None


# --- reaching the orders ------------------------------------------------------------------------


def test_the_orders_pages_are_reachable_by_following_links_from_home(alice_client):
    home = alice_client.get(reverse("dashboard"))

    orders = _follow(alice_client, home, "Court orders")
    assert "Court orders" in page_text(orders)
    form = _follow(alice_client, orders, "Record a court order")
    assert "Record a court order" in page_text(form)

    steps = _follow(alice_client, home, "Your steps")
    _follow(alice_client, steps, "Record a court order")
    assert "Court orders" in page_text(_follow(alice_client, steps, "Court orders"))


def test_an_order_in_force_is_named_on_home_and_on_the_steps_page(alice, alice_client):
    order = _order(alice)
    _order(alice, issued_days_ago=400, expires_in_days=-35, terms="An old order.")

    home = page_text(alice_client.get(reverse("dashboard")))
    steps = page_text(alice_client.get(reverse("checklist")))

    until = f"{order.expires_on:%-d %B %Y}"
    assert f"Stalking protection order in force until {until}" in home
    assert f"Stalking protection order : in force until {until}" in steps  # a link, then text
    assert "See all 2 orders you recorded" in steps


# --- the incident form --------------------------------------------------------------------------


def test_the_incident_form_shows_the_terms_of_an_order_in_force_and_asks(alice, alice_client):
    _order(alice)

    response = alice_client.get(reverse("incident_new"))
    text = page_text(response)

    assert "A court order is in force" in text
    assert "No contact of any kind, direct or indirect." in text
    assert "This incident broke the order" in text
    assert "Violates a court order" not in text  # asked once, beside the order
    assert "checked" not in _checkbox(response, "violates_order")
    assert not _hint_shown(response, "kind")
    assert not _hint_shown(response, "place")


def test_without_an_order_in_force_the_question_stays_among_the_danger_signs(alice, alice_client):
    _order(alice, issued_days_ago=400, expires_in_days=-35)  # expired

    text = page_text(alice_client.get(reverse("incident_new")))

    assert "court order is in force" not in text
    assert "Violates a court order" in text


def test_a_contact_the_order_bars_is_suggested_but_never_ticked(alice, alice_client):
    _order(alice)
    typed = {"occurred_at": "", "description": "", "kind": "calls", "location": "the park"}

    response = alice_client.post(reverse("incident_new"), typed)  # refused: when and what

    assert response.status_code == 200
    assert _hint_shown(response, "kind")
    assert not _hint_shown(response, "place")
    assert "checked" not in _checkbox(response, "violates_order")
    assert not Incident.objects.exists()


def test_a_place_named_in_the_order_is_suggested(alice, alice_client):
    _order(alice, terms="Must not enter Larkspur Road or the Riverside gym.")
    incident = make_incident(
        alice, kind=Incident.Kind.WATCHING, location="Outside the Riverside gym car park"
    )

    response = alice_client.get(reverse("incident_edit", args=[incident.uuid]))

    assert _hint_shown(response, "place")
    assert not _hint_shown(response, "kind")  # the terms say nothing of contact
    assert "checked" not in _checkbox(response, "violates_order")


def test_marking_the_breach_on_the_form_saves_it(alice, alice_client):
    _order(alice)
    now = timezone.localtime().replace(second=0, microsecond=0)
    typed = {
        "occurred_at": f"{now:%Y-%m-%dT%H:%M}",
        "description": "Rang eight times before work.",
        "kind": "calls",
        "count": "8",
        "violates_order": "on",
    }

    response = alice_client.post(reverse("incident_new"), typed)

    incident = Incident.objects.get()
    assert response.url == incident.get_absolute_url()
    assert incident.violates_order
    assert "Violates a court order" in page_text(alice_client.get(response.url))


def test_the_incident_page_suggests_an_unmarked_breach_until_it_is_marked(alice, alice_client):
    order = _order(alice)
    incident = make_incident(alice, kind=Incident.Kind.TEXTS, description="Three texts.")
    url = reverse("incident_detail", args=[incident.uuid])

    text = page_text(alice_client.get(url))
    issued = f"{order.issued_on:%-d %B %Y}"
    assert f"This may have broken the Stalking protection order of {issued}" in text
    assert "its terms forbid this kind of contact" in text

    incident.violates_order = True
    incident.save()
    assert "This may have broken" not in page_text(alice_client.get(url))


def test_an_incident_before_the_order_is_not_suggested(alice, alice_client):
    _order(alice, issued_days_ago=2)
    incident = make_incident(
        alice, kind=Incident.Kind.TEXTS, occurred_at=timezone.now() - timedelta(days=10)
    )

    text = page_text(alice_client.get(reverse("incident_detail", args=[incident.uuid])))

    assert "This may have broken" not in text


def test_a_strangers_order_is_never_shown(alice, mallory, mallory_client):
    _order(alice, terms="Alice's order: no contact.")

    text = page_text(mallory_client.get(reverse("incident_new")))

    assert "Alice's order" not in text
    assert "court order is in force" not in text


@pytest.mark.parametrize(
    ("terms", "kind", "location", "by_kind", "place"),
    [
        ("No contact of any kind.", "calls", "", True, ""),
        ("No contact of any kind.", "third_parties", "", False, ""),
        ("No contact, direct or indirect.", "third_parties", "", True, ""),
        ("Must not come to my home.", "showed_up_home", "", True, ""),
        ("Must not come to my home.", "texts", "", False, ""),
        ("Must not go to my workplace.", "showed_up_work", "", True, ""),
        ("Must not enter Elm Street.", "following", "12 Elm Street", False, "elm"),
        ("Must not enter Elm Street.", "following", "Oak Street", False, ""),
        ("", "calls", "home", False, ""),
    ],
)
def test_what_counts_as_a_plain_match(alice, terms, kind, location, by_kind, place):
    order = ProtectiveOrder(issued_on=date(2026, 1, 1), terms=terms)

    hint = breach_hint(order, kind, location)

    assert (hint.kind, hint.place) == (by_kind, place)
    assert hint.shown == bool(by_kind or place)


def test_the_terms_are_put_on_the_page_for_the_script_as_the_server_reads_them(alice, alice_client):
    order = _order(alice)

    html = alice_client.get(reverse("incident_new")).content.decode()

    terms = order_terms(order)
    assert f'data-kinds="{" ".join(terms.kinds)}"' in html
    assert f'data-words="{" ".join(terms.words)}"' in html
    assert "showed_up_home" in terms.kinds


# --- the dossier --------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_dossier_lists_the_breaches_with_dates_and_cites_them_under_the_order(alice, tmp_path):
    order = _order(alice)
    now = timezone.now()
    make_incident(alice, occurred_at=now - timedelta(days=40), description="Before the order")
    breach = make_incident(
        alice,
        occurred_at=now - timedelta(days=3),
        kind=Incident.Kind.CALLS,
        description="Called six times.",
        violates_order=True,
    )
    make_incident(alice, occurred_at=now - timedelta(days=2), description="Not marked")
    case = Case.objects.owned_by(alice).get()
    out = tmp_path / "dossier.pdf"

    render_dossier(alice, DossierOptions(case=str(case.uuid)), out)

    pages = [" ".join(page.extract_text().split()) for page in PdfReader(out).pages]
    summary = next(page for page in pages if page.startswith("Summary") or " Summary " in page)
    when = f"{timezone.localtime(breach.occurred_at):%-d %b %Y, %H:%M}"
    assert "1 incident marked by the person keeping this log as breaking an order" in summary
    assert f"{when}: Phone calls (incident 2)" in summary
    text = " ".join(pages)
    assert "Breaches marked Incident 2, " in text
    assert order.court in text


def test_the_order_page_lists_the_incidents_marked_as_breaking_it(alice, alice_client):
    order = _order(alice)
    make_incident(alice, description="Marked, while in force.", violates_order=True)
    make_incident(
        alice,
        description="Marked, but before the order.",
        violates_order=True,
        occurred_at=timezone.now() - timedelta(days=60),
    )
    make_incident(alice, description="Not marked.")

    text = page_text(alice_client.get(order.get_absolute_url()))

    assert "Incidents marked as breaking it" in text
    assert "Marked, while in force." in text
    assert "before the order" not in text
    assert "Not marked." not in text


def test_each_records_list_links_to_the_others(alice_client):
    for name in ("notice_list", "police_list", "order_list", "change_list"):
        html = alice_client.get(reverse(name)).content.decode()
        for other in ("notice_list", "police_list", "order_list", "change_list"):
            assert f'href="{reverse(other)}"' in html, (name, other)
