"""The sign-in page: the password step, the pause message, "keep me signed in", remembering the
device, and the offer to sign out first when this browser is already signed in."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render

from . import recovery, security, sign_in
from .account_forms import SignInForm
from .models import User
from .recovery_views import codes_show_once
from .two_factor import two_factor_enabled


class LoginView(auth_views.LoginView):
    template_name = "incidents/login.html"
    form_class = SignInForm
    # A browser already signed in is asked to sign out first (below), never silently kept in
    # the old account nor moved into another one.
    redirect_authenticated_user = False

    # Overriding dispatch drops the parent's login_not_required mark, which would make the
    # sign-in page itself require signing in (an endless redirect); set it again here.
    @login_not_required
    def dispatch(self, request, *args, **kwargs):
        if not User.objects.exists():
            return redirect("setup")
        if request.user.is_authenticated:
            return render(request, "incidents/login_signed_in.html")
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form):
        # The same words for a name with an account and one without (sign_in.pause_message).
        paused = sign_in.pause_message(self.request, form.data.get("username", ""))
        return self.render_to_response(self.get_context_data(form=form, paused=paused))

    def form_valid(self, form):
        user = form.get_user()
        two_factor_on = two_factor_enabled(user)
        # The password was right: its earlier failures from here no longer count. With
        # two-factor on, not yet: wrong codes count too, and the code page clears them once a
        # code is right (TwoFactorRequiredMiddleware sends the user there next). The device is
        # remembered only once the sign-in is complete, for the same reason.
        if not two_factor_on:
            sign_in.attempts_reset(self.request, user.get_username())
        response = super().form_valid(form)
        security.session_keep(self.request, keep=form.cleaned_data["keep_signed_in"])
        # With REQUIRE_TWO_FACTOR the codes come with the two-factor setup instead.
        if not two_factor_on and not settings.REQUIRE_TWO_FACTOR and recovery.codes_due(user):
            # An account the host added gets its codes here, where only its owner sees them.
            codes_show_once(self.request, recovery.codes_issue(user), then=response.url)
            response = redirect("recovery_codes_new")
        if not two_factor_on:
            sign_in.device_remember(self.request, response, user)
        return response
