"""Who made a change: a member of staff, or a records system through the API. History
rows name either; columns that can only name staff are left empty for a records system
(the audit trail names it)."""

from shared.models import ApiClient, StaffMember

# Who a service acts for; None where the service makes the change itself.
Actor = StaffMember | ApiClient


def staff_id(actor: Actor | None) -> int | None:
    return actor.id if actor is not None and getattr(actor, "kind", None) == "staff" else None


def api_client_id(actor: Actor | None) -> int | None:
    return actor.id if actor is not None and getattr(actor, "kind", None) == "api" else None


def written_by(actor: Actor | None) -> dict[str, int | None]:
    """The author columns of a history row written by `actor`."""
    return {"author_id": staff_id(actor), "api_client_id": api_client_id(actor)}
