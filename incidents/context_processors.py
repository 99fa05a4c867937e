from django.conf import settings


def site(request):
    return {"SITE_TITLE": settings.SITE_TITLE, "QUICK_EXIT_URL": settings.QUICK_EXIT_URL}
