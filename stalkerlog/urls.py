from django.urls import include, path

urlpatterns = [
    path("", include("incidents.urls")),
]

# The 500 page is drawn without the database (which may be what failed); 400, 403 and 404 use
# Django's handlers with the templates in templates/.
handler500 = "incidents.headers.server_error"
