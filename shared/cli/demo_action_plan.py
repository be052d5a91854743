"""The demo's action plan: the force's answer to a crime data integrity inspection in
2014 and its re-inspection a year later, 38 actions in the inspectorate's five themes, 29
complete and 9 in progress (two of them overdue), each with its dated history."""

from datetime import date, datetime, timedelta

from shared.extensions import db
from shared.models import Action, ActionEvent, Recommendation, StaffMember

INSPECTION = ("Crime data integrity inspection 2014", date(2014, 8, 21))
REINSPECTION = ("Crime data integrity re-inspection 2015", date(2015, 10, 8))

RECOMMENDATIONS = [
    # report, reference, text
    (
        INSPECTION,
        "Recommendation 1",
        "The chief constable should put in place a plan to improve crime recording.",
    ),
    (
        INSPECTION,
        "Recommendation 2",
        "Reports of crime to the control room should be recorded within 24 hours.",
    ),
    (INSPECTION, "Recommendation 3", "Victims should be told when a crime is cancelled, and why."),
    (
        INSPECTION,
        "Recommendation 4",
        "Out-of-court disposals should be used only where they are appropriate.",
    ),
    (
        REINSPECTION,
        "Recommendation 1",
        "The force should train all staff who record crime in the counting rules.",
    ),
    (
        REINSPECTION,
        "Recommendation 2",
        "The Force Crime Registrar should run an audit plan approved by the board.",
    ),
]

# theme, recommendation (index above), title; the first 29 are complete.
ACTIONS = [
    ("leadership", 0, "Name a chief officer lead for crime data integrity"),
    ("leadership", 0, "Set up a crime data integrity board meeting monthly"),
    ("leadership", 5, "Place the Force Crime Registrar outside operational line command"),
    ("leadership", 5, "Approve the Force Crime Registrar's annual audit plan"),
    ("leadership", 0, "Report recording compliance to the Police and Crime Commissioner each quarter"),
    ("victim_focus", 2, "Tell every victim when their crime is cancelled, with the reason"),
    ("victim_focus", 1, "Record the victim's account as enough to record a crime"),
    ("victim_focus", 2, "Give victims a way to follow their case online (track my crime)"),
    ("victim_focus", 1, "Check call-backs to victims of reports not yet recorded"),
    ("victim_focus", 2, "Review cancelled rapes with the victim's account in mind"),
    ("victim_focus", 1, "Publish the force's recording standard for victims"),
    ("processes", 1, "Record crimes reported to the control room within 24 hours"),
    ("processes", 1, "Create a crime-recording centre for reports by telephone"),
    ("processes", 1, "Link every crime record to the incident it came from"),
    ("processes", 2, "Route every cancellation to a designated decision maker"),
    ("processes", 1, "Close incidents only with a recorded crime or a written reason"),
    ("processes", 5, "Audit violence against the person every quarter"),
    ("processes", 5, "Audit sexual offences including N100 reports every quarter"),
    ("processes", 1, "Add a prompt for every crime disclosed in an incident"),
    ("training", 4, "Train call handlers in the National Crime Recording Standard"),
    ("training", 4, "Train response officers in the counting rules"),
    ("training", 4, "Train supervisors to check crimes recorded by their team"),
    ("training", 4, "Train designated decision makers in cancellation rules"),
    ("training", 4, "Add crime recording to the new recruits' course"),
    ("out_of_court", 3, "Check offender history before every out-of-court disposal"),
    ("out_of_court", 3, "Record the victim's views on every community resolution"),
    ("out_of_court", 3, "Set up a scrutiny panel for out-of-court disposals"),
    ("out_of_court", 3, "Require a sergeant's approval of every caution"),
    ("leadership", 0, "Include recording compliance in chief officers' performance reviews"),
    # In progress (two overdue: the last two).
    ("processes", 1, "Replace the crime recording system's incident link"),
    ("processes", 5, "Audit modern slavery crimes twice a year"),
    ("training", 4, "Refresh counting-rules training after the 2023 changes"),
    ("training", 4, "Train the public protection unit in the principal crime rule"),
    ("victim_focus", 2, "Send victims a letter in Welsh when they ask for one"),
    ("out_of_court", 3, "Publish the scrutiny panel's findings each quarter"),
    ("leadership", 0, "Review the action plan with the new Commissioner"),
    ("processes", 1, "Record harassment and stalking as the principal crime"),
    ("victim_focus", 1, "Audit how victims of antisocial behaviour are recorded"),
]
COMPLETE = 29

COMMENTS = {
    "created": "Agreed at the crime data integrity board.",
    "in_progress": "Work started; owner reports progress at each board.",
    "awaiting_review": "Done: evidence sent to the Force Crime Registrar for review.",
    "complete": "Reviewed by the Force Crime Registrar: complete.",
    "due_date": "New date agreed at the board: the work depends on the records system's release.",
}


def load(staff: list[StaffMember], now: datetime) -> None:
    """Add the action plan, dated in the past, and its history."""
    by_name = {member.name: member for member in staff}
    registrar = by_name["Martin Okafor"]
    owners = [
        by_name[name] for name in ("Martin Okafor", "Helen Carter", "Priya Shah", "Grace Lee", "Sam Taylor")
    ]
    recommendations = []
    for (title, day), reference, text in RECOMMENDATIONS:
        row = Recommendation(
            source="inspection",
            source_title=title,
            source_date=day,
            reference=reference,
            text=text,
            created_by_id=registrar.id,
            created_at=datetime(day.year, day.month, day.day, 12, tzinfo=now.tzinfo),
        )
        db.session.add(row)
        recommendations.append(row)
    db.session.flush()

    today = now.date()
    for number, (theme, recommendation, title) in enumerate(ACTIONS):
        source = recommendations[recommendation]
        created = datetime(
            source.source_date.year, source.source_date.month, 1, 9, tzinfo=now.tzinfo
        ) + timedelta(days=30 + number)
        owner = owners[number % len(owners)]
        first_due = (created + timedelta(days=180 + 7 * number)).date()
        action = Action(
            recommendation_id=source.id,
            title=title,
            theme=theme,
            owner_id=owner.id,
            due_on=first_due,
            status="not_started",
            created_at=created,
        )
        db.session.add(action)
        db.session.flush()
        events: list[tuple[str, str | None, str, datetime, StaffMember]] = [
            ("created", None, "not_started", created, registrar)
        ]
        events.append(("status", "not_started", "in_progress", created + timedelta(days=14), owner))
        if number < COMPLETE:
            done = created + timedelta(days=120 + 3 * number)
            events.append(("status", "in_progress", "awaiting_review", done, owner))
            events.append(("status", "awaiting_review", "complete", done + timedelta(days=10), registrar))
            action.status = "complete"
        else:
            # Overdue: the last two are due a few weeks ago; the others moved to the months ahead.
            late = number >= len(ACTIONS) - 2
            due = (
                today - timedelta(days=10 + 20 * (number - len(ACTIONS) + 2))
                if late
                else (today + timedelta(days=30 * (number - COMPLETE + 1)))
            )
            events.append(
                ("due_date", first_due.isoformat(), due.isoformat(), now - timedelta(days=60), registrar)
            )
            action.due_on = due
            action.status = "in_progress"
        for kind, old, new, at, by in events:
            comment = COMMENTS[kind] if kind in ("created", "due_date") else COMMENTS[new]
            db.session.add(
                ActionEvent(
                    action_id=action.id,
                    kind=kind,
                    from_value=old,
                    to_value=new,
                    comment=comment,
                    by_id=by.id,
                    at=at,
                )
            )
    db.session.flush()
