from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self):
        from axes.models import AccessAttempt
        from django.contrib.auth import signals
        from django.db.models.signals import pre_save

        from . import checks, security  # noqa: F401 (checks registers itself)

        # The receivers only hand over to security.py (see there for what is kept); local
        # functions, so connected with weak=False.
        def logged_in(sender, request, user, **kwargs):
            security.session_started(request, user)

        def login_failed(sender, credentials, request=None, **kwargs):
            # `credentials` never carries the password in the clear; only the name is read.
            security.sign_in_failed(request, credentials.get("username", ""))

        def logged_out(sender, request, user, **kwargs):
            security.session_ended(request.session.session_key if request else None)

        signals.user_logged_in.connect(logged_in, weak=False, dispatch_uid="incidents_logged_in")
        signals.user_login_failed.connect(
            login_failed, weak=False, dispatch_uid="incidents_login_failed"
        )
        signals.user_logged_out.connect(logged_out, weak=False, dispatch_uid="incidents_logged_out")

        def attempt_saving(sender, instance, **kwargs):
            # django-axes keeps each failed try's form data beside its count; a wrong current
            # password arrives with the new password beside it. Nothing of it is written.
            instance.get_data = instance.post_data = ""

        pre_save.connect(
            attempt_saving, sender=AccessAttempt, weak=False, dispatch_uid="incidents_no_form_data"
        )
