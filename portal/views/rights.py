"""The victim's rights under the Victims' Code for one crime, and what the police have
done about each, in plain words. Only the victim's own entitlements are read, and only
what a victim may see of them: no internal notes, complaint summaries or reasons written
by staff."""

from dataclasses import dataclass

from flask import current_app, render_template

from portal import bp
from portal.views.common import own_case_or_404
from shared.domain import code_versions
from shared.domain.permissions import requires
from shared.domain.reference_data import OFFENCES, PLAN_CHANNEL_LABELS
from shared.domain.victims_code_rules import (
    CANCELLATION_REASONS,
    CONDUCT_REVIEW_DAYS,
    PORTAL_WAY,
    SUPPORT_SERVICES,
    SYSTEM_REASONS,
    TOLD_EVENTS,
    VRR_REQUEST_MONTHS,
)
from shared.services import entitlements, victims_code_queries
from shared.services.code_versions import version_for
from shared.translation import gettext as _
from shared.translation import lazy_gettext as _l
from shared.translation import ngettext
from shared.web.locale import date_long

# Why a victim has enhanced rights, as they would say it.
ENHANCED_FOR_VICTIM = {
    "most_serious": _l("you are the victim of one of the most serious kinds of crime"),
    "persistently_targeted": _l("you have been targeted repeatedly or deliberately"),
    "vulnerable": _l("you are under 18, or you may need extra help to give evidence"),
    "intimidated": _l("giving evidence may cause you fear or distress"),
}

# Rules whose ways say how the victim was told ("by phone"), not what was done.
TOLD_RULES = frozenset({"acknowledgement", "event_told", "court_told", "contact_update", "update_request"})

TAGS = {
    "met_on_time": (_l("Done"), "govuk-tag--green"),
    "met_late": (_l("Done late"), "govuk-tag--yellow"),
    "pending": (_l("To do"), "govuk-tag--blue"),
    "overdue": (_l("Overdue"), "govuk-tag--red"),
    "declined": (_l("Not wanted"), "govuk-tag--grey"),
    "not_applicable": (_l("Does not apply"), "govuk-tag--grey"),
}


@dataclass
class Item:
    """One entitlement as the victim reads it."""

    tag: object
    tag_class: str
    text: str
    late_text: str | None = None


@dataclass
class Group:
    rule: object
    items: list[Item]
    # Earlier ones not listed (victims_code_queries.shown_for_victims).
    hidden: int = 0


def _way(ent, code: str | None):
    if code == PORTAL_WAY.code:
        return PORTAL_WAY
    return next((w for w in code_versions.rule(ent.code_version, ent.rule).ways if w.code == code), None)


def _sentence(text) -> str:
    text = str(text)
    return text[:1].upper() + text[1:] + "."


def _describe(ent, status: str) -> Item:
    tag, tag_class = TAGS[status]
    due = date_long(ent.due_at)
    if status in ("met_on_time", "met_late"):
        way = _way(ent, ent.way)
        how = way.victim_text if way else ""
        when = date_long(ent.met_at)
        if ent.rule in ("event_told", "court_told") and ent.event_kind in TOLD_EVENTS:
            text = _(
                "We told you about %(event)s on %(date)s, %(how)s.",
                event=TOLD_EVENTS[ent.event_kind][1],
                date=when,
                how=how,
            )
        elif ent.rule == "referral" and ent.detail in SUPPORT_SERVICES:
            text = _(
                "We referred you to %(service)s on %(date)s.", service=SUPPORT_SERVICES[ent.detail], date=when
            )
        elif ent.rule == "contact_update":
            text = _("We updated you on %(date)s, %(how)s.", date=when, how=how)
        elif ent.rule == "info_request_notice":
            text = _("We gave the written notice on %(date)s, %(how)s.", date=when, how=how)
        elif ent.rule in TOLD_RULES:
            text = _("Done on %(date)s, %(how)s.", date=when, how=how)
        else:
            text = _("Done on %(date)s: %(what)s.", date=when, what=how)
        late = (
            _("This was later than it should have been: it was due by %(date)s.", date=due)
            if status == "met_late"
            else None
        )
        return Item(tag, tag_class, text, late)
    if status == "declined":
        way = _way(ent, ent.way)
        return Item(
            tag, tag_class, _sentence(way.victim_text) if way else _("You told us you did not want this.")
        )
    if status == "not_applicable":
        # A reason a member of staff wrote is for staff; the victim sees only that it does not apply.
        if ent.reason in SYSTEM_REASONS:
            return Item(tag, tag_class, _sentence(SYSTEM_REASONS[ent.reason]))
        return Item(tag, tag_class, _("This does not apply to you."))
    # An event the victim has not been told of yet is not named: the officer tells them.
    if status == "overdue":
        if ent.rule == "event_told":
            return Item(
                tag,
                tag_class,
                _("Overdue: we should have told you about an important decision by %(date)s.", date=due),
            )
        return Item(tag, tag_class, _("Overdue: this should have been done by %(date)s.", date=due))
    if ent.due_at is None:
        return Item(
            tag, tag_class, _("We will do this by the time anyone is charged, if someone is charged.")
        )
    if ent.rule == "event_told":
        return Item(tag, tag_class, _("We will tell you about an important decision by %(date)s.", date=due))
    return Item(tag, tag_class, _("Due by %(date)s.", date=due))


def _groups(shown) -> list[Group]:
    """A group per right, in the order of the Code each entitlement was opened under
    (a victim's entitlements all follow one Code, that of the crime's report)."""
    by_rule: dict[tuple[str, str], list[Item]] = {}
    for row in shown.rows:
        ent = row.entitlement
        by_rule.setdefault((ent.code_version, ent.rule), []).append(_describe(ent, row.status))
    return [
        Group(code.rules[rule], by_rule[(version, rule)], shown.hidden.get(rule, 0))
        for version, code in code_versions.VERSIONS.items()
        for rule in code.rules
        if (version, rule) in by_rule
    ]


@bp.get("/cases/<public_id>/rights")
@requires("victim.self")
def rights(public_id):
    link = own_case_or_404(public_id)
    crime = link.crime
    shown = victims_code_queries.shown_for_victims([link.id], current_app.config["CODE_ROWS_PER_RIGHT"])[
        link.id
    ]
    categories = {right.category for right in entitlements.current_rights([link.id])[link.id]}
    plan = entitlements.current_plans([link.id]).get(link.id)
    # Open entitlements rank first of their right, so `shown` holds the one open agreed update.
    next_update = next(
        (
            r.entitlement
            for r in shown.rows
            if r.entitlement.rule == "contact_update" and r.entitlement.state == "open"
        ),
        None,
    )
    review_by = entitlements.review_request_by(crime)
    cancellation = CANCELLATION_REASONS.get(crime.cancellation_reason) if crime.cancelled_at else None
    return render_template(
        "portal/rights.html",
        link=link,
        crime=crime,
        offence=OFFENCES[crime.offence],
        groups=_groups(shown),
        code_title=code_versions.get(version_for(crime)).title,
        enhanced=[text for code, text in ENHANCED_FOR_VICTIM.items() if code in categories],
        days={
            code: entitlements.timescale_for(crime, code)
            for code in ("event_told", "complaint", "vrr_acknowledge", "vrr_decide")
        },
        enhanced_days=entitlements.timescale_for(crime, "event_told", True),
        plan=plan,
        channel=PLAN_CHANNEL_LABELS.get(plan.channel) if plan else None,
        next_update=next_update,
        review_by=review_by,
        review_months=VRR_REQUEST_MONTHS,
        conduct_review_days=CONDUCT_REVIEW_DAYS,
        cancelled_because=cancellation[1] if cancellation else None,
        every=ngettext("Every %(num)d day", "Every %(num)d days", plan.frequency_days) if plan else None,
    )
