"""The data model. Ownership has one root: every Case belongs to one User, and every record
belongs to a Case (SafetyStep, which is about the user, belongs to the User directly).
Views start every query from `owned_by(user)`."""

from .accounts import TIME_ZONE_CHOICES, User
from .base import Record, Revision, TrashEvent
from .cases import Case
from .csv_mappings import CsvMapping
from .custody import CustodyEntry, CustodyHead
from .drafts import Draft, HeldFile
from .evidence import Evidence, ExhibitLink
from .exports import Export
from .incidents import ANSWER_MISSING, Incident
from .integrity import DisplayCopy, HandOut, IntegrityAlert
from .life_changes import LifeChange
from .messages import Call, Message, MessageImport
from .recovery import BackupRun, PasswordResetLink, RecoveryCode
from .security import (
    AccountSafety,
    AuditEvent,
    KnownDevice,
    SignIn,
    SignInGuesses,
    UserSession,
)
from .shares import Share
from .steps import NoContactNotice, PoliceContact, ProtectiveOrder, SafetyStep
from .timestamps import ChainTimestamp

__all__ = [
    "ANSWER_MISSING",
    "TIME_ZONE_CHOICES",
    "AccountSafety",
    "AuditEvent",
    "BackupRun",
    "Call",
    "Case",
    "ChainTimestamp",
    "CsvMapping",
    "CustodyEntry",
    "CustodyHead",
    "DisplayCopy",
    "Draft",
    "Evidence",
    "ExhibitLink",
    "Export",
    "HandOut",
    "HeldFile",
    "Incident",
    "IntegrityAlert",
    "KnownDevice",
    "LifeChange",
    "Message",
    "MessageImport",
    "NoContactNotice",
    "PasswordResetLink",
    "PoliceContact",
    "ProtectiveOrder",
    "Record",
    "RecoveryCode",
    "Revision",
    "SafetyStep",
    "Share",
    "SignIn",
    "SignInGuesses",
    "TrashEvent",
    "User",
    "UserSession",
]
