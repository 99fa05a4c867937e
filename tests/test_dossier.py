"""The PDF dossier, read back as an officer would read it."""

import io
import socket
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from incidents.dossier import DossierOptions
from incidents.models import Case, NoContactNotice, PoliceContact, ProtectiveOrder
from incidents.pdf import draw_part, render_dossier
from incidents.services import account_create, evidence_add
from tests.conftest import PASSWORD, made_once, make_incident, making_in


@pytest.fixture(autouse=True)
def _one_process(settings):
    settings.DOSSIER_WORKERS = 1  # one drawing process at a time inside the test runner


def _png(color="white") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 600), color).save(buffer, "PNG")
    return SimpleUploadedFile("chat.png", buffer.getvalue(), "image/png")


def _render(user, tmp_path, **options) -> tuple[PdfReader, str]:
    case = Case.objects.owned_by(user).first()
    out = tmp_path / "dossier.pdf"
    render_dossier(user, DossierOptions(case=str(case.uuid), **options), out)
    reader = PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


@pytest.fixture
def case_log(alice):
    return _case_log(alice)


def _case_log(alice):
    """A small course of conduct: a notice, incidents after it, a report, an order, files."""
    case = Case.objects.owned_by(alice).get()
    case.name = "Sam Example"
    case.save()
    now = timezone.now()
    make_incident(alice, occurred_at=now - timedelta(days=40), description="Before the notice")
    NoContactNotice.objects.create(
        case=case, given_at=now - timedelta(days=30), words="Do not contact me again."
    )
    texts = make_incident(
        alice,
        occurred_at=now - timedelta(days=20),
        count=14,
        description="Fourteen calls in one evening.",
        exact_words="You can't ignore me forever.",
        effect_notes="I could not sleep.",
        threat_to_harm=True,
    )
    visit = make_incident(alice, occurred_at=now - timedelta(days=10), description="At my door")
    contact = PoliceContact.objects.create(
        case=case,
        contacted_at=now - timedelta(days=9),
        agency="Central Police",
        officer_name="PC Example",
        badge_number="4471",
        reference="CR/2026/0042",
    )
    contact.incidents.set([texts, visit])
    ProtectiveOrder.objects.create(case=case, issued_on=(now - timedelta(days=5)).date())
    files = [
        evidence_add(case=case, attached_to=texts, upload=_png()),
        evidence_add(case=case, attached_to=visit, upload=_png("grey")),
    ]
    return case, files


@pytest.fixture(scope="module")
def dossier_made_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The PDF of alice's course of conduct (`case_log`) with the default options, and the
    SHA-256 of its two files: drawn once for the module, its rows rolled back at once."""
    folder = tmp_path_factory.mktemp("dossier")
    with made_once(django_db_blocker, folder), making_in(folder):
        alice = account_create(username="alice", password=PASSWORD, is_owner=True)
        _, files = _case_log(alice)
        _render(alice, folder)
        return (folder / "dossier.pdf").read_bytes(), [item.sha256 for item in files]


@pytest.fixture
def dossier(dossier_made_once) -> tuple[PdfReader, str]:
    """The default dossier of `case_log` as `_render` gives it, for tests that only read it."""
    reader = PdfReader(io.BytesIO(dossier_made_once[0]))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


@pytest.mark.slow
def test_the_summary_shows_the_course_of_conduct(dossier):
    _, text = dossier
    assert "3 incidents between" in text
    assert "16 contacts when each call or message is counted" in text
    assert "Since then: 2 incidents (15 contacts)" in text
    assert "reportnumberCR/2026/0042" in text.replace(" ", "")  # it may wrap at the slash
    assert "Threat to harm or kill: 1" in text


def test_it_holds_the_exact_words_exhibits_and_every_fingerprint(dossier, dossier_made_once):
    _, fingerprints = dossier_made_once
    _, text = dossier
    assert "You can't ignore me forever." in text
    assert "Do not contact me again." in text
    assert "Exhibit 1" in text and "Exhibit 2" in text
    assert len(fingerprints) == 2
    for sha256 in fingerprints:
        # Long hashes may wrap across lines; compare without spaces.
        assert sha256 in text.replace(" ", "")


def test_pages_are_numbered_and_the_document_has_bookmarks_and_metadata(dossier):
    reader, _ = dossier
    total = len(reader.pages)
    assert f"Page 1 of {total}" in reader.pages[0].extract_text()
    assert f"Page {total} of {total}" in reader.pages[-1].extract_text()
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[:4] == ["Cover", "Summary", "Background", "Chronological log"]
    assert "Exhibits" in titles and "Integrity and statement" in titles
    # The viewer's title bar shows the neutral site name, not what the document is about.
    assert reader.metadata.title == settings.SITE_TITLE
    assert "Stalking" not in reader.metadata.title
    assert reader.metadata.author == "alice"


@pytest.mark.slow
def test_the_paper_size_can_be_letter(alice, case_log, tmp_path, dossier):
    a4, _ = dossier
    letter, _ = _render(alice, tmp_path, paper="Letter")
    assert round(float(a4.pages[0].mediabox.width)) == 595
    assert round(float(letter.pages[0].mediabox.width)) == 612


@pytest.mark.slow
def test_the_short_version_lists_incidents_one_line_each(alice, case_log, tmp_path):
    reader, text = _render(alice, tmp_path, short=True)
    assert "Incidents, one line each" in text
    assert "Chronological log" not in text
    assert len(reader.pages) <= 4


@pytest.mark.slow
def test_effects_and_images_can_be_left_out(alice, case_log, tmp_path, dossier):
    full, full_text = dossier
    bare, bare_text = _render(alice, tmp_path, include_effects=False, include_images=False)
    assert "I could not sleep." in full_text and "I could not sleep." not in bare_text
    assert sum(len(page.images) for page in full.pages) >= 2
    assert sum(len(page.images) for page in bare.pages) == 0
    assert "Exhibits: 1" in bare_text  # still listed


@pytest.mark.slow
def test_a_period_leaves_out_what_happened_outside_it(alice, case_log, tmp_path):
    since = timezone.localdate() - timedelta(days=15)
    _, text = _render(alice, tmp_path, date_from=since)
    assert "At my door" in text
    assert "Fourteen calls in one evening." not in text


@pytest.mark.slow
def test_html_in_a_description_is_printed_as_text(alice, tmp_path):
    make_incident(alice, description="<b>bold</b> & <script>alert(1)</script>")
    _, text = _render(alice, tmp_path)
    assert "<b>bold</b> & <script>alert(1)</script>" in text


def test_a_dossier_of_someone_elses_case_cannot_be_made(alice, mallory, tmp_path):
    mallorys_case = Case.objects.owned_by(mallory).get()
    with pytest.raises(Case.DoesNotExist):
        render_dossier(alice, DossierOptions(case=str(mallorys_case.uuid)), tmp_path / "x.pdf")


class CountingServer:
    """A local socket that counts every connection made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def stop(self):
        self.running = False
        self.thread.join()
        self.sock.close()


ATTACKS = [
    '<img src="http://127.0.0.1:{port}/x">',
    '<link rel="attachment" href="file:///etc/passwd">',
    '<style>@import url("http://127.0.0.1:{port}/a.css"); '
    'body {{ background: url("http://127.0.0.1:{port}/b.png") }}</style>',
    '<div style="background: url(http://127.0.0.1:{port}/c.png)">x</div>',
]


@pytest.mark.slow
def test_user_text_that_tries_to_fetch_makes_no_connection(alice, tmp_path):
    server = CountingServer()
    try:
        for attack in ATTACKS:
            make_incident(alice, description=attack.format(port=server.port))
        reader, _ = _render(alice, tmp_path)
    finally:
        server.stop()
    assert server.connections == 0
    assert not reader.attachments
    assert sum(len(page.images) for page in reader.pages) == 0


def test_even_unescaped_markup_cannot_fetch_anything(tmp_path):
    """If a template ever let markup through, the fetcher still refuses all but its list."""
    server = CountingServer()
    try:
        html = "<html><body>" + "".join(a.format(port=server.port) for a in ATTACKS) + "</body>"
        pdf = draw_part(html, allowed={})
    finally:
        server.stop()
    reader = PdfReader(io.BytesIO(pdf))
    assert server.connections == 0
    assert not reader.attachments
    assert "root:" not in reader.pages[0].extract_text()


@pytest.mark.slow
def test_making_it_again_redraws_only_what_changed(alice, case_log, tmp_path):
    stages = []
    case, _ = case_log
    options = DossierOptions(case=str(case.uuid))
    render_dossier(alice, options, tmp_path / "a.pdf", lambda p, s: stages.append(s))
    first = [s for s in stages if s.startswith("Drawing pages")][-1]
    stages.clear()
    make_incident(alice, description="One more")
    render_dossier(alice, options, tmp_path / "b.pdf", lambda p, s: stages.append(s))
    again = [s for s in stages if s.startswith("Drawing pages")][-1]
    drawn_first = int(first.split("of ")[1].rstrip(")"))
    drawn_again = int(again.split("of ")[1].rstrip(")"))
    assert drawn_again < drawn_first


@pytest.mark.slow
def test_exhibit_numbers_stay_fixed_once_a_dossier_has_cited_them(alice, case_log, tmp_path):
    case, files = case_log
    _render(alice, tmp_path)
    earliest = make_incident(alice, occurred_at=timezone.now() - timedelta(days=60))
    late_file = evidence_add(case=case, attached_to=earliest, upload=_png("black"))
    numbers = dict(case.evidence.values_list("id", "exhibit_number"))
    # The files already handed over keep 1 and 2; the new one, though older, comes after them.
    assert [numbers[f.id] for f in files] == [1, 2]
    assert numbers[late_file.id] == 3


def test_no_page_is_left_blank(dossier):
    reader, _ = dossier
    # Each page has more than its running header and page number.
    words = [len(page.extract_text().split()) for page in reader.pages]
    assert min(words) > 12, words
