"""How private files leave the server: only after an owner check, never cached, never sniffed."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from .evidence import evidence_storage

# Nothing in a served file may run scripts, load anything or be framed by another site.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'"


def private_file_response(
    source: str | Path, *, content_type: str, filename: str, inline: bool
) -> HttpResponse:
    """Serve an original (a name in the evidence storage) or a derived image (a Path)."""
    local_path = _local_path(source)
    if settings.EVIDENCE_SENDFILE and local_path is not None:
        response = HttpResponse(content_type=content_type)
        if settings.EVIDENCE_SENDFILE == "nginx":
            relative = local_path.relative_to(settings.DATA_DIR).as_posix()
            response["X-Accel-Redirect"] = settings.EVIDENCE_ACCEL_PREFIX + relative
        else:
            response["X-Sendfile"] = str(local_path)
    else:
        opened = open(local_path, "rb") if local_path else evidence_storage().open(source, "rb")  # noqa: SIM115 (FileResponse closes it)
        response = FileResponse(opened, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _local_path(source: str | Path) -> Path | None:
    if isinstance(source, Path):
        return source
    try:
        return Path(evidence_storage().path(source))
    except NotImplementedError:  # object storage: no local path to hand over
        return None
