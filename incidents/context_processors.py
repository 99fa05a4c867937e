from django.conf import settings

from . import jurisdictions
from .models import Case


def site(request):
    return {
        "SITE_TITLE": settings.SITE_TITLE,
        "QUICK_EXIT_URL": settings.QUICK_EXIT_URL,
        "legal": jurisdictions.current(),  # the legal words of the user's own system
    }


def demo(request):
    """The signed-in user's demonstration cases, for the banner on every page (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"demo_cases": list(Case.objects.owned_by(user).filter(is_demo=True))}
