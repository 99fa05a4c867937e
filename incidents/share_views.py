"""Share links: the owner makes and revokes them beside the export; a recipient without an
account opens one and downloads the file.

The token travels after the `#` of the link, which browsers keep to themselves: the public
page's script (static/js/share-open.js) posts it, and the download is a POST too, so it is
never part of an address a server, proxy or log sees. Every answer to a recipient is `no-store`,
`noindex` and `no-referrer`. Whatever is wrong with a link (unknown, expired, revoked, its
export deleted, its downloads used up) gets the same 404 page; each try on a real link is in
the custody log, and tries at unknown tokens are slowed down by address.
"""

import math
from dataclasses import replace

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from . import custody, exports, handouts, shares
from .access import get_export
from .evidence import FileProblem
from .models import Export, Share
from .responses import sends_bytes
from .sign_in import client_ip


class ShareForm(forms.Form):
    recipient = forms.CharField(
        label=gettext_lazy("Who it is for"),
        max_length=100,
        help_text=gettext_lazy("Their name, as they will see it: for example “PC Jordan Lee”."),
    )
    role = forms.ChoiceField(label=gettext_lazy("They are"), choices=Share.Role.choices)
    days = forms.IntegerField(
        label=gettext_lazy("Days the link works"),
        initial=shares.DEFAULT_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(shares.MAX_DAYS)],
    )
    max_downloads = forms.IntegerField(
        label=gettext_lazy("Most downloads (leave empty for no limit)"),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    mark_copy = forms.BooleanField(
        label=gettext_lazy(
            "Make a new copy for them, with “Shared with” their name and today's date at the "
            "foot of every page (it takes a minute or so)"
        ),
        required=False,
        initial=True,
    )
    passphrase = forms.CharField(
        label=gettext_lazy("Passphrase (optional)"),
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "If you set one, tell it to them another way than the link: by phone, say."
        ),
    )

    def clean_recipient(self):
        recipient = self.cleaned_data["recipient"].strip()
        if not recipient:
            raise forms.ValidationError(_("Write who the link is for."))
        return recipient


# --- the owner's side -------------------------------------------------------------------------


def share_list_context(request, export: Export, form: ShareForm | None = None) -> dict:
    """What the export page shows about its links: each link with its custody entries."""
    links = list(shares.for_export(request.user, export))
    history = {link.pk: list(shares.entries(link)) for link in links}
    return {
        "share_form": form or ShareForm(),
        "share_links": [(link, history[link.pk], shares.refusal(link)) for link in links],
    }


@require_POST
def share_new(request, export_id):
    export = get_export(request, export_id)
    if export.status != Export.Status.DONE or not export.sha256:
        return redirect(export)
    form = ShareForm(request.POST)
    if not form.is_valid():
        context = {
            "export": export,
            "noun": exports.NOUNS[export.kind],
            **share_list_context(request, export, form),
        }
        return render(request, "incidents/share_new.html", context, status=400)
    data = form.cleaned_data
    if data["mark_copy"]:
        options = replace(
            exports.export_options(export),
            shared_with=shares.shared_with_line(data["recipient"]),
        )
        export = exports.export_start(
            user=request.user, case=export.case, kind=export.kind, options=options
        )
    made = shares.share_create(
        export=export,
        recipient=data["recipient"],
        role=data["role"],
        days=data["days"],
        max_downloads=data["max_downloads"],
        passphrase=data["passphrase"],
    )
    link = request.build_absolute_uri("/s/") + "#" + made.token
    # Shown once, on this answer: the token is never stored, so it cannot be shown again.
    context = {
        "export": export,
        "share": made.share,
        "link": link,
        "noun": exports.NOUNS[export.kind],
    }
    response = render(request, "incidents/share_created.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def share_revoke(request, share_id):
    share = get_object_or_404(Share.objects.owned_by(request.user), uuid=share_id)
    if request.method == "POST":
        shares.share_revoke(share=share)
        return redirect(share.export or "dossier")
    return render(request, "incidents/share_confirm_revoke.html", {"share": share})


# --- the recipient's side ---------------------------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    return _private(render(request, f"incidents/{template}", context, status=status))


def _paused_page(request, until) -> HttpResponse:
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    message = ngettext(
        "Too many tries from here. Try again in %(minutes)d minute.",
        "Too many tries from here. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    return _page(request, "share_public_error.html", {"message": message}, status=429)


def _gone(request) -> HttpResponse:
    return _page(request, "share_public_error.html", {}, status=404)


def _not_ready(request) -> HttpResponse:
    """The copy marked for the recipient is still being made."""
    response = _page(request, "share_public_error.html", {"not_ready": True}, status=503)
    response["Retry-After"] = "60"
    return response


def _checked_share(request):
    """(share, None) for a link that may be used now, else (None, the answer to give)."""
    address_key = shares.guess_key("token", client_ip(request) or "")
    until = shares.paused_until(address_key)
    if until is not None:
        return None, _paused_page(request, until)
    share = shares.find(request.POST.get("token", ""))
    if share is None:
        shares.guess_failed(address_key)
        return None, _gone(request)
    reason = shares.refusal(share)
    if reason:
        shares.refusal_log(share=share, reason=reason)
        return None, _gone(request)
    return _passphrase_checked(request, share)


def _passphrase_checked(request, share: Share):
    if not share.passphrase_hash:
        return share, None
    pass_key = shares.guess_key("passphrase", str(share.uuid))
    until = shares.paused_until(pass_key)
    if until is not None:
        return None, _paused_page(request, until)
    given = request.POST.get("passphrase", "")
    if shares.passphrase_ok(share, given):
        return share, None
    context = {"token": request.POST.get("token", ""), "share": share, "asked": bool(given)}
    if given:
        shares.guess_failed(pass_key)
        shares.refusal_log(share=share, reason="wrong_passphrase")
    return None, _page(request, "share_passphrase.html", context, status=403 if given else 200)


@login_not_required
@csrf_protect
def share_open(request):
    """GET: the page whose script posts the token from the link. POST: the shared file's page."""
    if request.method != "POST":
        return _page(request, "share_open.html", {})
    share, refused = _checked_share(request)
    if refused is not None:
        return refused
    shares.visit_log(share=share)
    if not shares.is_ready(share):
        return _not_ready(request)
    export = share.export
    context = {
        "share": share,
        "export": export,
        "noun": exports.NOUNS[export.kind],
        "token": request.POST["token"],
        "passphrase": request.POST.get("passphrase", ""),
    }
    return _page(request, "share_public.html", context)


@login_not_required
@csrf_protect
@require_POST
def share_file(request):
    """The shared file, checked against its fingerprint and logged like every hand-out."""
    share, refused = _checked_share(request)
    if refused is not None:
        return refused
    if not shares.is_ready(share):
        return _not_ready(request)
    export = share.export
    if request.session.session_key is None:
        request.session.create()  # one hand-out per recipient's browser, not one for all
    try:
        handouts.verify_export(request, export, user=share.owner)
    except (FileProblem, handouts.Unreachable):
        return _page(request, "share_public_error.html", {"broken": True}, status=409)
    if not shares.count_download(share=share):
        shares.refusal_log(share=share, reason="over_cap")
        return _gone(request)
    response = exports.download_response(request, export, sendfile=False)
    if sends_bytes(request, response):
        action = custody.Action.SHARE_DOWNLOADED
        handouts.log(
            request, share, file_sha256=export.sha256, action=action, audit=None, user=share.owner
        )
    return _private(response)
