"""Password guessing (django-axes): where a request comes from, what a refused sign-in looks like,
and forgetting the failures of a user name once its owner signs in."""

from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def client_ip(request: HttpRequest) -> str | None:
    """The address that failures are counted against.

    Behind TRUSTED_PROXY_COUNT proxies, each appends the address it saw to X-Forwarded-For, so
    the real one is that many places from the end; anything before it the client could forge.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def locked_out_response(request, original_response=None, credentials=None) -> HttpResponse:
    """A locked-out sign-in reads exactly like a wrong password, so that a guesser learns
    neither that the account exists nor that guessing has stopped working.

    The sign-in view has already answered with its "did not work" page (axes made the password
    check fail), so that page is the answer. Axes calls this only from the sign-in view.
    """
    if isinstance(original_response, HttpResponse):
        return original_response
    # Not reached with the sign-in view; kept so a locked request never gets axes' own text.
    return TemplateResponse(request, "incidents/login.html", {"form": _FailedForm()})


class _FailedForm:
    errors = True
    username = None


def attempts_reset(request: HttpRequest, username: str) -> None:
    """Forget the failures of this user name from this address only: other names tried from
    the same address still count towards that address's limit."""
    AccessAttempt.objects.filter(username=username, ip_address=client_ip(request)).delete()
