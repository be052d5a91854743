"""The rows of a force-year, made chunk by chunk as lines of COPY's text format.

Each crime is lived through as the service would have recorded it: a story of stage
changes, key events and updates, then an outcome (or a cancellation) for those whose
investigation is over by `now`. Every victim gets what `shared.services.entitlements`
opens for them (the four duties on recording, "victim told" per key event, the chain of
agreed updates, now and then a complaint or a review), due by the app's own calendar,
and met, declined or left open the way officers do. Times are whole seconds since the
epoch (UTC) until they are written.
"""

import math
import random
from bisect import bisect, bisect_right
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from bench import data
from shared.domain.incident_reference import SIGN_OFF_REASONS
from shared.domain.permissions import ROLE_PERMISSIONS
from shared.domain.reference_data import OFFENCES, OUTCOMES
from shared.domain.victims_code_rules import (
    CONSENT_OFFENCE_GROUPS,
    CONSENT_OFFENCES,
    CONSENT_REASONS,
    ENHANCED_REASONS,
    INTIMIDATED_OFFENCE_GROUPS,
    INTIMIDATED_OFFENCES,
    KEY_EVENTS,
    MOST_SERIOUS_OFFENCES,
    ON_RECORDING,
    PORTAL_WAY,
    RULES,
    VRR_INTERVIEW_EVENTS,
    VRR_OUTCOMES,
    default_timescales,
    outcome_event,
    timescale_key,
)
from shared.services import calendar

# Tables and the columns loaded, in the order they are loaded.
COLUMNS = {
    "team": ("id", "name"),
    "staff_member": (
        "id",
        "name",
        "collar_number",
        "email",
        "team_id",
        "password_hash",
        "active",
        "created_at",
    ),
    "staff_role": ("staff_id", "role"),
    "incident": (
        "id",
        "reference",
        "received_at",
        "route",
        "disclosed_crime",
        "offence_group",
        "summary",
        "closing_code",
        "team_id",
        "not_recorded_reason",
        "not_recorded_note",
        "not_recorded_at",
        "not_recorded_by_id",
        "needs_sign_off",
        "signed_off_at",
        "signed_off_by_id",
        "n100",
        "n100_resolution",
        "n100_resolved_at",
        "created_at",
    ),
    "crime": (
        "id",
        "reference",
        "offence",
        "offence_group",
        "occurred_at",
        "reported_at",
        "recorded_at",
        "stage",
        "officer_in_charge_id",
        "team_id",
        "outcome",
        "outcome_at",
        "created_at",
        "cancellation_reason",
        "cancellation_note",
        "cancelled_at",
        "cancelled_by_id",
        "cancelled_by_role",
        "incident_id",
    ),
    "victim": (
        "id",
        "name",
        "date_of_birth",
        "email",
        "phone",
        "preferred_language",
        "contact_channel",
        "interpreter_language",
        "communication_needs",
        "password_hash",
        "activated_at",
        "created_at",
    ),
    "crime_victim": ("id", "public_id", "crime_id", "victim_id", "added_at", "added_by_id"),
    "enhanced_right": (
        "id",
        "crime_victim_id",
        "category",
        "reason",
        "applies",
        "note",
        "assessed_by_id",
        "assessed_at",
    ),
    "contact_plan": (
        "id",
        "crime_victim_id",
        "frequency_days",
        "channel",
        "language",
        "safe_to_contact",
        "opted_out",
        "note",
        "changed_by_id",
        "changed_at",
    ),
    "investigation_update": (
        "id",
        "crime_id",
        "kind",
        "victim_text",
        "visible_to_victim",
        "new_stage",
        "new_outcome",
        "author_id",
        "created_at",
        "occurred_at",
    ),
    "internal_note": ("id", "update_id", "text"),
    "entitlement": (
        "id",
        "crime_id",
        "crime_victim_id",
        "rule",
        "event_kind",
        "update_id",
        "triggered_at",
        "due_at",
        "enhanced",
        "state",
        "met_at",
        "way",
        "detail",
        "reason",
        "closed_by_id",
        "created_at",
    ),
    "entitlement_event": (
        "id",
        "entitlement_id",
        "action",
        "state",
        "due_at",
        "met_at",
        "way",
        "detail",
        "reason",
        "by_id",
        "at",
    ),
    "secure_message": (
        "id",
        "crime_victim_id",
        "crime_id",
        "sender",
        "author_id",
        "to_staff_id",
        "body",
        "sent_at",
        "read_at",
    ),
}
# Tables whose rows come with the crimes (the staff tables are written once, first).
CRIME_TABLES = tuple(t for t in COLUMNS if t not in ("team", "staff_member", "staff_role"))

N = "\\N"  # NULL in COPY's text format
DAY, HOUR, MINUTE = 86400, 3600, 60
CRIMES_PER_TEAM = 25_000
CRIMES_PER_OFFICER = 250
# How officers meet what is owed (victims-code.md section 8): once due, this share met
# on time, then met late, then declined or not applicable; the rest is still open.
ON_TIME, LATE, DECLINED = 0.88, 0.94, 0.97
MET_BEFORE_DUE = 0.5  # not yet due: already met
ONLINE = 0.30  # victims with an account on the service
CANCELLED = 0.005
# Force-wide staff: role, how many, team.
FORCE_STAFF = (
    ("ddm", 2, "Crime Standards Unit"),
    ("fcr", 1, "Crime Standards Unit"),
    ("analyst", 2, "Performance and Insight"),
    ("pcc", 1, "Office of the Police and Crime Commissioner"),
    ("admin", 1, "Performance and Insight"),
)
# Recorded crime by hour of the day (UTC), busiest in the afternoon and evening.
HOUR_WEIGHTS = (2, 1.5, 1, 1, 1, 1, 1.5, 3, 5, 6, 6, 6, 6, 6, 6, 6, 6.5, 7, 7, 6.5, 6, 5, 4, 3)


def _cumulative(weights) -> list[float]:
    return list(accumulate(weights))


class _Choice:
    """A weighted choice among the keys of `weights`."""

    def __init__(self, weights: dict):
        self.keys = list(weights)
        self.cum = _cumulative(weights.values())

    def __call__(self, rng: random.Random):
        return self.keys[bisect(self.cum, rng.random() * self.cum[-1])]


class Clock:
    """Timestamps written for COPY, local dates and Victims' Code deadlines, computed once
    per local date through `shared.services.calendar` and kept."""

    def __init__(self, now: int, first: int):
        self.now = now
        self.first_day = first // DAY - 2
        last_day = now // DAY + 800  # deadlines and dates of birth stay well inside
        self.days = [
            (date(1970, 1, 1) + timedelta(days=d)).isoformat() + " " for d in range(self.first_day, last_day)
        ]
        self.clock = [f"{h:02d}:{m:02d}:{s:02d}+00" for h in range(24) for m in range(60) for s in range(60)]
        self.first_hour = self.first_day * 24
        # The local date (ordinal) for each UTC hour: clocks change on the hour.
        self.local = [
            calendar.local_date(datetime.fromtimestamp(h * HOUR, UTC)).toordinal()
            for h in range(self.first_hour, (now // HOUR) + 2)
        ]
        self._working: dict[tuple[int, int], int] = {}
        self._calendar: dict[tuple[int, int], int] = {}
        self._end: dict[int, int] = {}

    def ts(self, s: int) -> str:
        return self.days[s // DAY - self.first_day] + self.clock[s % DAY]

    def local_ordinal(self, s: int) -> int:
        return self.local[s // HOUR - self.first_hour]

    @staticmethod
    def _noon(ordinal: int) -> datetime:
        return datetime.combine(date.fromordinal(ordinal), time(12), tzinfo=calendar.LONDON)

    def working(self, s: int, days: int) -> int:
        key = (self.local[s // HOUR - self.first_hour], days)
        due = self._working.get(key)
        if due is None:
            due = self._working[key] = int(
                calendar.working_day_deadline(self._noon(key[0]), days).timestamp()
            )
        return due

    def calendar_days(self, s: int, days: int) -> int:
        key = (self.local[s // HOUR - self.first_hour], days)
        due = self._calendar.get(key)
        if due is None:
            due = self._calendar[key] = int(
                calendar.calendar_day_deadline(self._noon(key[0]), days).timestamp()
            )
        return due

    def end_of_day(self, s: int) -> int:
        ordinal = self.local[s // HOUR - self.first_hour]
        end = self._end.get(ordinal)
        if end is None:
            end = self._end[ordinal] = int(calendar.end_of_local_day(date.fromordinal(ordinal)).timestamp())
        return end


def _pool(openings, follow_ups, rng: random.Random, size: int, low: int = 150, high: int = 400) -> list[str]:
    """`size` texts of two or three sentences, mostly `low` to `high` characters long."""
    out = []
    for _ in range(size):
        parts = [rng.choice(openings)]
        while len(" ".join(parts)) < low and len(parts) < 4:
            parts.append(rng.choice(follow_ups))
        if len(" ".join(parts)) < high - 120 and rng.random() < 0.5:
            parts.append(rng.choice(follow_ups))
        out.append(data.copy_text(" ".join(dict.fromkeys(parts))))
    return out


class Texts:
    """Composed texts, made once per run from a seeded generator."""

    def __init__(self, rng: random.Random):
        self.general = _pool(data.GENERAL_OPENINGS, data.GENERAL_FOLLOW_UPS, rng, 3000)
        self.key_event = {
            kind: _pool(openings, data.KEY_EVENT_FOLLOW_UPS[kind] + data.GENERAL_FOLLOW_UPS[4:6], rng, 60)
            for kind, openings in data.KEY_EVENT_OPENINGS.items()
        }
        self.stage = {stage: [data.copy_text(t) for t in texts] for stage, texts in data.STAGE_TEXTS.items()}
        self.outcome = [data.copy_text(t) for t in data.OUTCOME_TEXTS]
        self.welsh_general = [data.copy_text(t) for t in data.WELSH_GENERAL]
        self.welsh_key_event = {kind: data.copy_text(t) for kind, t in data.WELSH_KEY_EVENT.items()}
        notes = data.INTERNAL_NOTES
        self.notes = [
            data.copy_text(" ".join(dict.fromkeys(rng.choices(notes, k=rng.randint(1, 3)))))
            for _ in range(500)
        ]
        self.na_reasons = [data.copy_text(t) for t in data.NOT_APPLICABLE_REASONS]
        self.complaints = [data.copy_text(t) for t in data.COMPLAINTS]
        self.victim_messages = [data.copy_text(t) for t in data.VICTIM_MESSAGES]
        self.staff_messages = [data.copy_text(t) for t in data.STAFF_MESSAGES]
        self.assessment_notes = [data.copy_text(t) for t in data.ASSESSMENT_NOTES]
        self.cancellation = {
            code: [data.copy_text(t) for t in notes] for code, notes in data.CANCELLATION_NOTES.items()
        }


_WAYS = {
    (rule.code, result): tuple(w.code for w in rule.ways if w.result == result)
    for rule in RULES.values()
    for result in ("met", "declined")
}


def _ways(rule: str, result: str) -> tuple[str, ...]:
    return _WAYS[(rule, result)]


class Force:
    """The staff of a force sized for `crimes` a year, and its crimes, chunk by chunk.
    Ids are given here, in order, so every chunk's rows refer to each other directly."""

    def __init__(self, crimes: int, seed: int, now: datetime, password_hash: str):
        self.crimes = crimes
        self.seed = seed
        self.now = int(now.timestamp())
        self.start = self.now - 365 * DAY
        self.clock = Clock(self.now, self.start - 40 * DAY)
        self.password_hash = password_hash
        setup = random.Random(seed)  # noqa: S311  (repeatable benchmark data, not security)
        self.texts = Texts(setup)
        self.timescales = default_timescales()
        self.frequency = self.timescales["contact_update"]
        self._offences()
        self._days()
        self._staff(setup)
        self.next = dict.fromkeys(CRIME_TABLES, 1)

    # ------------------------------------------------------------------ set-up

    def _offences(self) -> None:
        codes = list(OFFENCES)
        self.offence_codes = codes
        self.offence_cum = _cumulative(data.OFFENCE_WEIGHTS.get(c, data.RARE_OFFENCE_WEIGHT) for c in codes)
        self.outcomes = {}
        for group in {o.group for o in OFFENCES.values()}:
            weights = {k: v for k, v in data.outcome_weights(group).items() if k in OUTCOMES}
            self.outcomes[group] = (list(weights), _cumulative(weights.values()))
        self.hour_cum = _cumulative(HOUR_WEIGHTS)
        self.routes = _Choice(data.INCIDENT_ROUTE_WEIGHTS)
        self.no_crime_closing = _Choice(data.NO_CRIME_CLOSING)
        self.not_recorded = _Choice(data.NOT_RECORDED_WEIGHTS)
        self.n100_resolutions = _Choice(data.N100_LONE_RESOLUTIONS)
        self.summaries = [data.copy_text(t) for t in data.INCIDENT_SUMMARIES]
        self.not_recorded_notes = [data.copy_text(t) for t in data.NOT_RECORDED_NOTES]

    def _days(self) -> None:
        """Crimes per day over the year: a little more in summer."""
        first_day = self.start // DAY
        weights = []
        for d in range(first_day, self.now // DAY + 1):
            day = date(1970, 1, 1) + timedelta(days=d)
            weight = 1 + 0.12 * math.cos((day.timetuple().tm_yday - 196) / 365 * 2 * math.pi)
            start = max(d * DAY, self.start)
            end = min((d + 1) * DAY, self.now - 10 * MINUTE)
            weights.append(weight * max(0, end - start) / DAY)
        self.day_first = first_day
        self.day_cum = _cumulative(weights)

    def _staff(self, rng: random.Random) -> None:
        self.team_count = max(2, round(self.crimes / CRIMES_PER_TEAM))
        officer_count = max(5, round(self.crimes / CRIMES_PER_OFFICER))
        teams = []
        places, units = data.TEAM_PLACES, data.TEAM_UNITS
        for i in range(self.team_count):
            place, unit = places[i % len(places)], units[(i // len(places)) % len(units)]
            teams.append(f"{place} {unit} {i // (len(places) * len(units)) + 1}")
        extra = []
        for _, _, team in FORCE_STAFF:
            if team not in extra:
                extra.append(team)
        self.team_rows = [
            f"{i}\t{data.copy_text(name)}\n" for i, name in enumerate([*teams, *extra], start=1)
        ]
        team_id = {name: i for i, name in enumerate([*teams, *extra], start=1)}
        created = self.clock.ts(self.start - 30 * DAY)
        staff_rows, role_rows = [], []
        self.officers: list[tuple[int, int]] = []  # (staff id, team id)
        weights = []
        supervisors = set()
        for n in range(1, officer_count + 1):
            team = (n - 1) % self.team_count + 1
            self.officers.append((n, team))
            # Caseloads are skewed: a few officers carry three times the median.
            weights.append(min(rng.lognormvariate(0, 0.5), 3.2))
            roles = ["officer"]
            if team not in supervisors:
                supervisors.add(team)
                roles.append("supervisor")
            staff_rows.append(self._staff_row(rng, n, team, created))
            role_rows += [f"{n}\t{role}\n" for role in roles]
        self.officer_cum = _cumulative(weights)
        self.cancellers: list[tuple[int, str]] = []
        n = officer_count
        for role, count, team in FORCE_STAFF:
            for _ in range(count):
                n += 1
                staff_rows.append(self._staff_row(rng, n, team_id[team], created))
                role_rows.append(f"{n}\t{role}\n")
                if role in ("ddm", "fcr"):
                    self.cancellers.append((n, role))
        unknown = {row.split("\t")[1].strip() for row in role_rows} - set(ROLE_PERMISSIONS)
        if unknown:
            raise ValueError(f"unknown roles {unknown}")
        self.staff_count = n
        self.staff_rows = staff_rows
        self.role_rows = role_rows

    def _staff_row(self, rng: random.Random, n: int, team: int, created: str) -> str:
        name = data.copy_text(f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.SURNAMES)}")
        return f"{n}\t{name}\t{1000 + n}\tofficer{n}@police.example\t{team}\t{N}\tt\t{created}\n"

    def staff_tables(self) -> dict[str, str]:
        return {
            "team": "".join(self.team_rows),
            "staff_member": "".join(self.staff_rows),
            "staff_role": "".join(self.role_rows),
        }

    def counts(self) -> dict[str, int]:
        """Rows written so far, per table."""
        out = {
            "team": len(self.team_rows),
            "staff_member": self.staff_count,
            "staff_role": len(self.role_rows),
        }
        out.update({table: self.next[table] - 1 for table in CRIME_TABLES})
        return out

    # ------------------------------------------------------------------- crimes

    def chunk(self, index: int, first: int, count: int) -> dict[str, str]:
        """The rows of crimes `first` to `first + count - 1` (0-based), as COPY text per
        table. Chunks must be made in order: ids carry on from the previous one."""
        rng = random.Random(self.seed * 1_000_003 + index)  # noqa: S311  (repeatable, not security)
        out = _Chunk(self, rng)
        for i in range(first, first + count):
            out.crime(i)
        return out.finish()


class _Chunk:
    """The rows of one chunk of crimes, and the id counters they carry on."""

    def __init__(self, force: Force, rng: random.Random):
        self.f = force
        self.rng = rng
        self.rows = {table: [] for table in CRIME_TABLES}
        nxt = force.next
        self.victim_id = nxt["victim"]
        self.link_id = nxt["crime_victim"]
        self.right_id = nxt["enhanced_right"]
        self.plan_id = nxt["contact_plan"]
        self.update_id = nxt["investigation_update"]
        self.note_id = nxt["internal_note"]
        self.ent_id = nxt["entitlement"]
        self.event_id = nxt["entitlement_event"]
        self.message_id = nxt["secure_message"]
        self.incident_id = nxt["incident"]
        self.ts = force.clock.ts
        self.working = force.clock.working
        self.ent_rows = self.rows["entitlement"]
        self.event_rows = self.rows["entitlement_event"]

    def finish(self) -> dict[str, str]:
        nxt = self.f.next
        nxt["victim"] = self.victim_id
        nxt["crime_victim"] = self.link_id
        nxt["enhanced_right"] = self.right_id
        nxt["contact_plan"] = self.plan_id
        nxt["investigation_update"] = self.update_id
        nxt["internal_note"] = self.note_id
        nxt["entitlement"] = self.ent_id
        nxt["entitlement_event"] = self.event_id
        nxt["secure_message"] = self.message_id
        nxt["incident"] = self.incident_id
        return {table: "".join(rows) for table, rows in self.rows.items()}

    # ----------------------------------------------------------------- the crime

    def crime(self, i: int) -> None:
        f, rng, ts, now = self.f, self.rng, self.ts, self.f.now
        crime_id = i + 1
        f.next["crime"] = crime_id + 1
        recorded = self._recorded_at(i)
        delay = (
            int(rng.expovariate(1 / (4 * HOUR))) if rng.random() < 0.9 else int(rng.uniform(24, 48) * HOUR)
        )
        reported = recorded - delay
        roll = rng.random()
        if roll < 0.7:
            gap = rng.randrange(6 * HOUR)
        else:
            gap = rng.randrange(6 * HOUR, 3 * DAY) if roll < 0.9 else rng.randrange(3 * DAY, 30 * DAY)
        occurred = reported - gap
        offence = f.offence_codes[bisect(f.offence_cum, rng.random() * f.offence_cum[-1])]
        group = OFFENCES[offence].group
        officer, team = f.officers[bisect(f.officer_cum, rng.random() * f.officer_cum[-1])]
        codes, cum = f.outcomes[group]
        outcome = codes[bisect(cum, rng.random() * cum[-1])]
        story = _Story(self, rng, recorded, outcome, officer)
        story.build()
        cancelled_at = cancel_reason = canceller = None
        if rng.random() < CANCELLED:
            at = recorded + int(rng.uniform(0.1, 20) * DAY)
            if at < now - HOUR:
                cancelled_at = at
                canceller = f.cancellers[rng.randrange(len(f.cancellers))]
                cancel_reason = data.CANCELLATION_SHARES[bisect(_CANCEL_CUM, rng.random() * _CANCEL_CUM[-1])][
                    0
                ]
                story.cancel(at, canceller[0])
        welsh = rng.random() < 0.05
        updates = story.write(crime_id, welsh)
        stage, final_outcome, outcome_at = story.stage, story.outcome, story.outcome_at
        local_year = date.fromordinal(f.clock.local_ordinal(recorded)).year % 100
        reference = f"GEN/{local_year:02d}/{crime_id:07d}"
        incident_id = self._incident(reported, recorded, offence, group, team)
        if cancelled_at is not None:
            cancel_cols = f"{cancel_reason}\t{rng.choice(f.texts.cancellation[cancel_reason])}\t{ts(cancelled_at)}\t{canceller[0]}\t{canceller[1]}"
        else:
            cancel_cols = f"{N}\t{N}\t{N}\t{N}\t{N}"
        self.rows["crime"].append(
            f"{crime_id}\t{reference}\t{offence}\t{group}\t{ts(occurred)}\t{ts(reported)}\t{ts(recorded)}\t{stage}\t"
            f"{officer}\t{team}\t{final_outcome if final_outcome is not None else N}\t"
            f"{ts(outcome_at) if outcome_at is not None else N}\t{ts(recorded)}\t{cancel_cols}\t{incident_id}\n"
        )
        if rng.random() < data.LONE_INCIDENTS_PER_CRIME:
            self._lone_incident(i)
        victims = 1
        roll = rng.random() * 100
        for count, share in data.VICTIMS_PER_CRIME:
            roll -= share
            if roll < 0:
                victims = count
                break
        for number in range(victims):
            self._victim(
                crime_id,
                offence,
                group,
                officer,
                recorded,
                reported,
                story,
                updates,
                cancelled_at,
                canceller,
                welsh if number == 0 else rng.random() < 0.05,
            )

    # ------------------------------------------------------------ the incidents

    def _incident_row(self, received: int, route: str, *columns) -> int:
        """Add an incident; its id. `columns` are those after the route, as COPY text."""
        incident_id = self.incident_id
        self.incident_id += 1
        year = date.fromordinal(self.f.clock.local_ordinal(received)).year % 100
        self.rows["incident"].append(
            f"{incident_id}\tINC/{year:02d}/{incident_id:08d}\t{self.ts(received)}\t{route}\t"
            + "\t".join(str(c) for c in columns)
            + f"\t{self.ts(received)}\n"
        )
        return incident_id

    def _incident(self, reported: int, recorded: int, offence: str, group: str, team: int) -> int:
        """The incident a crime was recorded from, received when the crime was reported;
        now and then a rape report first flagged N100 and resolved by recording it."""
        f, rng, ts = self.f, self.rng, self.ts
        n100 = offence == "rape" and rng.random() < data.N100_OF_RAPE
        return self._incident_row(
            reported,
            f.routes(rng),
            "t",
            group,
            rng.choice(f.summaries),
            "crime_recorded",
            team,
            *(N,) * 4,
            "f",
            N,
            N,
            "t" if n100 else "f",
            "recorded_rape" if n100 else N,
            ts(recorded) if n100 else N,
        )

    def _lone_incident(self, i: int) -> None:
        """An incident no crime was recorded from: no crime disclosed, or a possible crime
        not recorded with a written reason and who decided (a supervisor signing off the
        May 2023 exclusions), a few of them N100 records."""
        f, rng, ts = self.f, self.rng, self.ts
        received = self._recorded_at(i)
        route = f.routes(rng)
        summary = rng.choice(f.summaries)
        officer, team = f.officers[bisect(f.officer_cum, rng.random() * f.officer_cum[-1])]
        if rng.random() >= data.NOT_RECORDED_SHARE:
            self._incident_row(
                received,
                route,
                "f",
                N,
                summary,
                f.no_crime_closing(rng),
                team,
                *(N,) * 4,
                "f",
                N,
                N,
                "f",
                N,
                N,
            )
            return
        decided = min(received + int(rng.uniform(0.5, 20) * HOUR), f.now - MINUTE)
        n100 = rng.random() < data.N100_OF_LONE
        if n100:
            group, reason, resolution = "sexual", "no_crime_balance", f.n100_resolutions(rng)
            if resolution == "recorded_elsewhere":
                reason = "recorded_elsewhere"
        else:
            offence = f.offence_codes[bisect(f.offence_cum, rng.random() * f.offence_cum[-1])]
            group, reason, resolution = OFFENCES[offence].group, f.not_recorded(rng), None
        sign_off = reason in SIGN_OFF_REASONS
        signed = sign_off and rng.random() < 0.9 and decided + DAY < f.now
        self._incident_row(
            received,
            route,
            "t",
            group,
            summary,
            "transferred" if resolution == "transferred" else "crime_not_recorded",
            team,
            reason,
            rng.choice(f.not_recorded_notes),
            ts(decided),
            officer,
            "t" if sign_off else "f",
            ts(decided + int(rng.uniform(1, 20) * HOUR)) if signed else N,
            team if signed else N,  # the first officer of each team is its supervisor
            "t" if n100 else "f",
            resolution or N,
            ts(decided) if n100 else N,
        )

    def _recorded_at(self, i: int) -> int:
        f, rng = self.f, self.rng
        target = (i + rng.random()) / f.crimes * f.day_cum[-1]
        day = min(bisect(f.day_cum, target), len(f.day_cum) - 1)
        day_start = (f.day_first + day) * DAY
        low, high = max(day_start, f.start), min(day_start + DAY, f.now - 10 * MINUTE)
        for _ in range(4):
            hour = bisect(f.hour_cum, rng.random() * f.hour_cum[-1])
            at = day_start + hour * HOUR + rng.randrange(HOUR)
            if low <= at < high:
                return at
        return rng.randrange(low, high) if high > low else high

    # -------------------------------------------------------------- the victims

    def _victim(
        self,
        crime_id,
        offence,
        group,
        officer,
        recorded,
        reported,
        story,
        updates,
        cancelled_at,
        canceller,
        welsh,
    ) -> None:
        f, rng, ts, now = self.f, self.rng, self.ts, self.f.now
        victim_id, link_id = self.victim_id, self.link_id
        self.victim_id += 1
        self.link_id += 1
        added = recorded + rng.randrange(MINUTE, HOUR)
        if added > now - MINUTE:
            added = max(recorded, now - MINUTE)
        name = data.copy_text(f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.SURNAMES)}")
        report_day = f.clock.local_ordinal(reported)
        child = rng.random() < 0.12
        age_days = (
            rng.randrange(10 * 365, 18 * 365 - 2) if child else int(rng.triangular(18, 90, 32) * 365.25)
        )
        born = date.fromordinal(report_day - age_days)
        report_date = date.fromordinal(report_day)
        under_18 = (
            report_date.year - born.year - ((report_date.month, report_date.day) < (born.month, born.day))
            < 18
        )
        language = "cy" if welsh else "en"
        has_email = rng.random() < 0.9
        email = f"victim{victim_id}@example.org" if has_email else None
        roll = rng.random()
        if has_email:
            channel = (
                "email" if roll < 0.78 else "sms" if roll < 0.88 else "phone" if roll < 0.96 else "letter"
            )
        else:
            channel = "phone" if roll < 0.6 else "sms" if roll < 0.85 else "letter"
        phone = f"07700 9{rng.randrange(100000):05d}" if rng.random() < 0.92 or not has_email else None
        online = has_email and rng.random() < ONLINE / 0.9
        activated = None
        if online:
            activated = added + int(rng.expovariate(1 / (2 * DAY))) + MINUTE
            if activated >= now:
                activated = added + int((now - added) * rng.random())
        interpreter = rng.choice(data.INTERPRETER_LANGUAGES) if rng.random() < 0.02 else None
        needs = data.copy_text(rng.choice(data.COMMUNICATION_NEEDS)) if rng.random() < 0.02 else None
        self.rows["victim"].append(
            f"{victim_id}\t{name}\t{born.isoformat()}\t{email or N}\t{phone or N}\t{language}\t{channel}\t"
            f"{interpreter or N}\t{needs or N}\t{f.password_hash if online else N}\t{ts(activated) if online else N}\t{ts(added)}\n"
        )
        self.rows["crime_victim"].append(
            f"{link_id}\t{rng.getrandbits(128):032x}\t{crime_id}\t{victim_id}\t{ts(added)}\t{officer}\n"
        )

        # Enhanced rights: derived as the service derives them, and now and then assessed.
        rights = []
        if offence in MOST_SERIOUS_OFFENCES:
            rights.append(("most_serious", "offence", None))
        if under_18:
            rights.append(("vulnerable", "under_18", None))
        if group in INTIMIDATED_OFFENCE_GROUPS or offence in INTIMIDATED_OFFENCES:
            rights.append(("intimidated", "offence", None))
        if rng.random() < 0.05:
            assessed = _assessed(rng, offence)
            if assessed[0] not in {r[0] for r in rights}:
                rights.append((*assessed, rng.choice(f.texts.assessment_notes)))
        for category, reason, note in rights:
            if note is None:
                self.rows["enhanced_right"].append(
                    f"{self.right_id}\t{link_id}\t{category}\t{reason}\tt\t{N}\t{N}\t{ts(added)}\n"
                )
            else:
                at = min(added + rng.randrange(MINUTE, 20 * MINUTE), now)
                self.rows["enhanced_right"].append(
                    f"{self.right_id}\t{link_id}\t{category}\t{reason}\tt\t{note}\t{officer}\t{ts(at)}\n"
                )
            self.right_id += 1
        enhanced = bool(rights)
        consent = (
            group in CONSENT_OFFENCE_GROUPS
            or offence in CONSENT_OFFENCES
            or any((c, r) in CONSENT_REASONS for c, r, _ in rights)
        )

        # The contact plan the service starts with, and now and then one agreed after.
        frequency = f.frequency
        self.rows["contact_plan"].append(
            f"{self.plan_id}\t{link_id}\t{frequency}\t{channel}\t{language}\tt\tf\t{N}\t{N}\t{ts(added)}\n"
        )
        self.plan_id += 1
        opted_out_at = None
        plan_changed_at = None
        if rng.random() < 0.08:
            plan_changed_at = min(added + rng.randrange(HOUR, 2 * DAY), now)
            roll = rng.random()
            opted_out = roll < 0.35
            frequency = f.frequency if opted_out else rng.choice((7, 14, 14, 21, 42, 56))
            safe = "f" if roll > 0.6 else "t"
            note = None
            if opted_out:
                note = data.OPTED_OUT_NOTE
            elif rng.random() < 0.5:
                note = rng.choice(data.PLAN_NOTES)
            self.rows["contact_plan"].append(
                f"{self.plan_id}\t{link_id}\t{frequency}\t{channel}\t{language}\t{safe}\t{'t' if opted_out else 'f'}\t"
                f"{data.copy_text(note) if note else N}\t{officer}\t{ts(plan_changed_at)}\n"
            )
            self.plan_id += 1
            if opted_out:
                opted_out_at = plan_changed_at

        ctx = _Link(
            self,
            crime_id,
            link_id,
            officer,
            enhanced,
            consent,
            has_email,
            story,
            cancelled_at,
            canceller,
            under_18,
        )
        ctx.on_recording(recorded, reported, added)
        ctx.contact_updates(added, activated, f.frequency, frequency, plan_changed_at, opted_out_at)
        ctx.key_events(updates, activated)
        if cancelled_at is None:
            if rng.random() < 0.004:
                ctx.complaint(added)
            if story.outcome in VRR_OUTCOMES and story.interviewed and rng.random() < 0.05:
                ctx.review()
        if activated is not None:
            self._messages(crime_id, link_id, officer, activated, story)

    def _messages(self, crime_id: int, link_id: int, officer: int, activated: int, story: "_Story") -> None:
        rng, now, ts, texts = self.rng, self.f.now, self.ts, self.f.texts
        if rng.random() >= 0.17:
            return
        end = min(now - HOUR, (story.over_at or now) + 30 * DAY)
        if end <= activated:
            return
        sent = rng.randrange(activated, end)
        read = sent + rng.randrange(HOUR, 2 * DAY)
        rows = self.rows["secure_message"]
        rows.append(
            f"{self.message_id}\t{link_id}\t{crime_id}\tvictim\t{N}\t{officer}\t{rng.choice(texts.victim_messages)}\t{ts(sent)}\t"
            f"{ts(read) if read < now and rng.random() < 0.9 else N}\n"
        )
        self.message_id += 1
        reply = sent + rng.randrange(2 * HOUR, 3 * DAY)
        if reply < now and rng.random() < 0.8:
            read = reply + rng.randrange(10 * MINUTE, 3 * DAY)
            rows.append(
                f"{self.message_id}\t{link_id}\t{crime_id}\tstaff\t{officer}\t{N}\t{rng.choice(texts.staff_messages)}\t{ts(reply)}\t"
                f"{ts(read) if read < now and rng.random() < 0.7 else N}\n"
            )
            self.message_id += 1


_CANCEL_CUM = _cumulative(share for _, share in data.CANCELLATION_SHARES)
_ASSESSED = (
    (("most_serious", "domestic_abuse"), 30),
    (("persistently_targeted", "assessed"), 25),
    (("vulnerable", "assessed"), 20),
    (("intimidated", "assessed"), 20),
    (("most_serious", "hate_crime"), 5),
)
_ASSESSED_CUM = _cumulative(w for _, w in _ASSESSED)
_DOMESTIC = frozenset(
    {
        "common_assault",
        "abh",
        "harassment",
        "stalking",
        "coercive_control",
        "malicious_communications",
        "criminal_damage",
    }
)


def _assessed(rng: random.Random, offence: str) -> tuple[str, str]:
    """An officer's assessment of enhanced rights, likely for the offence."""
    if offence == "hate_public_order":
        return ("most_serious", "hate_crime")
    choice = _ASSESSED[bisect(_ASSESSED_CUM, rng.random() * _ASSESSED_CUM[-1])][0]
    if choice == ("most_serious", "domestic_abuse") and offence not in _DOMESTIC:
        choice = ("persistently_targeted", "assessed")
    if choice[1] not in ENHANCED_REASONS.get(choice[0], {}):
        raise ValueError(f"unknown enhanced-rights reason {choice}")
    return choice


# ------------------------------------------------------------------ the story


class _Story:
    """What happens in one investigation: the updates, with their times, and how (and
    whether, by now) it ends."""

    def __init__(self, chunk: _Chunk, rng: random.Random, recorded: int, outcome: int, officer: int):
        self.chunk, self.rng, self.recorded, self.planned, self.officer = (
            chunk,
            rng,
            recorded,
            outcome,
            officer,
        )
        self.now = chunk.f.now
        self.stage = "reported" if rng.random() < 0.35 else "under_investigation"
        self.outcome = self.outcome_at = self.over_at = None
        self.interviewed = False
        self.charged_at: tuple[int, int] | None = None  # (event time, posted)
        # [posted, kind, new stage, new outcome], in time order
        self.events: list[list] = []

    def build(self) -> None:
        rng, recorded, now = self.rng, self.recorded, self.now
        cls = data.OUTCOME_CLASS[self.planned]
        median, sigma = data.DURATION_DAYS[cls]
        length = max(2 * HOUR, int(min(data.MAX_DAYS, rng.lognormvariate(math.log(median), sigma)) * DAY))
        steps: list[tuple[str, str | None]] = []
        if self.stage == "reported" and (cls != data.NO_SUSPECT or rng.random() < 0.6):
            steps.append(("stage_change", "under_investigation"))
        if cls == data.NO_SUSPECT:
            if self.planned in (18, 19) and rng.random() < 0.15:
                steps.append(("not_investigated", None))
        else:
            steps.append(("stage_change", "suspect_identified"))
            arrest = rng.random() < {data.SUSPECT: 0.6, data.OUT_OF_COURT: 0.4, data.CHARGE: 0.85}[cls]
            if arrest:
                steps.append(("arrest", None))
            if rng.random() < (0.95 if cls == data.CHARGE else 0.88):
                steps.append(("interview", None))
            if arrest and (cls != data.OUT_OF_COURT) and rng.random() < 0.7:
                steps.append(("bail" if rng.random() < 0.35 else "released_under_investigation", None))
            if (cls == data.SUSPECT and rng.random() < 0.4) or (cls == data.CHARGE and rng.random() < 0.6):
                steps.append(("stage_change", "awaiting_decision"))
            if cls == data.OUT_OF_COURT and rng.random() < 0.3:
                steps.append(("out_of_court", None))
            if cls == data.CHARGE and rng.random() < 0.6:
                steps.append(("charge", None))
        end = recorded + length
        times = sorted(recorded + int(length * rng.uniform(0.02, 0.97)) for _ in steps)
        timeline = [(t, kind, stage, None) for t, (kind, stage) in zip(times, steps, strict=True)]
        timeline.append((end, "outcome", "charged" if self.planned == 1 else "closed", self.planned))
        court_end = end
        if cls == data.CHARGE:
            if rng.random() < 0.6:
                court_end = end + rng.randrange(7 * DAY, 60 * DAY)
                timeline.append((court_end, "stage_change", "at_court", None))
            if rng.random() < 0.1:
                timeline.append((end + rng.randrange(3 * DAY, 40 * DAY), "bail_changed", None, None))
        # General updates: more for longer investigations, skewed, at most 25 in all.
        mean = 1.6 + length / DAY / 10
        general = int(rng.gammavariate(2, mean / 2)) + (1 if rng.random() < 0.8 else 0)
        room = 25 - len(timeline)
        if general > room:
            general = max(0, room - rng.randrange(8))
        span = court_end - recorded
        for _ in range(max(0, general)):
            timeline.append((recorded + int(span * rng.uniform(0.01, 0.995)), "general", None, None))
        timeline.sort(key=_first)
        limit = now - 5 * MINUTE
        events = self.events
        for at, kind, stage, outcome in timeline:
            if at >= limit:
                break
            if kind == "outcome":
                self.outcome, self.outcome_at, self.over_at = outcome, at, at
                self.stage = stage
            elif stage is not None:
                self.stage = stage
            if kind in VRR_INTERVIEW_EVENTS:
                self.interviewed = True
            events.append([at, kind, stage, outcome])

    def cancel(self, at: int, by: int) -> None:
        """Cancelled at `at`: nothing after it happened, and the record says why."""
        self.events = [e for e in self.events if e[0] < at]
        self.outcome = self.outcome_at = None
        self.interviewed = any(e[1] in VRR_INTERVIEW_EVENTS for e in self.events)
        self.stage = "cancelled"
        self.over_at = at
        self.cancelled_by = by
        self.events.append([at, "cancelled", "cancelled", None])

    def write(self, crime_id: int, welsh: bool) -> list[tuple]:
        """Write the updates and their internal notes, in Welsh for a Welsh-speaking
        victim. Returns, per update in time order, (id, created, kind, visible, occurred,
        outcome)."""
        chunk, rng, ts, texts = self.chunk, self.rng, self.chunk.ts, self.chunk.f.texts
        rows, notes = chunk.rows["investigation_update"], chunk.rows["internal_note"]
        out = []
        previous = self.recorded
        charge_seen = False
        for at, kind, stage, outcome in self.events:
            at = max(at, previous + 1)
            previous = at
            update_id = chunk.update_id
            chunk.update_id += 1
            author = self.officer
            occurred = None
            text = None
            note = False
            if kind == "general":
                visible = rng.random() < 0.75
                if visible:
                    text = rng.choice(texts.welsh_general if welsh else texts.general)
                note = not visible or rng.random() < 0.25
            elif kind == "stage_change":
                visible = rng.random() < 0.45
                if visible:
                    text = rng.choice(texts.stage[stage])
            elif kind == "outcome":
                visible = rng.random() < 0.9
                if visible and rng.random() < 0.5:
                    text = rng.choice(texts.outcome)
            elif kind == "cancelled":
                visible = True
                author = self.cancelled_by
                occurred = at
            else:  # a key event
                visible = rng.random() < 0.8
                if visible:
                    welsh_text = texts.welsh_key_event.get(kind) if welsh else None
                    text = welsh_text or rng.choice(texts.key_event[kind])
                note = not visible or rng.random() < 0.3
                occurred = max(self.recorded, at - rng.randrange(8 * HOUR))
                if kind == "charge" and not charge_seen:
                    charge_seen = True
                    self.charged_at = (occurred, at)
            if kind == "outcome" and outcome == 1 and not charge_seen:
                charge_seen = True
                self.charged_at = (at, at)
            rows.append(
                f"{update_id}\t{crime_id}\t{kind}\t{text or N}\t{'t' if visible else 'f'}\t"
                f"{stage if kind in ('stage_change', 'outcome', 'cancelled') else N}\t{outcome if outcome is not None else N}\t"
                f"{author}\t{ts(at)}\t{ts(occurred) if occurred is not None else N}\n"
            )
            if note:
                notes.append(f"{chunk.note_id}\t{update_id}\t{rng.choice(texts.notes)}\n")
                chunk.note_id += 1
            out.append((update_id, at, kind, visible, occurred, outcome))
        if self.outcome_at is not None:
            # The outcome is written at its own time, whatever came just before it.
            for u in out:
                if u[2] == "outcome":
                    self.outcome_at = self.over_at = u[1]
        elif self.stage == "cancelled":
            self.over_at = out[-1][1]
        self.written = out
        return out


def _first(item):
    return item[0]


# ---------------------------------------------------------------- entitlements


class _Link:
    """What the Victims' Code owes one victim of one crime, opened and closed as the
    service would have: each entitlement with its history rows."""

    def __init__(
        self,
        chunk,
        crime_id,
        link_id,
        officer,
        enhanced,
        consent,
        has_email,
        story,
        cancelled_at,
        canceller,
        under_18,
    ):
        self.c = chunk
        self.rng = chunk.rng
        self.now = chunk.f.now
        self.crime_id, self.link_id, self.officer = crime_id, link_id, officer
        self.enhanced = "t" if enhanced else "f"
        self.is_enhanced = enhanced
        self.consent, self.has_email, self.story = consent, has_email, story
        self.cancelled_at = story.over_at if cancelled_at is not None else None
        self.canceller = canceller[0] if canceller else None
        self.under_18 = under_18
        self.timescales = chunk.f.timescales

    def days(self, rule: str) -> int:
        return self.timescales[timescale_key(rule, self.is_enhanced)]

    # -------------------------------------------------------------- writing

    def write(
        self,
        rule,
        trigger,
        due,
        created,
        created_by,
        state,
        at,
        way,
        detail,
        reason,
        closed_by,
        *,
        event_kind=None,
        update_id=None,
        first_due=None,
        due_changed_at=None,
    ) -> None:
        """One entitlement and its history: created (with `first_due`, when the due date
        moved at `due_changed_at`), and closed when it is."""
        c, ts = self.c, self.c.ts
        if (
            self.cancelled_at is not None
            and (state == "open" or at > self.cancelled_at)
            and rule != "cancelled_told"
        ):
            state, at, way, reason, closed_by = (
                "not_applicable",
                self.cancelled_at,
                None,
                "crime_cancelled",
                self.canceller,
            )
            if due_changed_at is not None and due_changed_at > at:
                due, due_changed_at = first_due, None
        if rule == "cancelled_told":
            rule = "event_told"
        ent_id = c.ent_id
        c.ent_id += 1
        due_text = ts(due) if due is not None else N
        met = ts(at) if state == "met" else N
        detail_text = detail or N
        c.ent_rows.append(
            f"{ent_id}\t{self.crime_id}\t{self.link_id}\t{rule}\t{event_kind or N}\t{update_id or N}\t{ts(trigger)}\t{due_text}\t"
            f"{self.enhanced}\t{state}\t{met}\t{way or N}\t{detail_text}\t{reason or N}\t{closed_by or N}\t{ts(created)}\n"
        )
        event_id = c.event_id
        opened_due = first_due if due_changed_at is not None else due
        rows = [
            f"{event_id}\t{ent_id}\tcreated\topen\t{ts(opened_due) if opened_due is not None else N}\t{N}\t{N}\t{detail_text}\t{N}\t"
            f"{created_by or N}\t{ts(created)}\n"
        ]
        event_id += 1
        if due_changed_at is not None:
            rows.append(
                f"{event_id}\t{ent_id}\tdue_changed\topen\t{due_text}\t{N}\t{N}\t{detail_text}\t{N}\t{self.officer}\t{ts(due_changed_at)}\n"
            )
            event_id += 1
        if state != "open":
            rows.append(
                f"{event_id}\t{ent_id}\t{state}\t{state}\t{due_text}\t{met}\t{way or N}\t{detail_text}\t{reason or N}\t"
                f"{closed_by or N}\t{ts(at)}\n"
            )
            event_id += 1
        c.event_id = event_id
        c.event_rows.extend(rows)

    def settle(self, created: int, due: int) -> tuple[str | None, int]:
        """How an officer deals with it: ("met" | "declined" | None, when)."""
        rng, now = self.rng, self.now
        if due < now:
            roll = rng.random()
            if roll < ON_TIME and due > created:
                u = rng.random()
                return "met", created + int((due - created) * u * u)
            if roll < LATE:
                return "met", min(
                    now, max(due, created) + 1 + int(min(now - max(due, created), 14 * DAY) * rng.random())
                )
            if roll < DECLINED:
                return "declined", created + int((max(min(due, now), created) - created) * rng.random())
            return None, 0
        if rng.random() < MET_BEFORE_DUE and now > created:
            return "met", created + int((now - created) * rng.random())
        return None, 0

    def _closed(self, rule: str, outcome: str | None, at: int, declined_ways=(), met_ways=()):
        """State, way and reason for an officer's `outcome` of the rule."""
        rng = self.rng
        if outcome == "met":
            return "met", at, met_ways[rng.randrange(len(met_ways))] if met_ways else None, None
        if outcome == "declined":
            if declined_ways:
                return "declined", at, declined_ways[rng.randrange(len(declined_ways))], None
            return "not_applicable", at, None, rng.choice(self.c.f.texts.na_reasons)
        return "open", 0, None, None

    def contact_way(self) -> str:
        roll = self.rng.random()
        if roll < 0.45:
            return "phone"
        if roll < 0.7:
            return "email" if self.has_email else "letter"
        if roll < 0.8:
            return "visit"
        if roll < 0.9:
            return "sms"
        return "letter"

    # ------------------------------------------------------------ the rules

    def on_recording(self, recorded: int, reported: int, added: int) -> None:
        c, rng, officer = self.c, self.rng, self.officer
        for rule in ON_RECORDING:
            trigger = reported if RULES[rule].trigger == "reported" else recorded
            if RULES[rule].clock == "charge":
                self.vps_offer(trigger, added)
                continue
            due = c.working(trigger, self.days(rule))
            outcome, at = self.settle(added, due)
            detail = None
            if rule == "acknowledgement":
                if rng.random() < 0.9:
                    way = "email" if self.has_email and rng.random() < 0.85 else "letter"
                else:
                    way = rng.choice(("in_person", "sms"))
                state, at, _, reason = self._closed(rule, outcome, at)
                way = way if state == "met" else None
            elif rule == "needs_assessment":
                state, at, way, reason = self._closed(
                    rule, outcome, at, ("victim_declined",), ("needs_identified", "no_needs", "no_needs")
                )
            elif rule == "referral":
                declined = ("no_consent", "victim_declined") if self.consent else ("victim_declined",)
                state, at, way, reason = self._closed(rule, outcome, at, declined, ("referred",))
                if state == "met":
                    detail = self.support_service()
            else:
                state, at, way, reason = self._closed(
                    rule, outcome, at, _ways(rule, "declined"), _ways(rule, "met")
                )
            self.write(
                rule,
                trigger,
                due,
                added,
                officer,
                state,
                at,
                way,
                detail,
                reason,
                officer if state != "open" else None,
            )

    def support_service(self) -> str:
        if self.consent:
            return "isva" if self.rng.random() < 0.6 else "idva"
        if self.under_18:
            return "children"
        return "victim_support" if self.rng.random() < 0.92 else "other"

    def vps_offer(self, trigger: int, added: int) -> None:
        """The Victim Personal Statement: offered early, or due by the charge; with no
        charge at the outcome it no longer applies."""
        rng, story, officer, now = self.rng, self.story, self.officer, self.now
        ways = _ways("vps_offer", "met")
        offered = added + rng.randrange(HOUR, 10 * DAY) if rng.random() < 0.45 else None
        if offered is not None and offered >= now:
            offered = None
        charged = story.charged_at
        if charged is not None:
            event_at, posted = charged
            if offered is not None and offered < posted:
                self.write(
                    "vps_offer",
                    trigger,
                    None,
                    added,
                    officer,
                    "met",
                    offered,
                    rng.choice(ways),
                    None,
                    None,
                    officer,
                )
                return
            due = self.c.f.clock.end_of_day(event_at)
            outcome, at = self.settle(posted, due)
            state, at, way, reason = self._closed("vps_offer", outcome, at, (), ways)
            self.write(
                "vps_offer",
                trigger,
                due,
                added,
                officer,
                state,
                at,
                way,
                None,
                reason,
                officer if state != "open" else None,
                first_due=None,
                due_changed_at=posted,
            )
            return
        if offered is not None and (story.over_at is None or offered < story.over_at):
            self.write(
                "vps_offer",
                trigger,
                None,
                added,
                officer,
                "met",
                offered,
                rng.choice(ways),
                None,
                None,
                officer,
            )
        elif story.outcome is not None:
            self.write(
                "vps_offer",
                trigger,
                None,
                added,
                officer,
                "not_applicable",
                story.outcome_at,
                None,
                None,
                "not_charged",
                officer,
            )
        else:
            self.write("vps_offer", trigger, None, added, officer, "open", 0, None, None, None, None)

    def contact_updates(
        self,
        added: int,
        activated: int | None,
        first_frequency: int,
        frequency: int,
        plan_changed_at: int | None,
        opted_out_at: int | None,
    ) -> None:
        """The agreed updates, one after another: met by an update the victim reads on
        the service, or by the officer, until the investigation is over."""
        c, rng, story, now, officer = self.c, self.rng, self.story, self.now, self.officer
        over = story.over_at
        cancelled = self.cancelled_at is not None
        portal = []
        if activated is not None:
            # A cancellation is told, but it is not an update that meets the plan.
            portal = [u[1] for u in story.written if u[3] and u[1] > activated and u[2] != "cancelled"]
        start, created_by = added, officer
        first = True
        while True:
            if over is not None and start >= over:
                return
            plan_frequency = first_frequency if first and plan_changed_at is not None else frequency
            due = c.f.clock.calendar_days(start, plan_frequency)
            due_changed_at = None
            first_due = None
            if first and plan_changed_at is not None:
                if opted_out_at is not None and (over is None or opted_out_at < over):
                    self.write(
                        "contact_update",
                        start,
                        due,
                        start,
                        created_by,
                        "not_applicable",
                        opted_out_at,
                        None,
                        None,
                        "opted_out",
                        officer,
                    )
                    return
                new_due = c.f.clock.calendar_days(start, frequency)
                if new_due != due:
                    first_due, due_changed_at, due = due, plan_changed_at, new_due
            first = False
            outcome, at = self.settle(start, due)
            if outcome == "met" and at <= start:
                at = start + 1
            index = bisect_right(portal, start)
            portal_at = portal[index] if index < len(portal) else None
            candidates = []
            if portal_at is not None and portal_at < now:
                candidates.append((portal_at, 0, "portal"))
            if over is not None and over < now:
                candidates.append((over, 1, "over"))
            if outcome is not None:
                candidates.append((at, 2, outcome))
            if not candidates:
                self.write(
                    "contact_update",
                    start,
                    due,
                    start,
                    created_by,
                    "open",
                    0,
                    None,
                    None,
                    None,
                    None,
                    first_due=first_due,
                    due_changed_at=due_changed_at,
                )
                return
            at, _, what = min(candidates)
            if due_changed_at is not None and due_changed_at > at:
                due, due_changed_at = first_due, None
            if what == "portal":
                self.write(
                    "contact_update",
                    start,
                    due,
                    start,
                    created_by,
                    "met",
                    at,
                    PORTAL_WAY.code,
                    None,
                    None,
                    None,
                    first_due=first_due,
                    due_changed_at=due_changed_at,
                )
                start, created_by = at, None
            elif what == "over":
                if cancelled:
                    self.write(
                        "contact_update",
                        start,
                        due,
                        start,
                        created_by,
                        "open",
                        0,
                        None,
                        None,
                        None,
                        None,
                        first_due=first_due,
                        due_changed_at=due_changed_at,
                    )
                else:
                    self.write(
                        "contact_update",
                        start,
                        due,
                        start,
                        created_by,
                        "not_applicable",
                        at,
                        None,
                        None,
                        "investigation_finished",
                        officer,
                        first_due=first_due,
                        due_changed_at=due_changed_at,
                    )
                return
            elif what == "met":
                self.write(
                    "contact_update",
                    start,
                    due,
                    start,
                    created_by,
                    "met",
                    at,
                    self.contact_way(),
                    None,
                    None,
                    officer,
                    first_due=first_due,
                    due_changed_at=due_changed_at,
                )
                start, created_by = at, officer
            else:
                self.write(
                    "contact_update",
                    start,
                    due,
                    start,
                    created_by,
                    "not_applicable",
                    at,
                    None,
                    None,
                    rng.choice(c.f.texts.na_reasons),
                    officer,
                    first_due=first_due,
                    due_changed_at=due_changed_at,
                )
                return

    def key_events(self, updates: list[tuple], activated: int | None) -> None:
        """ "Victim told" for each key event, and for the outcome unless it was told already."""
        story, officer = self.story, self.officer
        told = set()
        for update_id, created, kind, visible, occurred, outcome in updates:
            if kind == "outcome":
                kind = outcome_event(outcome)
                if kind in told and kind != "released_nfa":
                    continue
                occurred = None
            elif kind not in KEY_EVENTS:
                continue
            told.add(kind)
            trigger = occurred if occurred is not None else created
            due = self.c.working(trigger, self.days("event_told"))
            by = story.cancelled_by if kind == "cancelled" else officer
            rule = "cancelled_told" if kind == "cancelled" else "event_told"
            if visible and activated is not None and activated <= created:
                self.write(
                    rule,
                    trigger,
                    due,
                    created,
                    by,
                    "met",
                    created,
                    PORTAL_WAY.code,
                    None,
                    None,
                    None,
                    event_kind=kind,
                    update_id=update_id,
                )
                continue
            outcome_, at = self.settle(created, due)
            state, at, way, reason = self._closed("event_told", outcome_, at)
            if state == "met":
                way = self.contact_way()
            self.write(
                rule,
                trigger,
                due,
                created,
                by,
                state,
                at,
                way,
                None,
                reason,
                officer if state != "open" else None,
                event_kind=kind,
                update_id=update_id,
            )

    def complaint(self, added: int) -> None:
        rng, now, officer = self.rng, self.now, self.officer
        if now - added < 2 * DAY:
            return
        received = rng.randrange(added + DAY, now)
        due = self.c.working(received, self.days("complaint"))
        outcome, at = self.settle(received, due)
        state, at, way, reason = self._closed("complaint", outcome, at, (), _ways("complaint", "met"))
        summary = rng.choice(self.c.f.texts.complaints)
        self.write(
            "complaint",
            received,
            due,
            received,
            officer,
            state,
            at,
            way,
            summary,
            reason,
            officer if state != "open" else None,
        )

    def review(self) -> None:
        """A request under the Victims' Right to Review, within 3 months of the outcome."""
        rng, now, officer, story = self.rng, self.now, self.officer, self.story
        earliest = story.outcome_at + DAY
        latest = min(now - HOUR, story.outcome_at + 85 * DAY)
        if latest <= earliest:
            return
        requested = rng.randrange(earliest, latest)
        for rule in ("vrr_acknowledge", "vrr_decide"):
            due = self.c.working(requested, self.days(rule))
            outcome, at = self.settle(requested, due)
            met_ways = _ways(rule, "met")
            if rule == "vrr_decide":
                met_ways = ("not_upheld",) * 5 + ("upheld",)
            state, at, way, reason = self._closed(rule, outcome, at, (), met_ways)
            self.write(
                rule,
                requested,
                due,
                requested,
                officer,
                state,
                at,
                way,
                None,
                reason,
                officer if state != "open" else None,
            )
