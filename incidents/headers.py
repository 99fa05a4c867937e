"""Response headers that keep pages private on a shared or watched device, and the 500 page.

Django's own SecurityMiddleware and XFrameOptionsMiddleware already send Referrer-Policy,
Cross-Origin-Opener-Policy, X-Content-Type-Options and X-Frame-Options (see settings.py); this
adds what they do not: a strict Content-Security-Policy, a Permissions-Policy, no caching of any
page, and wiping the browser's copy of the site on sign-out.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.cache import patch_cache_control

from .responses import bucket_origin

# Only our own scripts, styles and images may load; nothing inline, no plugins, no framing, and
# forms post only back here. Charts are inline SVG drawn with attributes, which this allows.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def page_csp() -> str:
    """The page policy; with evidence in a bucket, media players may also load from it."""
    origin = bucket_origin()
    return PAGE_CSP if origin is None else f"{PAGE_CSP}; media-src 'self' {origin}"


# Browser features the app never uses, switched off for every page and file it sends, so that
# nothing injected into a page could ask for the camera, the microphone or the location. The
# upload picker needs none of them (a file input's camera offer is the phone's own picker, not
# a page asking for the camera); pasting a screenshot reads the paste event, not the clipboard
# API. Video players keep full screen and picture-in-picture for this site's own pages.
# Only features Chromium knows are named: an unknown one is a console error on every page.
PERMISSIONS_POLICY = ", ".join(
    [
        *(
            f"{feature}=()"
            for feature in (
                "accelerometer",
                "autoplay",
                "camera",
                "clipboard-read",
                "clipboard-write",
                "display-capture",
                "encrypted-media",
                "gamepad",
                "geolocation",
                "gyroscope",
                "hid",
                "idle-detection",
                "local-fonts",
                "magnetometer",
                "microphone",
                "midi",
                "otp-credentials",
                "payment",
                "publickey-credentials-create",
                "publickey-credentials-get",
                "screen-wake-lock",
                "serial",
                "usb",
                "window-management",
                "xr-spatial-tracking",
            )
        ),
        "fullscreen=(self)",
        "picture-in-picture=(self)",
    ]
)

# Sent with the sign-out response: the browser forgets cached pages and storage, so the next
# person at this device finds nothing in the back button or the cache. Not "cookies": the
# session cookie is ended by signing out itself, and the cookie that says this device has
# signed in before must stay, or a guesser could keep the owner out (incidents/sign_in.py).
CLEAR_SITE_DATA = '"cache", "storage"'


class SecurityHeadersMiddleware:
    """Add the policy and no-store to every response the app makes (not to static files).

    Placed after WhiteNoise, so static files, which hold nothing private, stay cacheable. Every
    page is no-store, signed in or not: a cached page could show someone's records to the next
    person at the device, and the sign-in page carries a one-time form token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # File responses set a stricter policy of their own (incidents/responses.py): keep it.
        response.headers.setdefault("Content-Security-Policy", page_csp())
        patch_cache_control(response, no_store=True, private=True)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # Also on answers that stop before Django's clickjacking middleware (a bad Host: 400).
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        # Keyed on the URL's name rather than a view class, so it stays whatever view signs out.
        match = request.resolver_match
        if request.method == "POST" and match is not None and match.url_name == "logout":
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, drawn without context processors: the database may be what failed."""
    context = {"SITE_TITLE": settings.SITE_TITLE, "QUICK_EXIT_URL": settings.QUICK_EXIT_URL}
    return HttpResponse(loader.get_template("500.html").render(context), status=500)
