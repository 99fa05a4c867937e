"""Trusted timestamps: an RFC 3161 time-stamping authority's signed statement that the custody
log's head existed at a given time (see incidents.timestamps)."""

from django.db import models


class ChainTimestamp(models.Model):
    """One token over one head ("NUMBER:HASH"), as the authority sent it."""

    owner_id = None  # the server's, not an account's: its custody entry names no user

    sequence = models.PositiveBigIntegerField()
    entry_hash = models.CharField(max_length=64)
    token = models.BinaryField()  # the TimeStampResp, DER, byte for byte
    # The authority's certificate(s) it was checked against, PEM: shipped with it in packages.
    authority_pem = models.TextField()
    authority_url = models.CharField(max_length=500)
    stamped_at = models.DateTimeField()  # the time the authority put in it
    serial = models.CharField(max_length=64)  # the authority's number for it: its reference

    class Meta:
        ordering = ["-sequence", "-id"]
        indexes = [models.Index(fields=["sequence"], name="chain_timestamp_seq_idx")]

    def __str__(self) -> str:
        return f"{self.sequence}:{self.entry_hash[:12]} at {self.stamped_at:%Y-%m-%d %H:%M}"

    @property
    def head(self) -> str:
        return f"{self.sequence}:{self.entry_hash}"

    @property
    def reference(self) -> str:
        """A short reference to it, for the dossier: the authority's serial number."""
        return f"TS-{self.sequence}-{self.serial[-12:]}"
