"""Document and recording exhibits in the dossier.

A PDF exhibit's own pages go into the dossier straight after its exhibit header, each placed
whole on a dossier page (scaled down if need be, never redrawn) and stamped in the top margin
with "Exhibit N, page k of m". Recordings are listed with their length, read from their headers.
Originals are only ever read: the pages are copied from a copy in memory whose SHA-256 is
checked against the one taken at upload.
"""

import hashlib
from io import BytesIO

from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
)

from .evidence import evidence_storage, stored_media_duration
from .models import Evidence

# A longer document is shown in part; all of it is in the evidence package.
MAX_DOCUMENT_PAGES = 200
# Room kept free around an exhibit's page, in points: the stamp above, the page number below.
SIDE, TOP, BOTTOM = 36, 54, 44
STAMP_FONT = NameObject("/StalkerLogStamp")


class DocumentUnreadable(Exception):
    """A PDF exhibit whose pages cannot be shown; the message says why, for the reader."""


def prepare_documents(exhibits: list[Evidence]) -> None:
    """Note on each document how many of its pages the dossier shows (`document_pages`,
    `document_shown`) or why none (`document_problem`), and on each recording its length."""
    for item in exhibits:
        if item.kind == Evidence.Kind.PDF:
            item.document_pages, item.document_shown, item.document_problem = 0, 0, ""
            try:
                item.document_pages = len(_open(item).pages)
            except DocumentUnreadable as problem:
                item.document_problem = str(problem)
            item.document_shown = min(item.document_pages, MAX_DOCUMENT_PAGES)
        elif item.kind in (Evidence.Kind.AUDIO, Evidence.Kind.VIDEO):
            item.duration = stored_media_duration(item)  # in memory only, for the page


def _open(item: Evidence) -> PdfReader:
    """The exhibit's PDF, read from a checked copy of the original."""
    try:
        with evidence_storage().open(item.stored_name, "rb") as original:
            data = original.read()
    except OSError:
        raise DocumentUnreadable(_("The original file is missing on the server.")) from None
    if hashlib.sha256(data).hexdigest() != item.sha256:
        raise DocumentUnreadable(_("The file on the server no longer matches its fingerprint."))
    try:
        reader = PdfReader(BytesIO(data))
        # Many PDFs are encrypted only to limit printing or copying, and open without a password.
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentUnreadable(_("The PDF is protected by a password."))
        if not reader.pages:
            raise DocumentUnreadable(_("The PDF has no pages."))
        return reader
    except DocumentUnreadable:
        raise
    # A damaged file can make pypdf fail in many ways; none of them may stop the dossier.
    except Exception:
        raise DocumentUnreadable(_("The PDF cannot be read; it may be damaged.")) from None


def append_document(writer: PdfWriter, item: Evidence) -> int:
    """Add the exhibit's pages at the end of `writer`, on pages the size of the last one there,
    each stamped. Returns how many were added (none if the file became unreadable since)."""
    try:
        source = _open(item)
    except DocumentUnreadable:
        return 0
    width = float(writer.pages[-1].mediabox.width)
    height = float(writer.pages[-1].mediabox.height)
    font = writer._add_object(_font())
    for k in range(1, item.document_shown + 1):
        form, (shown_width, shown_height), placing = _as_form(writer, source.pages[k - 1])
        # Scaled down to fit inside the margins if need be (never up), and centred.
        room_width, room_height = width - 2 * SIDE, height - TOP - BOTTOM
        scale = min(room_width / shown_width, room_height / shown_height, 1.0)
        frame = (
            (width - shown_width * scale) / 2,
            BOTTOM + (room_height - shown_height * scale) / 2,
            shown_width * scale,
            shown_height * scale,
        )
        placing = placing.scale(scale).translate(frame[0], frame[1])
        label = _("Exhibit %(number)s, page %(page)s of %(pages)s") % {
            "number": item.exhibit_number,
            "page": k,
            "pages": item.document_pages,
        }
        sheet = writer.add_blank_page(width, height)
        _draw(writer, sheet, form, placing, font, frame, label)
    return item.document_shown


def _as_form(writer: PdfWriter, page) -> tuple[object, tuple[float, float], Transformation]:
    """The page as a form XObject in `writer` (its drawing copied as it is, cut to what a viewer
    sees), its size as shown (turned as the page says), and the transformation that puts it
    upright with its lower left corner at the origin."""
    box = page.cropbox
    left, bottom = float(box.left), float(box.bottom)
    w, h = float(box.width), float(box.height)
    contents = page.get(NameObject("/Contents"))
    parts = []
    if contents is not None:
        found = contents.get_object()
        parts = list(found) if isinstance(found, list) else [found]
    form = _stream(b"\n".join(part.get_object().get_data() for part in parts)).flate_encode()
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(
        FloatObject(v) for v in (left, bottom, left + w, bottom + h)
    )
    resources = page.get(NameObject("/Resources"))
    if resources is not None:
        form[NameObject("/Resources")] = resources.get_object().clone(writer)
    # A viewer shows the page turned clockwise by /Rotate degrees.
    rotation = page.rotation % 360
    turned = {0: (0, 0), 90: (0, w), 180: (w, h), 270: (h, 0)}[rotation]
    placing = Transformation().translate(-left, -bottom).rotate(-rotation).translate(*turned)
    size = (h, w) if rotation in (90, 270) else (w, h)
    return writer._add_object(form), size, placing


def _draw(writer, sheet, form, placing: Transformation, font, frame, label: str) -> None:
    """Draw the form on the sheet where `placing` puts it, outline it, label it above."""
    x, y, w, h = frame
    matrix = " ".join(f"{v:.4f}" for v in placing.ctm).encode()
    drawing = (
        b"q %s cm /StalkerLogExhibit Do Q\n"
        b"q 0.6 G 0.5 w %.2f %.2f %.2f %.2f re S Q\n"
        b"q BT /StalkerLogStamp 9 Tf 0.1 g %.2f %.2f Td (%s) Tj ET Q\n"
    ) % (matrix, x, y, w, h, SIDE, y + h + 8, _pdf_text(label))
    sheet[NameObject("/Resources")] = DictionaryObject(
        {
            NameObject("/XObject"): DictionaryObject({NameObject("/StalkerLogExhibit"): form}),
            NameObject("/Font"): DictionaryObject({STAMP_FONT: font}),
        }
    )
    sheet[NameObject("/Contents")] = writer._add_object(_stream(drawing))


def _pdf_text(label: str) -> bytes:
    """A label as a PDF string in WinAnsi (the standard fonts' encoding), specials escaped."""
    raw = label.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _font() -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica-Bold"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream
