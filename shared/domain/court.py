"""Court as data: the hearings a case goes through, the events a Witness Care Unit (or the
records system) reports, why a hearing is adjourned, verdicts and sentences, each in
words for staff and in plain words for the victim.

The courts' own systems stay the source: the service keeps what a victim needs to plan
around (where, when, what happened) and what starts a duty under the Victims' Code
(shared.domain.victims_code_rules: COURT_EVENTS, the Victim Contact Scheme).
"""

from dataclasses import dataclass

from shared.translation import lazy_gettext as _l

# --- Hearings ------------------------------------------------------------------------

HEARING_KINDS = {
    "first_hearing": (_l("First hearing"), _l("the first hearing")),
    "trial": (_l("Trial"), _l("the trial")),
    "sentencing": (_l("Sentencing hearing"), _l("the sentencing hearing")),
}

# A hearing is listed; then it is adjourned (put off, with the reason) or held.
HEARING_STATUSES = {
    "listed": _l("Listed"),
    "adjourned": _l("Adjourned"),
    "held": _l("Held"),
}

# How far ahead a court lists a hearing, at the most, in days: a later date is a mistake.
LISTING_HORIZON_DAYS = 3 * 366


@dataclass(frozen=True)
class CourtEventKind:
    code: str
    label: object  # for staff
    hearing_kind: str | None  # the kind of hearing it lists; None: it is about one listed
    needs_hearing: bool  # it is about a hearing already listed (adjourned, trial started)


COURT_EVENT_KINDS = {
    k.code: k
    for k in (
        CourtEventKind("first_hearing_listed", _l("First hearing listed"), "first_hearing", False),
        CourtEventKind("hearing_adjourned", _l("Hearing adjourned"), None, True),
        CourtEventKind("trial_listed", _l("Trial listed"), "trial", False),
        CourtEventKind("trial_started", _l("Trial started"), None, True),
        CourtEventKind("verdict", _l("Verdict"), None, True),
        CourtEventKind("sentencing_listed", _l("Sentencing hearing listed"), "sentencing", False),
        CourtEventKind("sentence", _l("Sentence"), None, False),
    )
}
LISTING_EVENTS = frozenset(code for code, kind in COURT_EVENT_KINDS.items() if kind.hearing_kind)

# Why a hearing was adjourned, as the Victims' Commissioner asked victims be told.
ADJOURNMENT_REASONS = {
    "defendant_absent": (
        _l("The defendant did not attend"),
        _l("the defendant did not come to court"),
    ),
    "defendant_ill": (_l("The defendant was ill"), _l("the defendant was ill")),
    "witness_unavailable": (
        _l("A witness was not available"),
        _l("a witness could not come to court"),
    ),
    "no_court_time": (
        _l("No court or judge was available"),
        _l("there was no courtroom or judge free to hear the case"),
    ),
    "reports_awaited": (
        _l("Reports awaited"),
        _l("the court is waiting for reports it needs, such as a pre-sentence report"),
    ),
    "evidence_not_ready": (
        _l("Evidence not ready"),
        _l("some of the evidence was not ready"),
    ),
    "legal_argument": (
        _l("Legal argument"),
        _l("the lawyers needed more time to deal with a point of law"),
    ),
    "defence_request": (
        _l("At the defence’s request"),
        _l("the defendant’s lawyers asked for more time"),
    ),
    "prosecution_request": (
        _l("At the prosecution’s request"),
        _l("the prosecution asked for more time"),
    ),
    "other": (_l("Another reason"), _l("of another reason, which the Witness Care Unit can explain")),
}

# Verdicts, as the court gives them; a guilty one (GUILTY_VERDICTS) leads to a sentence.
VERDICTS = {
    "guilty": (_l("Guilty"), _l("The defendant was found guilty.")),
    "guilty_plea": (_l("Guilty plea"), _l("The defendant pleaded guilty.")),
    "guilty_in_part": (
        _l("Guilty of some charges"),
        _l("The defendant was found guilty of some of the charges, and not guilty of others."),
    ),
    "not_guilty": (
        _l("Not guilty"),
        _l(
            "The defendant was found not guilty. This does not mean the court did not believe "
            "you: it means it could not be sure enough to convict."
        ),
    ),
}
GUILTY_VERDICTS = frozenset({"guilty", "guilty_plea", "guilty_in_part"})


# Sentences: for staff, whether the court gives a length in months, and for the victim
# (`%(length)s` is the length in months, in words).
@dataclass(frozen=True)
class SentenceKind:
    code: str
    label: object
    months: bool
    victim_text: object


SENTENCE_KINDS = {
    k.code: k
    for k in (
        SentenceKind(
            "custody",
            _l("Custody (prison or youth detention)"),
            True,
            _l("%(length)s in prison or detention"),
        ),
        SentenceKind(
            "suspended",
            _l("Suspended prison sentence"),
            True,
            _l("a suspended prison sentence of %(length)s"),
        ),
        SentenceKind("hospital_order", _l("Hospital order"), False, _l("a hospital order")),
        SentenceKind(
            "community_order", _l("Community order"), True, _l("a community order lasting %(length)s")
        ),
        SentenceKind("fine", _l("Fine"), False, _l("a fine")),
        SentenceKind("discharge", _l("Discharge"), False, _l("a discharge")),
    )
}
MONTHS_NEEDED = frozenset(code for code, kind in SENTENCE_KINDS.items() if kind.months)
MAX_SENTENCE_MONTHS = 1200
