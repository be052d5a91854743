"""What the back-office pages show, put together for their templates: an entitlement
in words, the Victims' Code panel and the notifications that could not be sent, on the
crime's page. Shared by the views here, so that no view imports another."""

from dataclasses import dataclass

from flask import current_app

from shared.domain import code_versions
from shared.domain.children import ADULT_AGE, CONTACTED, RELATIONSHIPS
from shared.domain.notification_kinds import KINDS
from shared.domain.reference_data import INTERMEDIARY_ROLES, PLAN_CHANNEL_LABELS
from shared.domain.victims_code_rules import (
    ENHANCED_CATEGORIES,
    ENHANCED_REASONS,
    PORTAL_WAY,
    STATUSES,
    SUPPORT_SERVICES,
    SYSTEM_REASONS,
    TOLD_EVENTS,
    Rule,
)
from shared.models import ContactPlan, Crime, CrimeVictim, EnhancedRight, Entitlement
from shared.services import entitlements, guardians, outbox_failures, victims_code_queries
from shared.translation import gettext as _

# MoJ badge colour for each status; the badge always carries the status in words.
STATUS_COLOURS = {
    "pending": "blue",
    "met_on_time": "green",
    "met_late": "purple",
    "overdue": "red",
    "declined": "grey",
    "not_applicable": "grey",
}


def entitlement_label(ent: Entitlement) -> str:
    """The entitlement in words for staff: for "victim told", which key event."""
    label = code_versions.rule(ent.code_version, ent.rule).label
    if ent.event_kind in TOLD_EVENTS:
        return _("%(entitlement)s: %(event)s", entitlement=label, event=TOLD_EVENTS[ent.event_kind][0])
    return str(label)


def how_met(ent: Entitlement) -> str | None:
    """How an entitlement was met or declined, with the support service for a referral;
    or why it does not apply."""
    if ent.state == "not_applicable":
        return str(SYSTEM_REASONS.get(ent.reason, ent.reason or ""))
    ways = {w.code: w for w in (*code_versions.rule(ent.code_version, ent.rule).ways, PORTAL_WAY)}
    way = ways.get(ent.way)
    if way is None:
        return None
    if way.needs_detail and ent.detail in SUPPORT_SERVICES:
        return _("%(way)s: %(service)s", way=way.label, service=SUPPORT_SERVICES[ent.detail])
    return str(way.label)


@dataclass
class Line:
    """One entitlement as the panel shows it."""

    entitlement: Entitlement
    status: str
    label: str
    how: str | None
    rule: Rule  # as the Code the entitlement was opened under has it


@dataclass
class VictimCode:
    link: CrimeVictim
    lines: list[Line]
    rights: list[EnhancedRight]
    plan: ContactPlan | None
    # Older entitlements left out of `lines` (victims_code_queries.shown_for_victims).
    hidden: int = 0

    @property
    def codes(self) -> list[str]:
        """The Codes the lines shown follow, oldest first, by name."""
        seen = {line.entitlement.code_version for line in self.lines}
        return [str(code.title) for version, code in code_versions.VERSIONS.items() if version in seen]


@dataclass
class Panel:
    victims: list[VictimCode]
    review_applies: bool
    statuses: dict
    colours: dict
    categories: dict
    reasons: dict
    channels: dict
    roles: dict
    per_right: int


def victims_code_panel(crime: Crime, links: list[CrimeVictim]) -> Panel:
    """What the crime's page shows of the Victims' Code for the victims on it (a page of
    them): a fixed number of queries, whatever the number of victims or entitlements."""
    link_ids = [link.id for link in links]
    per_right = current_app.config["CODE_ROWS_PER_RIGHT"]
    shown = victims_code_queries.shown_for_victims(link_ids, per_right)
    rights = entitlements.current_rights(link_ids)
    plans = entitlements.current_plans(link_ids)
    return Panel(
        victims=[
            VictimCode(
                link,
                [
                    Line(
                        r.entitlement,
                        r.status,
                        entitlement_label(r.entitlement),
                        how_met(r.entitlement),
                        code_versions.rule(r.entitlement.code_version, r.entitlement.rule),
                    )
                    for r in shown[link.id].rows
                ],
                rights.get(link.id, []),
                plans.get(link.id),
                shown[link.id].hidden_total,
            )
            for link in links
        ],
        review_applies=entitlements.review_applies(crime),
        statuses=STATUSES,
        colours=STATUS_COLOURS,
        categories=ENHANCED_CATEGORIES,
        reasons=ENHANCED_REASONS,
        channels=PLAN_CHANNEL_LABELS,
        roles=INTERMEDIARY_ROLES,
        per_right=per_right,
    )


# The crime's page warns of at most this many notifications that could not be sent.
FAILED_SHOWN = 20


def failed_notifications(crime: Crime) -> dict:
    """The notifications to any of the crime's victims (not only those on this page of
    victims) that could not be sent and that nobody has dealt with yet, the latest
    first, as the crime's page warns of them. One query, whatever the numbers."""
    failed = outbox_failures.latest_failed_on_crime(crime, FAILED_SHOWN)
    return {
        "failed_notifications": failed.items,
        "failed_more": failed.more,
        "notification_kinds": KINDS,
        "failure_reasons": outbox_failures.REASONS,
    }


def guardian_rows(links: list[CrimeVictim]) -> dict:
    """For the victims on a crime's page: the parent or guardian recorded for each, which
    of them are children (a parent or guardian may be recorded), and which may be invited
    themselves (not a child whose parent or guardian alone is contacted). One query."""
    by_link = guardians.of_victims(links)
    children = set()
    for link in links:
        age = guardians.age_of(link)
        if age is not None and age < ADULT_AGE:
            children.add(link.id)
    return {
        "guardian_by_link": by_link,
        "child_links": children,
        "victim_invitable": {
            link.id for link in links if "victim" in guardians.reached_with(link, by_link.get(link.id))
        },
        "relationships": RELATIONSHIPS,
        "contacted": CONTACTED,
        "today": guardians.today(),
    }
