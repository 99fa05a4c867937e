"""The custody log's head, to keep a copy of outside the server: shown on the home page and
downloadable as a small text file. A head written down elsewhere is what shows, later, that the
record kept here was not rewritten (`manage.py verify_chain --head`)."""

from datetime import UTC

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import custody

HEAD_TEXT = _(
    "StalkerLog custody log head\n"
    "\n"
    "{head}\n"
    "\n"
    "Written down on {when} (UTC).\n"
    "\n"
    "Keep this file somewhere other than the server (your e-mail, a USB stick, a trusted\n"
    "person). If the record on the server were ever rewritten, it would no longer hold this\n"
    "entry: whoever runs the server can check with\n"
    "  python manage.py verify_chain --head {head}\n"
)


def head_download(request):
    """The head as a small text file, with the time it was read."""
    head = custody.chain_head()
    when = timezone.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    response = HttpResponse(
        str(HEAD_TEXT).format(head=head, when=when).replace("\n", "\r\n"),
        content_type="text/plain; charset=utf-8",
    )
    name = f"record-fingerprint-{timezone.localdate():%Y-%m-%d}.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
