"""The data model. Ownership has one root: every Case belongs to one User, and every record
belongs to a Case (SafetyStep, which is about the user, belongs to the User directly).
Views start every query from `owned_by(user)`."""

from .accounts import TIME_ZONE_CHOICES, User
from .base import Record, Revision
from .cases import Case
from .custody import CustodyEntry, CustodyHead
from .entries import Incident
from .evidence import Evidence, ExhibitLink
from .exports import Export
from .security import AccountSafety, AuditEvent, SignIn, UserSession
from .steps import NoContactNotice, PoliceContact, ProtectiveOrder, SafetyStep

__all__ = [
    "TIME_ZONE_CHOICES",
    "AccountSafety",
    "AuditEvent",
    "Case",
    "CustodyEntry",
    "CustodyHead",
    "Evidence",
    "ExhibitLink",
    "Export",
    "Incident",
    "NoContactNotice",
    "PoliceContact",
    "ProtectiveOrder",
    "Record",
    "Revision",
    "SafetyStep",
    "SignIn",
    "User",
    "UserSession",
]
