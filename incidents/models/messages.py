"""Messages and calls imported from a phone's export file. The file is kept as an exhibit, byte for
byte; each item read from it is a record that cites the file, its place in the file and the
reader's version, so that anyone can read the same file again and find the same items.

Imported items are never edited: the user may add a note, and hide an item from the dossier with
a reason (incidents/message_import.py keeps the history and the custody entry of both)."""

import uuid

from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import limits
from .base import CaseOwnedQuerySet, OwnedQuerySet, Record
from .cases import Case


def _contact_name(what: str, address: str, when) -> str:
    """'Received +34 600 111 222, 7 Dec 2026, 14:05': a message or call named in local time."""
    at = formats.date_format(timezone.localtime(when), "SHORT_DATETIME_FORMAT")
    return gettext("%(what)s %(address)s, %(at)s") % {"what": what, "address": address, "at": at}


class MessageImportQuerySet(OwnedQuerySet):
    owner_path = "case__owner"


class MessageImport(models.Model):
    """One import job: the file received (kept as an exhibit), the numbers found in it, those the
    user chose, and what was added, skipped and recovered."""

    class Format(models.TextChoices):
        SBR_MESSAGES = "sbr_sms", _("SMS Backup & Restore: texts and picture messages")
        SBR_CALLS = "sbr_calls", _("SMS Backup & Restore: call log")
        WHATSAPP = "whatsapp", _("WhatsApp chat export")
        EML = "eml", _("E-mail message (.eml)")
        MBOX = "mbox", _("Mailbox (.mbox)")
        TELEGRAM = "telegram", _("Telegram Desktop export")
        MESSENGER = "messenger", _("Facebook Messenger export")
        INSTAGRAM = "instagram", _("Instagram messages export")
        CSV_MESSAGES = "csv_messages", _("Messages from a CSV file")
        CSV_CALLS = "csv_calls", _("Call log from a CSV file")

    class Status(models.TextChoices):
        ASKING = "asking", _("Received; waiting for you to say how to read it")
        SCANNED = "scanned", _("Read; waiting for you to choose the numbers")
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being imported")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="message_imports")
    # The export file as received: an exhibit of the case, with its SHA-256. It goes only
    # with the whole case (RESTRICT: never on its own while items cite it).
    source = models.ForeignKey(
        "Evidence", on_delete=models.RESTRICT, related_name="message_imports"
    )
    format = models.CharField(max_length=16, choices=Format.choices)
    parser_version = models.CharField(max_length=40)
    # What the file is, in the reader's words ("a WhatsApp chat from an Android phone").
    description = models.CharField(max_length=200, blank=True)
    # The user's answers to what the file does not say, read by the reader: the time zone the
    # phone was in, the order of day and month, the meaning of a CSV file's columns, ...
    options = models.JSONField(default=dict, blank=True)
    # What the reader noticed and the user should know, in plain sentences ("The chat may have
    # been cut short: ..."): shown before the import and printed beside the transcript.
    warnings = models.JSONField(default=list, blank=True)
    # The country whose national forms the numbers were read in ("GB": 07700 900123 is
    # +44 7700 900123), from the person's numbers or the owner's time zone; "" if unknown.
    region = models.CharField(max_length=2, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SCANNED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    error = models.CharField(max_length=500, blank=True)  # why it failed, for the user
    # [{"key", "written": [as written, ...], "name", "messages", "calls", "suggested"}, ...]
    numbers_found = models.JSONField(default=list)
    numbers_chosen = models.JSONField(default=list)  # the keys the user picked
    items_found = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    already_there = models.PositiveIntegerField(default=0)  # kept from an earlier import
    skipped = models.PositiveIntegerField(default=0)  # other numbers, drafts, unreadable items
    recovered = models.PositiveIntegerField(default=0)  # repaired (emoji references and such)
    pictures = models.PositiveIntegerField(default=0)  # MMS pictures kept as exhibits
    # Why items were skipped or recovered, with how many: {"other number": 412, ...}.
    reasons = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = MessageImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message import")

    def __str__(self) -> str:
        return f"{self.get_format_display()}: {self.source.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("message_import_detail", kwargs={"import_id": self.uuid})

    @property
    def holds_texts(self) -> bool:
        """Whether its messages are a phone's texts (SMS and MMS): the others came through a
        chat app, e-mail or a table, and are called messages."""
        return self.format == self.Format.SBR_MESSAGES

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class Direction(models.TextChoices):
    IN = "in", pgettext_lazy("message direction", "Received")
    OUT = "out", pgettext_lazy("message direction", "Sent")


class ImportedRecord(Record):
    """What messages and calls share: their source, their place in it, the other party's number as
    written and as matched, and the two things the user may add: a note, and a reason to hide it
    from the dossier."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey(MessageImport, on_delete=models.RESTRICT, related_name="+")
    # The item's place in the file: its number among the items (1 for the first) and its line.
    element = models.PositiveIntegerField(_("item number in the file"))
    line = models.PositiveIntegerField(_("line in the file"))
    # A fingerprint of what the file says about the item: the same item in a later export of
    # the same phone has the same key, so it is not added twice.
    dedupe_key = models.CharField(max_length=64, editable=False)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    address = models.CharField(_("number, name or address as written"), max_length=200, blank=True)
    address_key = models.CharField(max_length=64, db_index=True)  # for matching, see numbers.py
    contact_name = models.CharField(_("name in the phone's contacts"), max_length=200, blank=True)
    # Characters the file held in a form XML forbids (emoji written as surrogate references),
    # repaired on reading.
    recovered = models.BooleanField(default=False)
    note = models.TextField(_("your note"), blank=True, max_length=limits.NOTE)
    hidden_reason = models.TextField(
        _("why it is left out of the dossier"), blank=True, max_length=limits.NOTE
    )
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("imported on"), auto_now_add=True)
    # The custody entry that fingerprints the item together with the rest of its batch (that
    # entry's number), and the item's own fingerprint as the entry took it. Both are empty for
    # items imported before batches were logged: those have a custody entry each.
    custody_batch = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    logged_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    HISTORY_FIELDS = ("note", "hidden_reason")
    SOURCE_FIELDS = (
        "case",
        "source",
        "element",
        "line",
        "dedupe_key",
        "direction",
        "address",
        "address_key",
        "contact_name",
        "recovered",
    )

    objects = CaseOwnedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Message(ImportedRecord):
    """One text or picture message, as the export file gives it."""

    class Channel(models.TextChoices):
        SMS = "sms", _("Text message (SMS)")
        MMS = "mms", _("Picture or group message (MMS)")
        WHATSAPP = "whatsapp", _("WhatsApp message")
        EMAIL = "email", _("E-mail")
        TELEGRAM = "telegram", _("Telegram message")
        MESSENGER = "messenger", _("Facebook Messenger message")
        INSTAGRAM = "instagram", _("Instagram message")
        OTHER = "other", _("Message (from a CSV file)")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    # The file's own box number (SMS `type`, MMS `msg_box`): 1 received, 2 sent, 4 outbox, ...
    # Formats without boxes write 1 for received and 2 for sent.
    box = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(_("sent or received at"))
    subject = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    # Everyone else in a group message, as written; empty for a message between two people.
    recipients = models.JSONField(default=list, blank=True)
    # The parts of a picture message other than its text, as the file names them:
    # [{"seq", "content_type", "name"}]. Pictures kept are exhibits attached to the message.
    attachments = models.JSONField(default=list, blank=True)
    # What else the file says, kept as received: an e-mail's headers and whether its signature
    # still verifies, a chat service's id of the sender, a chat app's marks ("edited").
    details = models.JSONField(default=dict, blank=True)

    ADDED_LATER = {"details": {}}
    CUSTODY_FIELDS = (
        *ImportedRecord.SOURCE_FIELDS,
        "channel",
        "box",
        "sent_at",
        "subject",
        "body",
        "recipients",
        "attachments",
        "details",
        "hidden_at",
    )

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["custody_batch"], name="message_custody_batch_idx"),
            # Every column the counting pages read (the timeline's days, home and the charts),
            # so that they count from the index without reading the rows.
            models.Index(
                fields=["case", "sent_at", "direction", "hidden_at", "deleted_at"],
                name="message_case_time_idx",
            ),
            # The steps page counts each import's items from this one.
            models.Index(
                fields=["source"],
                condition=models.Q(deleted_at__isnull=True),
                name="message_live_source_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "dedupe_key"], name="message_once_per_case")
        ]

    def __str__(self) -> str:
        return _contact_name(self.get_direction_display(), self.address or "?", self.sent_at)

    def get_absolute_url(self) -> str:
        return reverse("message_detail", kwargs={"record_id": self.uuid})


class Call(ImportedRecord):
    """One call from the phone's call log, as the export file gives it."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Answered")
        UNANSWERED = "unanswered", _("Not answered")  # an outgoing call that did not connect
        MISSED = "missed", _("Missed")
        REJECTED = "rejected", _("Rejected")
        BLOCKED = "blocked", _("Blocked")
        VOICEMAIL = "voicemail", _("Voicemail")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="calls")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # The file's own call type: 1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, ...
    call_type = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(_("started at"))
    duration = models.PositiveIntegerField(_("length in seconds"), default=0)
    withheld = models.BooleanField(_("number withheld"), default=False)

    CUSTODY_FIELDS = (
        *ImportedRecord.SOURCE_FIELDS,
        "outcome",
        "call_type",
        "started_at",
        "duration",
        "withheld",
        "hidden_at",
    )

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [
            models.Index(fields=["custody_batch"], name="call_custody_batch_idx"),
            # As for texts (see Message).
            models.Index(
                fields=["case", "started_at", "direction", "outcome", "hidden_at", "deleted_at"],
                name="call_case_time_idx",
            ),
            models.Index(
                fields=["source"],
                condition=models.Q(deleted_at__isnull=True),
                name="call_live_source_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "dedupe_key"], name="call_once_per_case")
        ]

    def __str__(self) -> str:
        number = _("withheld number") if self.withheld else (self.address or "?")
        return _contact_name(self.get_outcome_display(), number, self.started_at)

    def get_absolute_url(self) -> str:
        return reverse("call_detail", kwargs={"record_id": self.uuid})
