"""Forms for getting back in: a recovery code on the sign-in page, the host's reset link, and
making new recovery codes."""

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _

from . import sign_in, two_factor
from .account_forms import PasswordAgainForm
from .models import User


class NewPasswordMixin(forms.Form):
    """Two password boxes, checked by the server's password rules."""

    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("The new password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def check_new_password(self, user: User) -> None:
        first = self.cleaned_data.get("new_password1")
        second = self.cleaned_data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords are not the same."))
        elif first:
            try:
                validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("new_password1", error)


def _guess_allowed(request, username: str) -> str | None:
    """The pause message when guesses at this name from here are paused (the sign-in guard),
    else None. The same for a name with an account and one without."""
    if AxesProxyHandler.is_allowed(request, {"username": username}):
        return None
    return sign_in.pause_message(request, username) or str(_("Please wait and try again."))


def guess_failed(request, username: str) -> None:
    """A wrong code counts like a wrong password: it slows down further guesses."""
    user_login_failed.send(__name__, credentials={"username": username}, request=request)


class ForgotPasswordForm(NewPasswordMixin):
    """'Forgot your password?': the user name, one recovery code and a new password."""

    field_order = ["username", "code", "new_password1", "new_password2"]

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    code = forms.CharField(
        label=_("Recovery code"),
        max_length=40,
        help_text=_("One of the ten codes you were given when your account was made."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        data = super().clean()
        username = data.get("username", "")
        if username:
            paused = _guess_allowed(self.request, username)
            if paused:
                raise forms.ValidationError(paused, code="paused")
        # The password rules are checked against the name typed, whether an account has it or
        # not, so the answer does not tell.
        self.check_new_password(User(username=username))
        return data


class ResetLinkForm(NewPasswordMixin):
    """The host's reset link: a new password, and the second factor when it is on."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, request, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.device = None
        if not two_factor.two_factor_enabled(user):
            del self.fields["code"]

    def clean(self):
        data = super().clean()
        self.check_new_password(self.user)
        if "code" not in self.fields or self.errors:
            return data
        username = self.user.get_username()
        paused = _guess_allowed(self.request, username)
        if paused:
            raise forms.ValidationError(paused, code="paused")
        self.device = two_factor.code_verify(self.user, data.get("code", ""))
        if self.device is None:
            guess_failed(self.request, username)
            self.add_error("code", _("That code did not work. Codes can be used only once."))
        return data


class RecoveryCodesForm(PasswordAgainForm):
    """Making new recovery codes needs the password (the old codes stop working)."""
