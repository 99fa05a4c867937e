"""What the account itself remembers for its owner's safety: where it is signed in, who tried to
sign in, what was done with it, and which notices the owner has read. None of it holds the text
of a record."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import OwnedQuerySet


class UserOwnedQuerySet(OwnedQuerySet):
    owner_path = "user"


class UserSession(models.Model):
    """One signed-in browser. The row goes when the session ends (sign-out, expiry, "sign out
    everywhere else", password change)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    # The key itself, not a hash: ending a session means deleting it from the session store,
    # which is looked up by key (and the session table holds the same keys in the clear).
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"session of {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"


class SignIn(models.Model):
    """A sign-in, or a failed attempt, on an existing account. Never the password tried; an
    attempt on a name that has no account is not kept at all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_ins"
    )
    at = models.DateTimeField(default=timezone.now)
    succeeded = models.BooleanField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    objects = UserOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "succeeded", "at"], name="signin_user_idx")]

    def __str__(self) -> str:
        outcome = "sign-in" if self.succeeded else "failed sign-in"
        return f"{outcome} of {self.user_id} at {self.at:%Y-%m-%d %H:%M}"


class AuditEvent(models.Model):
    """A sensitive action, written by the code that did it. The description names the object
    ("Incident of 3 March 2024"), never what the user wrote in it."""

    class Action(models.TextChoices):
        ORIGINAL_DOWNLOAD = "original_download", _("Opened or downloaded an original file")
        EXPORT_DOWNLOAD = "export_download", _("Downloaded a dossier or evidence package")
        EXPORT_DELETE = "export_delete", _("Deleted a dossier or evidence package")
        DATA_EXPORT = "data_export", _("Asked for a copy of all data")
        TRASH = "trash", _("Moved to the trash")
        RESTORE = "restore", _("Restored from the trash")
        SETTINGS = "settings", _("Changed the settings")
        PASSWORD = "password", _("Changed the password")
        SIGN_OUT_OTHERS = "sign_out_others", _("Signed out everywhere else")
        INTEGRITY = "integrity_failed", _("A stored file no longer matched its fingerprint")
        DEMO_REMOVE = "demo_remove", _("Removed the demonstration data")
        RESET_LINK_MADE = "reset_link_made", _("The server's host made a password reset link")
        RESET_LINK_USED = "reset_link_used", _("Password reset with the host's link")
        RECOVERY_CODE_USED = "recovery_code_used", _("Password reset with a recovery code")
        RECOVERY_CODES_NEW = "recovery_codes_new", _("New recovery codes made")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audit_events"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=24, choices=Action.choices)
    description = models.CharField(max_length=200, blank=True)
    # A short hash of the session key: enough to tell "this browser" from another, useless for
    # taking over the session.
    session_ref = models.CharField(max_length=16, blank=True)
    device = models.CharField(max_length=100, blank=True)  # in plain words, from the user agent
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = UserOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="auditevent_user_idx")]

    def __str__(self) -> str:
        return f"{self.action} by {self.user_id} at {self.at:%Y-%m-%d %H:%M}"


class AccountSafety(models.Model):
    """Per-account notices: whether the safety advice was read, and up to when the failed
    sign-ins have been seen."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety"
    )
    advice_dismissed_at = models.DateTimeField(null=True, blank=True)
    failures_seen_at = models.DateTimeField(null=True, blank=True)
    # Set for an account the host added (and accounts from before recovery codes): its codes
    # are made and shown at its next sign-in, where only its owner sees them.
    recovery_codes_due = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"safety notices of {self.user_id}"


class KnownDevice(models.Model):
    """A browser that has signed in to the account before, named by a random token in a signed
    cookie (only the token's hash is kept). It may still try a password while sign-in is paused
    for others, so a guesser cannot keep the owner out; too many wrong passwords forget it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_devices"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-last_used_at", "-id"]

    def __str__(self) -> str:
        return f"known device of {self.user_id} since {self.created_at:%Y-%m-%d}"


class SignInGuesses(models.Model):
    """Wrong passwords tried for one user name from any address, so that guessing at one
    account slows down however many addresses it comes from. Kept for names with and without
    an account alike (no enumeration), by a keyed hash of the name, never the name itself."""

    name_hash = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "sign-in guesses"
        indexes = [models.Index(fields=["last_failure_at"], name="guesses_last_failure_idx")]

    def __str__(self) -> str:
        return f"{self.failures} wrong passwords, the last at {self.last_failure_at:%Y-%m-%d %H:%M}"
