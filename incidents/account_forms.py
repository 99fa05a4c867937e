"""Forms about the account: signing in, the first run, new accounts, settings, two-factor codes,
the password, and deleting the account."""

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _

from . import services, sign_in, two_factor
from .models import (
    User,
)


def password_matches(request, user: User, password: str) -> bool:
    """Check a user's password through authenticate(), so that a wrong one counts towards
    the sign-in pauses like a wrong sign-in does. While they hold, the password is not checked
    and the form says so, and for how long."""
    found = authenticate(request, username=user.get_username(), password=password)
    if found is None:
        paused = sign_in.pause_message(request, user.get_username())
        if paused:
            raise forms.ValidationError(paused, code="paused")
    return found is not None and found.pk == user.pk


class SignInForm(auth_forms.AuthenticationForm):
    """The sign-in form, with the choice of keeping the sign-in when the browser closes."""

    keep_signed_in = forms.BooleanField(
        label=_("Keep me signed in on this device"),
        required=False,
        help_text=_(
            "Only on a device no one else uses. Otherwise closing the browser signs you out. "
            "Either way, %(minutes)s minutes without use sign you out."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_text = self.fields["keep_signed_in"].help_text
        self.fields["keep_signed_in"].help_text = help_text % {
            "minutes": settings.SESSION_IDLE_MINUTES
        }


def time_zone_searchable(field: forms.Field) -> None:
    """Marks a time-zone select for static/js/time-zone.js: a search box and the browser's guess."""
    field.widget.attrs.update(
        {
            "data-time-zone": "",
            "data-search-label": _("Search the time zones (a city or region)"),
            "data-none": _("No time zone matches that. Try a city nearby or the region."),
            "data-guessed": _("Chosen from this device's clock: {zone}. Change it if it is wrong."),
        }
    )


class LanguageFieldsMixin:
    """Language and legal system; a form sent without them (an older page, a script) keeps
    what was offered, rather than refusing."""

    def words_optional(self) -> None:
        for name in ("language", "jurisdiction"):
            self.fields[name].required = False

    def clean_language(self) -> str:
        return self._kept("language")

    def clean_jurisdiction(self) -> str:
        return self._kept("jurisdiction")

    def _kept(self, name: str) -> str:
        return self.cleaned_data[name] or self.initial.get(name) or getattr(self.instance, name)


class AccountCreateForm(LanguageFieldsMixin, BaseUserCreationForm):
    """A new account: user name, time zone and a password checked by the validators."""

    class Meta:
        model = User
        fields = ["username", "language", "jurisdiction", "time_zone"]

    def __init__(self, *args, language: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = _("Letters, digits and @ . + - _ only.")
        time_zone_searchable(self.fields["time_zone"])
        self.words_optional()
        if language:  # the browser's, until the person chooses
            self.initial.setdefault("language", language)


class SetupForm(AccountCreateForm):
    setup_code = forms.CharField(
        label=_("Setup code"),
        max_length=40,
        help_text=_("It was printed in the terminal where the app was started."),
        # The first thing a newcomer types: the cursor starts here.
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}
        ),
    )

    field_order = [
        "setup_code",
        "username",
        "language",
        "jurisdiction",
        "time_zone",
        "password1",
        "password2",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's account form puts the cursor in the user name; here the code comes first.
        self.fields["username"].widget.attrs.pop("autofocus", None)

    def clean_setup_code(self):
        code = self.cleaned_data["setup_code"]
        if not services.setup_code_matches(code):
            raise forms.ValidationError(
                _("That code does not match. Copy it again from the terminal, or run: %(command)s")
                % {"command": settings.SETUP_CODE_COMMAND}
            )
        return code


class SettingsForm(LanguageFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["language", "jurisdiction", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        time_zone_searchable(self.fields["time_zone"])
        self.words_optional()


class SignInCodeForm(forms.Form):
    """The second step of signing in: a code from the authenticator app, or a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits your authenticator app shows now, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user
        self.device = None

    def clean_code(self):
        # Wrong codes count as failed sign-ins from this address (django-axes): someone with
        # the password gets 5 tries at a code, then waits like any other guesser.
        credentials = {"username": self.user.get_username()}
        if not AxesProxyHandler.is_allowed(self.request, credentials):
            paused = sign_in.pause_message(self.request, self.user.get_username())
            raise forms.ValidationError(paused or _("That code did not work."), code="paused")
        self.device = two_factor.code_verify(self.user, self.cleaned_data["code"])
        if self.device is None:
            user_login_failed.send(__name__, credentials=credentials, request=self.request)
            raise forms.ValidationError(_("That code did not work. Codes can be used only once."))
        return self.cleaned_data["code"]


class TwoFactorChangeForm(SignInCodeForm):
    """Turning two-factor off, or moving it to a new phone, needs the password and a code: an
    open session alone (a phone picked up, a session cookie) is not enough.

    With `device` (a new authenticator being set up) the code must come from that device."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "code"]

    def __init__(self, *args, request, device=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.new_device = device
        if device is not None:
            self.fields["code"].help_text = _("The 6 digits your authenticator app shows now.")

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password_matches(self.request, self.user, password):
            raise forms.ValidationError(_("That is not your password."))
        return password

    def clean_code(self):
        if "password" in self._errors:
            return None  # a code is used up when checked: keep it for the next try
        if self.new_device is None:
            return super().clean_code()
        code = "".join(self.cleaned_data["code"].split())
        if not self.new_device.verify_token(code):
            raise forms.ValidationError(_("That code did not work. Try the newest one in the app."))
        return code


class PasswordAgainForm(forms.Form):
    """A step that needs the password again: a session left open is not enough. A wrong one
    counts towards the sign-in pauses (password_matches)."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    wrong_password = _("That is not your password.")

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password_matches(self.request, self.request.user, password):
            raise forms.ValidationError(self.wrong_password)
        return password


class AccountDeleteForm(PasswordAgainForm):
    """Deleting an account needs its password again."""

    wrong_password = _("That is not your password. Nothing has been deleted.")


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, with the old password checked so that wrong guesses count towards the
    sign-in lockout: someone holding an open session must not guess the password freely."""

    def __init__(self, *args, request, **kwargs):
        super().__init__(request.user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not password_matches(self.request, self.user, old_password):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password
