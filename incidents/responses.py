"""How private files leave the server: only after an owner check, never cached, never sniffed.

An original on local disk is streamed by Django (or handed to nginx or Apache). An original in
a bucket (EVIDENCE_STORAGE=s3) is reached through a redirect to a signed link that expires
within seconds (AWS_QUERYSTRING_EXPIRE) and tells the store the name, type and caching to send.
"""

import functools
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

from .evidence import evidence_storage

# Nothing in a served file may run scripts, load anything or be framed by another site.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'"
# An image opened on its own is shown by the browser in a page of its own making, which centres
# it with inline styles; allowing those (scripts stay off) keeps the console free of errors.
IMAGE_CSP = f"{FILE_CSP}; style-src 'unsafe-inline'"
NO_STORE = "private, no-store"


def private_file_response(
    source: str | Path, *, content_type: str, filename: str, inline: bool
) -> HttpResponse:
    """Serve an original (a name in the evidence storage) or a derived image (a Path)."""
    disposition = content_disposition_header(not inline, filename)
    local_path = _local_path(source)
    if local_path is None:
        link = signed_link(source, content_type=content_type, disposition=disposition)
        if link is not None:
            return _redirect(link)
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
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = NO_STORE
    shown_image = inline and content_type.startswith("image/")
    response["Content-Security-Policy"] = IMAGE_CSP if shown_image else FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


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


def _local_path(source: str | Path) -> Path | None:
    if isinstance(source, Path):
        return source
    storage = evidence_storage()
    # Only a file system storage's path() names a real file: InMemoryStorage, for one, answers
    # with a made-up path under MEDIA_ROOT, and S3Storage raises NotImplementedError.
    if isinstance(storage, FileSystemStorage):
        return Path(storage.path(source))
    return None
