"""Request bodies are bounded before anything reads them.

Django starts reading a body the first time something asks for `request.POST` (the CSRF check
does, for every POST), and spools uploaded files to FILE_UPLOAD_TEMP_DIR as it goes; gunicorn
reads nothing ahead of the app. So this middleware, which runs before any of that, is where a
body that is too long can be refused with nothing of it written anywhere: on its Content-Length,
and for a body sent without one (chunked), while it is read, at the first byte past the limit.

Visitors who are not signed in need only a few kilobytes (the sign-in and setup forms), so they
get ANONYMOUS_MAX_REQUEST_KB; a signed-in account may send up to EVIDENCE_MAX_REQUEST_MB.
"""

import tempfile

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MIB = 1024 * 1024
CHUNK = 64 * 1024


def body_limit(request: HttpRequest) -> int:
    """The largest body, in bytes, this request may carry."""
    if request.user.is_authenticated:
        if request.path_info == reverse("message_import_new"):
            # A phone's export runs to gigabytes; the import reads it as a stream.
            return (
                max(settings.MESSAGE_IMPORT_MAX_FILE_MB + 1, settings.EVIDENCE_MAX_REQUEST_MB) * MIB
            )
        return settings.EVIDENCE_MAX_REQUEST_MB * MIB
    return settings.ANONYMOUS_MAX_REQUEST_KB * 1024


def declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META["CONTENT_LENGTH"])
    except (KeyError, TypeError, ValueError):
        return None


def is_unsized(request: HttpRequest) -> bool:
    """A body sent in chunks, without a length, by a server that ends the stream after it
    (gunicorn does; Django's own development server does not take such bodies at all)."""
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    return chunked and bool(request.META.get("wsgi.input_terminated"))


class RequestBodyLimitMiddleware:
    """Refuse a request body over the caller's limit with 413 before it is read or spooled.

    Placed right after the authentication middleware (the limit depends on who is signed in)
    and before anything that reads the body: the CSRF check reads it in process_view, which
    runs only after every middleware's request phase.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        limit = body_limit(request)
        length = declared_length(request)
        if length is not None and length > limit:
            return too_large(request, limit)
        kept = None
        if length is None and is_unsized(request):
            kept = take_unsized_body(request, limit)
            if kept is None:
                return too_large(request, limit)
        response = self.get_response(request)
        if kept is not None:
            response._resource_closers.append(kept.close)
        return response


def take_unsized_body(request: HttpRequest, limit: int):
    """Read a body that came without a length, counting as it comes, into memory (or past
    FILE_UPLOAD_MAX_MEMORY_SIZE a temporary file); None, with what was read thrown away, at the
    first byte over the limit. Otherwise Django is given the body with its length, as it reads
    no body that lacks one. A body under the anonymous limit never reaches the disk."""
    source = request.META["wsgi.input"]
    kept = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed with the response)
        max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR
    )
    size = 0
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if size > limit:
            kept.close()
            return None
        kept.write(chunk)
    kept.seek(0)
    request.META["CONTENT_LENGTH"] = str(size)
    request._stream = LimitedStream(kept, size)  # what WSGIRequest reads its body from
    return kept


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    """The 413 answer: a page, or for the upload script the JSON it reads its reasons from."""
    if request.user.is_authenticated:
        megabytes = limit // MIB
        message = ngettext(
            "That was more than %(mb)d MB at once. Send the files in smaller groups.",
            "That was more than %(mb)d MB at once. Send the files in smaller groups.",
            megabytes,
        ) % {"mb": megabytes}
    else:
        message = _("That was more than this page accepts.")
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"kept": [], "problems": [message]}, status=413)
    return render(request, "413.html", {"message": message}, status=413)
