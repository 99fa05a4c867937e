"""How private files leave the server: only after an owner check, never cached, never sniffed.

An original on local disk is streamed by Django (or handed to nginx or Apache). An original in
a bucket (EVIDENCE_STORAGE=s3) is reached through a redirect to a signed link that expires
within seconds (AWS_QUERYSTRING_EXPIRE) and tells the store the name, type and caching to send.

Streamed files honour a single `Range` (206 with `Content-Range`, 416 when it lies past the
end), so players can seek; nginx, Apache and the bucket answer ranges themselves.
"""

import functools
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import content_disposition_header

from .evidence import CHUNK_SIZE, evidence_storage

# Nothing in a served file may run scripts, load anything or be framed by another site. The
# browser's own image and PDF viewers style the page they draw a file in with inline styles:
# allowed, as styles in a sandbox without scripts and with nothing to load from elsewhere can
# neither run nor send anything (without it, every image opened on its own logs CSP errors).
FILE_CSP = (
    "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"
)
NO_STORE = "private, no-store"


def private_file_response(
    request,
    source: str | Path,
    *,
    content_type: str,
    filename: str,
    inline: bool,
    etag: str,
    sendfile: bool = True,
) -> HttpResponse:
    """Serve an original (a name in the evidence storage) or a derived image (a Path), whole or
    the one range asked for. `etag` is the file's SHA-256, which `If-Range` is compared with.
    `sendfile=False` streams it here even with EVIDENCE_SENDFILE (a front server's internal
    redirect keeps the method, and it serves files to GET only: a share link's POST)."""
    disposition = content_disposition_header(not inline, filename)
    path = local_path(source)
    if path is None:
        link = signed_link(source, content_type=content_type, disposition=disposition)
        if link is not None:
            return _redirect(link)
    if settings.EVIDENCE_SENDFILE and sendfile and path is not None:
        response = HttpResponse(content_type=content_type)
        if settings.EVIDENCE_SENDFILE == "nginx":
            relative = path.relative_to(settings.DATA_DIR).as_posix()
            response["X-Accel-Redirect"] = settings.EVIDENCE_ACCEL_PREFIX + relative
        else:
            response["X-Sendfile"] = str(path)
    else:
        opened = open(path, "rb") if path else evidence_storage().open(source, "rb")  # noqa: SIM115 (the response closes it)
        response = _streamed(request, opened, content_type=content_type, etag=etag)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = f'"{etag}"'
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = NO_STORE
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def sends_bytes(request, response: HttpResponse) -> bool:
    """Whether a response hands the file out: streamed, passed to the front server, or through a
    signed link; not a HEAD request, nor a range past the end. (A share link's recipient asks
    with POST, so that the link's token never stands in an address.)"""
    return request.method in ("GET", "POST") and response.status_code in (200, 206, 302)


# bytes=START-END, bytes=START- or bytes=-SUFFIX; several ranges at once are answered whole.
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def requested_range(request, size: int, etag: str) -> tuple[int, int] | bool | None:
    """The (first, last) byte asked for; None for the whole file (no Range, one that cannot be
    read, or an `If-Range` for another version); False when it lies wholly past the end."""
    header = request.headers.get("Range", "").replace(" ", "")
    match = RANGE.match(header)
    if request.method != "GET" or not match or match.groups() == ("", ""):
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != f'"{etag}"':
        return None
    start, end = match.groups()
    if not start:  # the last SUFFIX bytes
        suffix = int(end)
        return (max(size - suffix, 0), size - 1) if suffix and size else False
    first = int(start)
    last = min(int(end), size - 1) if end else size - 1
    if first >= size:
        return False
    return None if last < first else (first, last)


def _streamed(request, opened, *, content_type: str, etag: str) -> HttpResponse:
    size = _size(opened)
    wanted = requested_range(request, size, etag)
    if wanted is None:
        return FileResponse(opened, content_type=content_type)
    if wanted is False:
        opened.close()
        response = HttpResponse(status=416, content_type="text/plain")
        response["Content-Range"] = f"bytes */{size}"
        return response
    first, last = wanted
    opened.seek(first)
    response = StreamingHttpResponse(
        _read(opened, last - first + 1), status=206, content_type=content_type
    )
    response["Content-Length"] = str(last - first + 1)
    response["Content-Range"] = f"bytes {first}-{last}/{size}"
    return response


def _size(opened) -> int:
    try:
        return os.fstat(opened.fileno()).st_size
    except (AttributeError, OSError, ValueError):  # a file in a bucket, not on this disk
        return opened.size


def _read(opened, length: int):
    try:
        while length > 0:
            chunk = opened.read(min(CHUNK_SIZE, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        opened.close()


def signed_link(name: str, *, content_type: str, disposition: str) -> str | None:
    """A short-lived signed link to an original in a bucket, or None when the evidence storage
    cannot make one (the file is then streamed through the app instead)."""
    storage = evidence_storage()
    if not _signs_links(storage):
        return None
    # The store sends these in place of what it holds, so the browser gets the exhibit's name,
    # its detected type, a download for anything but the inline allow-list, and no caching.
    overrides = {
        "ResponseContentType": content_type,
        "ResponseContentDisposition": disposition,
        "ResponseCacheControl": NO_STORE,
    }
    return storage.url(name, parameters=overrides, expire=storage.querystring_expire)


def bucket_origin() -> str | None:
    """Where signed links point (scheme and host), or None when originals are not in a bucket.
    Pages let audio and video players follow the redirect there, and nowhere else."""
    return _origin(evidence_storage())


@functools.lru_cache(maxsize=1)
def _origin(storage) -> str | None:
    if not _signs_links(storage):
        return None
    link = urlsplit(storage.url("originals/origin-probe"))  # signed here, no network
    return f"{link.scheme}://{link.netloc}"


def _signs_links(storage) -> bool:
    try:  # only installed with requirements-s3.txt; imported only for a non-local storage
        from storages.backends.s3 import S3Storage
    except ImportError:
        return False
    # A custom domain gives plain, unsigned links: stream through the app rather than use one.
    return isinstance(storage, S3Storage) and storage.querystring_auth and not storage.custom_domain


def _redirect(link: str) -> HttpResponse:
    response = HttpResponseRedirect(link)
    response["Cache-Control"] = NO_STORE
    # The store need not learn which page of the app the link came from.
    response["Referrer-Policy"] = "no-referrer"
    return response


def local_path(source: str | Path) -> Path | None:
    if isinstance(source, Path):
        return source
    storage = evidence_storage()
    # Only a file system storage's path() names a real file: InMemoryStorage, for one, answers
    # with a made-up path under MEDIA_ROOT, and S3Storage raises NotImplementedError.
    if isinstance(storage, FileSystemStorage):
        return Path(storage.path(source))
    return None
