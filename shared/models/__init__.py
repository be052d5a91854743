"""The shared model. Importing this package registers every table."""

from shared.models import append_only  # noqa: F401  (registers the session guard)
from shared.models.action_plan import Action, ActionEvent, ActionTheme, Recommendation
from shared.models.api import API_SCOPES, ApiClient, ApiToken, IdempotencyRecord
from shared.models.audit import AuditEvent
from shared.models.cdi_audit import CdiAudit, CdiAuditRecord, CdiAuditStratum, CdiJudgement
from shared.models.cdi_finding import CdiDispute, CdiPutRight
from shared.models.code_version import CodeVersionStart
from shared.models.court import CourtEvent, CourtHearing
from shared.models.crime import Crime, CrimeVictim
from shared.models.entitlement import ContactPlan, EnhancedRight, Entitlement, EntitlementEvent
from shared.models.feedback import FeedbackAnswer, FeedbackInvitation
from shared.models.guardian import Guardian
from shared.models.incident import Incident
from shared.models.information_request import InformationRequest
from shared.models.investigation import DecisionFactor, InternalNote, InvestigationUpdate
from shared.models.message import SecureMessage
from shared.models.outbox import OutboxAttempt, OutboxMessage
from shared.models.property import PropertyItem, PropertyNote
from shared.models.scrutiny import (
    OutOfCourtCapture,
    ScrutinyCase,
    ScrutinyFinding,
    ScrutinyGrade,
    ScrutinyResponse,
    ScrutinySample,
)
from shared.models.session import UserSession
from shared.models.staff import ROLES, RecoveryCode, StaffMember, StaffRole, Team
from shared.models.victim import CONTACT_CHANNELS, LANGUAGES, LINK_PURPOSES, AccountLink, Victim
from shared.models.worker_heartbeat import WorkerHeartbeat

__all__ = [
    "Action",
    "ActionEvent",
    "ActionTheme",
    "Recommendation",
    "API_SCOPES",
    "ApiClient",
    "ApiToken",
    "IdempotencyRecord",
    "ROLES",
    "CONTACT_CHANNELS",
    "LANGUAGES",
    "LINK_PURPOSES",
    "AccountLink",
    "AuditEvent",
    "CdiAudit",
    "CdiAuditRecord",
    "CdiAuditStratum",
    "CdiJudgement",
    "CdiDispute",
    "CdiPutRight",
    "CodeVersionStart",
    "CourtEvent",
    "CourtHearing",
    "ContactPlan",
    "EnhancedRight",
    "Entitlement",
    "EntitlementEvent",
    "FeedbackAnswer",
    "FeedbackInvitation",
    "Guardian",
    "Crime",
    "CrimeVictim",
    "DecisionFactor",
    "Incident",
    "InformationRequest",
    "InternalNote",
    "OutboxAttempt",
    "OutOfCourtCapture",
    "ScrutinyCase",
    "ScrutinyFinding",
    "ScrutinyGrade",
    "ScrutinyResponse",
    "ScrutinySample",
    "OutboxMessage",
    "PropertyItem",
    "PropertyNote",
    "SecureMessage",
    "InvestigationUpdate",
    "RecoveryCode",
    "StaffMember",
    "StaffRole",
    "Team",
    "UserSession",
    "Victim",
    "WorkerHeartbeat",
]
