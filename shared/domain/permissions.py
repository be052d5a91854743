"""Named permissions, the roles that hold them, and how far each role can see.

Every view behind sign-in declares the one permission it needs with `@requires(...)`;
a view that declares none is refused (deny by default). Staff hold permissions through
their roles; a victim holds only `victim.self`, on their own account and crimes. Views anyone may reach are
marked with `shared.web.login.public` instead.
"""

from collections.abc import Callable, Set
from typing import Any, Protocol, TypeVar

from shared.translation import lazy_gettext as _l

V = TypeVar("V", bound=Callable[..., Any])


class HoldsRoles(Protocol):
    """A member of staff as the rules see one: the names of their roles."""

    @property
    def roles(self) -> Set[str]: ...


PERMISSIONS = {
    # Victims hold this one permission, on their own account and crimes only.
    "victim.self": _l("See their own crimes and manage their own account"),
    "account": _l("Use their own account"),
    "cases.view": _l("See crimes, their victims and their history"),
    "crimes.record": _l("Record a crime"),
    "crimes.update": _l("Post updates, change the stage and record outcomes"),
    "crimes.cancel": _l("Decide on the cancellation of a crime"),
    "crimes.assign": _l("Change the officer in charge of their team’s crimes"),
    "victims.manage": _l("Add victims to a crime and invite them"),
    "messages.read": _l(
        "Read and answer victims’ secure messages on the crimes they are in charge of "
        "(supervisors: on their team’s crimes)"
    ),
    "reports.view": _l("See Victims' Code compliance reports"),
    "team.view": _l("See the Victims' Code work due across their team"),
    "staff.manage": _l("Create staff accounts, grant and remove roles, disable accounts"),
    "audit.view": _l("See and export the audit trail"),
    "api_clients.manage": _l("Register records systems that use the API, and revoke their access"),
    "scrutiny.manage": _l(
        "Draw samples of out-of-court disposals for the scrutiny panel, see its results and record the force’s response"
    ),
    "scrutiny.grade": _l("Grade the anonymised out-of-court disposals of a scrutiny sample"),
    "incidents.read": _l(
        "See incidents, the crimes recorded from them and decisions not to record (supervisors: their team’s)"
    ),
    "incidents.decide": _l(
        "Enter the decision not to record a crime an incident disclosed, with its written reason "
        "(supervisors: on their team’s incidents)"
    ),
    "incidents.sign_off": _l(
        "Sign off their team’s decisions not to record a crime under a May 2023 exclusion"
    ),
    "action_plan.read": _l("See the force’s action plan after an inspection, and export it"),
    "action_plan.own": _l("See the action-plan actions they own and move them on"),
    "action_plan.manage": _l(
        "Manage the force’s action plan: recommendations, actions, owners, due dates, and completing actions"
    ),
    "audits.manage": _l("Plan crime data integrity audits and draw their samples"),
    "audits.judge": _l("Judge the records of a crime data integrity audit against its checklist"),
    "audits.rule": _l("Rule on a disputed judgement of a crime data integrity audit: the ruling is final"),
    "audits.findings": _l(
        "See the crime data integrity audit findings on their own or their team’s records "
        "(the Force Crime Registrar’s team: every finding)"
    ),
    "audits.answer": _l(
        "Dispute an audit finding on their own or their team’s record, and record putting it right"
    ),
    "audits.results": _l(
        "See the results of crime data integrity audits: compliance rates, estimates and trends, never a record"
    ),
    "property.record": _l(
        "Record the property a crime took or damaged and the items the police hold, and where each is now"
    ),
    # The versions of the Victims' Code (shared.domain.code_versions).
    "code_versions.manage": _l(
        "See the versions of the Victims’ Code and set the date a later version comes into force"
    ),
}

_CASEWORK = {"cases.view", "crimes.record", "crimes.update", "victims.manage", "property.record"}
# The force's action plan (shared.services.action_plan): the Force Crime Registrar's team
# manages it; supervisors, decision makers, analysts and the Commissioner's office read
# it; any of the force's own staff may be given an action to own and move on.
_PLAN_READ = {"action_plan.read", "action_plan.own"}
# A crime data integrity audit's findings (shared.services.cdi_findings): the officer whose
# record failed and their team's supervisors see them, dispute them and put them right;
# the Force Crime Registrar and the auditors see every finding; the registrar alone rules
# on a dispute, and no operational manager can overrule the ruling.
_FINDINGS = {"audits.findings", "audits.answer"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Victims' secure messages are read by whoever answers them: the officer in charge,
    # and the team's supervisors, who see what waits for a reply and hand a case on
    # (shared.services.secure_messages.may_read). Roles that see every crime in the force
    # to check the Code or a crime's record do not need what a victim wrote.
    "officer": frozenset(_CASEWORK | _FINDINGS | {"account", "messages.read", "action_plan.own"}),
    "supervisor": frozenset(
        _CASEWORK
        | _PLAN_READ
        | _FINDINGS
        | {
            "account",
            "messages.read",
            "reports.view",
            "team.view",
            "crimes.assign",
            "incidents.read",
            "incidents.decide",
            "incidents.sign_off",
        }
    ),
    "ddm": frozenset(
        _PLAN_READ
        | {"account", "cases.view", "crimes.cancel", "reports.view", "incidents.read", "incidents.decide"}
    ),
    "fcr": frozenset(
        _PLAN_READ
        | {
            "account",
            "cases.view",
            "crimes.cancel",
            "reports.view",
            "incidents.read",
            "incidents.decide",
            "scrutiny.manage",
            "action_plan.manage",
            "audits.manage",
            "audits.judge",
            "audits.rule",
            "audits.findings",
            "audits.results",
        }
    ),
    "analyst": frozenset(
        _PLAN_READ | {"account", "cases.view", "reports.view", "incidents.read", "audits.results"}
    ),
    # The Police and Crime Commissioner's office: compliance figures, never case records;
    # the action plan's board and export, not an action's page with the staff's comments;
    # audits' results, not their samples.
    "pcc": frozenset({"account", "reports.view", "action_plan.read", "audits.results"}),
    "admin": frozenset(
        {"account", "staff.manage", "audit.view", "api_clients.manage", "code_versions.manage"}
    ),
    # A member of the Commissioner's out-of-court disposal scrutiny panel, from outside
    # the force: the anonymised cases of a sample, never a record (shared.services.scrutiny).
    "panel": frozenset({"account", "scrutiny.grade"}),
    # A crime data auditor in the Force Crime Registrar's team, outside operational line
    # command: judges the records of an audit the FCR has drawn (shared.services.cdi_audits).
    "auditor": frozenset({"account", "audits.judge", "audits.findings", "audits.results"}),
}

VICTIM_PERMISSIONS = frozenset({"victim.self"})

ROLE_LABELS = {
    "officer": _l("Officer"),
    "supervisor": _l("Supervisor"),
    "ddm": _l("Designated decision maker"),
    "fcr": _l("Force crime registrar"),
    "analyst": _l("Compliance analyst"),
    "pcc": _l("Police and Crime Commissioner’s office"),
    "admin": _l("Administrator"),
    "panel": _l("Scrutiny panel member"),
    "auditor": _l("Crime data auditor"),
}

# Roles whose holders can take a case: they may work it (post updates, record outcomes,
# add victims). Only they may be made officer in charge, in the back office, through the
# API and by the import: a crime in the hands of anyone else is one nobody can work.
CASE_HOLDING_ROLES = frozenset(role for role, held in ROLE_PERMISSIONS.items() if _CASEWORK <= held)

# Roles that see every crime in the force (or, for the Commissioner's office, the whole
# force's compliance figures); the others see their own team's.
FORCE_WIDE_ROLES = frozenset({"ddm", "fcr", "analyst", "pcc"})


def permissions_of(user: Any) -> frozenset[str]:
    """Everything the signed-in user may do: the union of their roles' permissions.
    `user` is whoever Flask-Login holds (a member of staff, a victim, someone anonymous)
    or None: the rules know none of their classes, only what they say of themselves."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.kind == "victim":
        return VICTIM_PERMISSIONS
    return frozenset().union(*(ROLE_PERMISSIONS.get(role, frozenset()) for role in user.roles))


def can(user: Any, permission: str) -> bool:
    return permission in permissions_of(user)


def can_hold_cases(user: HoldsRoles) -> bool:
    """Whether this member of staff may be made officer in charge of a crime."""
    return bool(CASE_HOLDING_ROLES & user.roles)


def sees_whole_force(user: HoldsRoles) -> bool:
    return bool(FORCE_WIDE_ROLES & user.roles)


def requires(permission: str, audit: str | None = None) -> Callable[[V], V]:
    """Declare the permission a back-office view needs. `audit` names the action its
    GET requests write to the audit trail (default: the endpoint's name)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def mark(view: V) -> V:
        view.permission = permission  # type: ignore[attr-defined]  # a mark on the function object
        view.audit_action = audit  # type: ignore[attr-defined]  # a mark on the function object
        return view

    return mark
