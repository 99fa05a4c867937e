"""Drawing the dossier with WeasyPrint.

The dossier is cut into parts (cover, summary, background, one part per month of the log,
exhibits in groups, appendix). Each part is drawn on its own, on every core at once, and kept
in a per-user cache keyed by its exact content, so a dossier made again after one new incident
redraws only the parts that changed. Every exhibit is checked against its fingerprint first
(`integrity.check_exhibits`), and all drawing happens in child processes under the time and
memory limits of `render_limits`. pypdf then joins the parts, puts each PDF exhibit's own pages
after its header (pdf_documents.py), numbers the pages ("Page 3 of 120"), adds bookmarks and the
document's metadata.

WeasyPrint fetches nothing but the dossier's own display images, through `AllowListFetcher`:
no network, no files outside the list, no redirects. User text is escaped by the templates.
"""

import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import jurisdictions
from .dossier import DossierData, DossierOptions, dossier_data
from .dossier_messages import transcript_chunks
from .evidence import derived_file, make_derived
from .integrity import check_exhibits
from .models import Evidence, User
from .pdf_documents import append_document, prepare_documents
from .render_limits import in_limited_processes, remaining, time_limit

FETCH_SCHEME = "stalkerlog"
EXHIBITS_PER_PART = 20
CHANGES_PER_PART = 30
PRINT_VARIANTS = ("thumbnail", "print")

Progress = Callable[[int, str], None]


class AllowListFetcher(URLFetcher):
    """Hands WeasyPrint the listed images and refuses everything else."""

    def __init__(self, allowed: dict[str, str]):
        super().__init__(allowed_protocols=[FETCH_SCHEME], allow_redirects=False)
        self.allowed = allowed

    def fetch(self, url, headers=None):
        path = self.allowed.get(url)
        if path is None:
            raise ValueError("Not part of this dossier.")
        return URLFetcherResponse(
            url, body=Path(path).read_bytes(), headers={"Content-Type": "image/jpeg"}
        )


@dataclass(frozen=True)
class Part:
    title: str  # its bookmark
    html: str
    group: str = ""  # the bookmark it sits under, if any
    # PDF exhibits whose own pages follow their header, each with the number of the exhibit
    # after it in this part (whose header starts a new page), or None for the last one.
    documents: tuple = ()


@dataclass(frozen=True)
class RenderResult:
    pages: int
    size: int
    custody_head: str = ""  # the head on its cover (an evidence package's case.json repeats it)


def render_dossier(
    user: User, options: DossierOptions, out: Path, progress: Progress = lambda p, s: None
) -> RenderResult:
    """Write the dossier to `out`, atomically, within the render's time and memory limits
    (RenderLimitReached if not). Call with the user's time zone active."""
    with time_limit():
        progress(2, _("Gathering the records"))
        data = dossier_data(user, options)
        progress(5, _("Checking the files"))
        images = options.include_images and not options.short
        variants = PRINT_VARIANTS if images else ()
        check_exhibits(data.exhibits, variants=variants, run=_in_parallel)
        progress(8, _("Preparing the images"))
        allowed = _prepare_images(data)
        if not options.short:
            prepare_documents(data.exhibits)
        parts = dossier_parts(data)
        pdfs = render_parts(parts, allowed, _cache_dir(user), progress)
        remaining()
        progress(92, _("Numbering the pages"))
        return assemble(parts, pdfs, data, out)


# --- parts -------------------------------------------------------------------------------------


def _image_url(item, variant: str) -> str:
    return f"{FETCH_SCHEME}://evidence/{item.uuid}/{variant}"


def _prepare_images(data: DossierData) -> dict[str, str]:
    """Make sure every display image exists (in parallel), and list the URLs the dossier may
    fetch."""
    allowed = {}
    if not data.options.include_images or data.options.short:
        return allowed
    missing = []
    for item in data.exhibits:
        if not item.is_image or getattr(item, "file_problem", ""):
            continue  # a changed or missing original is described, not drawn
        item.thumb_url = _image_url(item, "thumbnail")
        item.print_url = _image_url(item, "print")
        for variant, url in (("thumbnail", item.thumb_url), ("print", item.print_url)):
            allowed[url] = str(derived_file(item, variant))
        if not all(derived_file(item, v).exists() for v in PRINT_VARIANTS):
            missing.append(item)
    list(_in_parallel(_make_print_images, [(item,) for item in missing]))
    return allowed


def _make_print_images(item) -> None:
    make_derived(item, list(PRINT_VARIANTS))


def _in_parallel(function, calls: list[tuple]):
    """Yield function(*args) for each call, in order, in child processes under the render's
    time and memory limits."""
    return in_limited_processes(function, calls)


def dossier_parts(data: DossierData) -> list[Part]:
    """The dossier as separate HTML documents, in reading order."""
    options = data.options
    for ref, incident in enumerate(data.incidents, start=1):
        incident.ref = ref
        incident.cites = _citations(incident)
    refs = {incident.id: incident.ref for incident in data.incidents}
    for item in data.exhibits:
        item.incident_ref = refs.get(item.incident_id)
    base = {
        "data": data,
        "paper": options.paper,
        "SITE_TITLE": settings.SITE_TITLE,
        "legal": jurisdictions.current(),  # the legal words of the owner's system
    }
    parts = [
        Part(_("Cover"), render_to_string("pdf/cover.html", base)),
        Part(_("Summary"), render_to_string("pdf/summary.html", base)),
    ]
    changes = _changes_parts(data, base)
    if options.short:
        parts.append(Part(_("Incidents"), render_to_string("pdf/log_short.html", base)))
        parts += changes
        return parts
    parts.append(Part(_("Background"), render_to_string("pdf/background.html", base)))
    if data.communications.any:
        html = render_to_string("pdf/communications.html", base)
        parts.append(Part(_("Messages and calls"), html))
    for i, month in enumerate(data.months):
        context = {
            **base,
            "month": month,
            "first_month": i == 0,
            "include_effects": options.include_effects,
            "include_images": options.include_images,
        }
        html = render_to_string("pdf/log.html", context)
        parts.append(Part(month.title, html, group=_("Chronological log")))
    parts += _exhibit_parts(data, base)
    parts += _transcript_parts(data, base)
    parts += changes
    parts.append(Part(_("Integrity and statement"), render_to_string("pdf/appendix.html", base)))
    return parts


def _exhibit_parts(data: DossierData, base: dict) -> list[Part]:
    """The exhibits: the exported files first, one line each (their contents are the
    transcript appendix), then every other exhibit on its own page, in groups drawn apart."""
    exports = [item for item in data.exhibits if item.kind == Evidence.Kind.MESSAGES]
    others = [item for item in data.exhibits if item.kind != Evidence.Kind.MESSAGES]
    parts = []
    if exports:
        sources = {source.exhibit_number: source for source in data.communications.sources}
        for item in exports:
            item.transcript_source = sources.get(item.exhibit_number)
        context = {**base, "items": exports}
        html = render_to_string("pdf/export_files.html", context)
        parts.append(Part(_("Phone export files"), html, group=_("Exhibits")))
    for start in range(0, len(others), EXHIBITS_PER_PART):
        items = others[start : start + EXHIBITS_PER_PART]
        context = {
            **base,
            "items": items,
            "first_chunk": start == 0 and not exports,
            "include_images": data.options.include_images,
        }
        title = _("Exhibits %(first)s to %(last)s") % {
            "first": items[0].exhibit_number,
            "last": items[-1].exhibit_number,
        }
        html = render_to_string("pdf/exhibits.html", context)
        following = [item.exhibit_number for item in items[1:]] + [None]
        documents = tuple(
            (item, after)
            for item, after in zip(items, following, strict=True)
            if getattr(item, "document_shown", 0)
        )
        parts.append(Part(title, html, group=_("Exhibits"), documents=documents))
    return parts


def _transcript_parts(data: DossierData, base: dict) -> list[Part]:
    """The transcript of imported messages and calls, in groups drawn (and cached) apart."""
    chunks = transcript_chunks(data.communications)
    parts = []
    for number, items in enumerate(chunks):
        context = {**base, "items": items, "first_chunk": number == 0}
        html = render_to_string("pdf/transcript.html", context)
        title = date_format(items[0].at, "SHORT_DATE_FORMAT")
        parts.append(Part(title, html, group=_("Transcript of messages and calls")))
    return parts


def _citations(incident) -> list[tuple[int, list[int]]]:
    """(exhibit, item numbers in it) for the imported messages and calls an incident cites."""
    by_exhibit: dict[int, list[int]] = {}
    for item in [*incident.messages.all(), *incident.calls.all()]:
        if item.deleted_at is None:
            by_exhibit.setdefault(item.source.source.exhibit_number, []).append(item.element)
    return [(exhibit, sorted(elements)) for exhibit, elements in sorted(by_exhibit.items())]


def _changes_parts(data: DossierData, base: dict) -> list[Part]:
    """The changes appendix, in groups of records: drawn in parallel, and one amendment
    redraws only its group."""
    changes = data.changes
    starts = range(0, len(changes), CHANGES_PER_PART) or [0]
    parts = []
    for start in starts:
        items = changes[start : start + CHANGES_PER_PART]
        context = {
            **base,
            "items": items,
            "first_chunk": start == 0,
            "last_chunk": start + CHANGES_PER_PART >= len(changes),
        }
        title = items[0]["title"] if items else _("Changes to the record")
        html = render_to_string("pdf/changes.html", context)
        parts.append(Part(title, html, group=_("Changes to the record")))
    return parts


# --- drawing -----------------------------------------------------------------------------------


def _cache_dir(user: User) -> Path:
    return settings.DATA_DIR / "cache" / "dossier" / str(user.pk)


IMAGE_URL = re.compile(rf"{FETCH_SCHEME}://evidence/[0-9a-f-]+/[a-z]+")


def _cache_key(html: str) -> str:
    # The images' URLs name their file, and a display image never changes once made.
    return hashlib.sha256(html.encode()).hexdigest()


def draw_part(html: str, allowed: dict[str, str]) -> bytes:
    """One part as PDF bytes. Runs in a worker process."""
    used = {url: allowed[url] for url in set(IMAGE_URL.findall(html)) if url in allowed}
    return HTML(string=html, url_fetcher=AllowListFetcher(used)).write_pdf()


def render_parts(
    parts: list[Part], allowed: dict[str, str], cache: Path, progress: Progress
) -> list[bytes]:
    """Draw the parts not in the cache (in parallel) and return every part's PDF."""
    cache.mkdir(parents=True, exist_ok=True)
    keys = [_cache_key(part.html) for part in parts]
    missing = [i for i, key in enumerate(keys) if not (cache / f"{key}.pdf").exists()]
    # The longest parts first, so that no core sits idle at the end.
    missing.sort(key=lambda i: -len(parts[i].html))
    calls = [(parts[i].html, allowed) for i in missing]
    drawn = zip(missing, _in_parallel(draw_part, calls), strict=True)
    for done, (i, pdf) in enumerate(drawn, start=1):
        _write_atomically(cache / f"{keys[i]}.pdf", pdf)
        share = done / max(len(missing), 1)
        progress(
            10 + int(80 * share),
            _("Drawing pages (%(done)s of %(total)s)") % {"done": done, "total": len(missing)},
        )
    for key in keys:
        os.utime(cache / f"{key}.pdf")  # recently used
    _forget_unused(cache)
    return [(cache / f"{key}.pdf").read_bytes() for key in keys]


def _write_atomically(path: Path, content: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    os.replace(tmp, path)


# --- assembling --------------------------------------------------------------------------------


def assemble(parts: list[Part], pdfs: list[bytes], data: DossierData, out: Path) -> RenderResult:
    """Join the parts, number the pages, add bookmarks and metadata, write `out` atomically."""
    writer = PdfWriter()
    starts, inserted = [], []
    for part, pdf in zip(parts, pdfs, strict=True):
        starts.append(len(writer.pages))
        inserted.append(_append_part(writer, PdfReader(BytesIO(pdf)), part.documents))
    _number_pages(
        writer,
        note=str(DEMO_NOTE) if data.case.is_demo else "",
        shared_with=data.options.shared_with,
    )
    _add_bookmarks(writer, parts, starts, inserted)
    writer.add_metadata(
        {
            # What a PDF viewer shows in its title bar or tab: the site's neutral name, so a
            # glance at the screen says no more than the browser tab does.
            "/Title": settings.SITE_TITLE,
            "/Author": data.prepared_by,
            "/Subject": _("Record of unwanted contact, with exhibits"),
            "/Creator": "StalkerLog",
            # The cover's head, where the package's verify.py can read it (see custody_proof):
            # letters, digits and spaces only, which a PDF keeps as they are.
            "/Keywords": f"custody head {h.sequence} {h.entry_hash}"
            if (h := data.custody_head)
            else "",
        }
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            writer.write(f)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    size = out.stat().st_size
    return RenderResult(pages=len(writer.pages), size=size, custody_head=str(data.custody_head))


def _append_part(writer: PdfWriter, reader: PdfReader, documents: tuple) -> list[tuple]:
    """Append a part's pages, with each document's own pages straight after its header (before
    the page where the next exhibit's header starts, found by its anchor). Returns where each
    document's pages begin: [(page index, exhibit)]."""
    total = len(reader.pages)
    if not documents:
        writer.append(reader, import_outline=False)
        return []
    anchors = {
        name: reader.get_destination_page_number(destination)
        for name, destination in reader.named_destinations.items()
    }
    done, placed = 0, []
    for item, following in documents:
        end = anchors.get(f"exhibit-{following}", total) if following else total
        if end > done:
            writer.append(reader, pages=(done, end), import_outline=False)
            done = end
        at = len(writer.pages)
        if append_document(writer, item):
            placed.append((at, item))
    if done < total:
        writer.append(reader, pages=(done, total), import_outline=False)
    return placed


def _add_bookmarks(writer: PdfWriter, parts: list[Part], starts: list[int], inserted) -> None:
    """A bookmark per part, under its group's; a document's own pages under its part's."""
    groups = {}
    for part, start, placed in zip(parts, starts, inserted, strict=True):
        parent = None
        if part.group:
            if part.group not in groups:
                groups[part.group] = writer.add_outline_item(title=part.group, page_number=start)
            parent = groups[part.group]
        item = writer.add_outline_item(title=part.title, page_number=start, parent=parent)
        for at, exhibit in placed:
            title = _("Exhibit %(number)s: its pages") % {"number": exhibit.exhibit_number}
            writer.add_outline_item(title=title, page_number=at, parent=item)


# At the foot of every page of a dossier about a demo case, whatever drew the page.
DEMO_NOTE = gettext_lazy("Contains demonstration data: invented, not a real record")


def _number_pages(writer: PdfWriter, *, note: str = "", shared_with: str = "") -> None:
    """ "Page X of Y" at the foot of every page, in a standard PDF font (nothing embedded),
    followed by `note` if there is one, and above it "Shared with <recipient> on
    <date>" on a copy made for a share link."""
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    total = len(writer.pages)
    # Wrap each page's own drawing in q/Q so that ours starts from a clean graphics state.
    save = writer._add_object(_stream(b"q\n"))
    for number, page in enumerate(writer.pages, start=1):
        width = float(page.mediabox.width)
        words = _("Page %(number)s of %(total)s") % {"number": number, "total": total}
        label = _pdf_text(f"{words} - {note}" if note else words)
        x = width / 2 - len(label) * 2.1  # Helvetica 8 pt: about 4.2 pt a character
        text = b"Q\nq BT /StalkerLogPageNumber 8 Tf 0.27 g %.1f 24 Td (%s) Tj ET Q\n" % (x, label)
        if shared_with:
            text += _footer_line(shared_with, width)
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        fonts = resources.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
        fonts[NameObject("/StalkerLogPageNumber")] = font
        contents = page.get(NameObject("/Contents"))
        existing = list(contents.get_object()) if isinstance(contents.get_object(), list) else []
        if not existing and contents is not None:
            existing = [contents]
        stamp = writer._add_object(_stream(text))
        page[NameObject("/Contents")] = ArrayObject([save, *existing, stamp])


def _footer_line(words: str, width: float) -> bytes:
    """One more centred line above the page number, escaped as a PDF string must be."""
    label = _pdf_text(words)
    x = max(width / 2 - len(label) * 2.1, 12)
    return b"q BT /StalkerLogPageNumber 8 Tf 0.27 g %.1f 34 Td (%s) Tj ET Q\n" % (x, label)


def _pdf_text(words: str) -> bytes:
    """Words in the page font's encoding (WinAnsi: accented letters too), escaped for a PDF."""
    label = words.encode("cp1252", errors="replace")
    return label.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def prune_cache(user: User) -> None:
    """Forget all of a user's cached parts (when the account is deleted)."""
    shutil.rmtree(_cache_dir(user), ignore_errors=True)


def _forget_unused(cache: Path) -> None:
    """Parts not used for a month belong to dossiers nobody makes any more."""
    month_ago = time.time() - 30 * 24 * 3600
    for path in cache.glob("*.pdf"):
        if path.stat().st_mtime < month_ago:
            path.unlink(missing_ok=True)
