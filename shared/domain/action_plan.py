"""The force's action plan after an inspection or an internal audit: where a
recommendation comes from, the themes its actions are grouped in, the statuses an action
moves through and who may move it where (victims-code.md section 6)."""

from shared.translation import lazy_gettext as _l

SOURCES = {
    "inspection": _l("Inspection"),
    "internal_audit": _l("Internal audit"),
    "other": _l("Other"),
}

# The five themes of the inspectorate's recommendations; a force adds its own
# (shared.models.action_plan.ActionTheme).
THEMES = {
    "leadership": _l("Leadership and governance"),
    "victim_focus": _l("Victim focus"),
    "processes": _l("Processes and systems"),
    "training": _l("Training"),
    "out_of_court": _l("Out-of-court disposals"),
}

STATUSES = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "awaiting_review": _l("Awaiting review"),
    "complete": _l("Complete"),
}
COMPLETE = "complete"
# The statuses an action's owner may move their own action between; only the Force
# Crime Registrar's team (action_plan.manage) marks an action complete, or reopens it.
OWNER_STATUSES = frozenset({"not_started", "in_progress", "awaiting_review"})

# What a line of an action's history records.
EVENT_KINDS = {
    "created": _l("Created"),
    "status": _l("Status changed"),
    "owner": _l("Owner changed"),
    "due_date": _l("Due date changed"),
}

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_COMMENT = 2000
MAX_THEME = 80
