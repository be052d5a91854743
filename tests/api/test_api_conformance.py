"""The whole API against its OpenAPI document with every check schemathesis has, in every
phase it has: the document's examples, coverage of each schema's boundaries and of the
methods a path does not take, fuzzing with valid and invalid data, and stateful sequences
along the document's links (record a crime, then read it, add a victim, invite her).
Bounded to run in well under a minute on SQLite.

The checks: no 5xx; statuses, content types, headers and bodies as documented; invalid
data refused and valid data accepted (a 422 for a valid request only for a rule the
operation lists under `x-rules`, what JSON Schema cannot say); a missing required header
refused; an undocumented method answered 405 with an `Allow` header listing exactly the
documented methods; and `bearer_token_enforced` (tests/api/test_api_schema.py), which
does for OAuth 2.0 what schemathesis's `ignored_auth` does for other schemes. The
resource checks (`use_after_free`, `ensure_resource_availability`) and
`object_level_authorization` run too; they look for deletions and for a second identity,
which this API does not have."""

import uuid
from collections import Counter
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import schemathesis
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from api.openapi import EXAMPLE_CRIME, EXAMPLE_INCIDENT
from tests.api.test_api_schema import DOCUMENT_PATH, roomy_rate_limit, seeded  # noqa: F401
from tests.api_helpers import records_system  # noqa: F401

# (`seeded`, `roomy_rate_limit` and `records_system` are fixtures.)

# The document's examples tell a story in 2026; it is told on 1 December 2026.
pytestmark = pytest.mark.time_machine(datetime(2026, 12, 1, 12, tzinfo=UTC), tick=True)

PHASES = ("examples", "coverage", "fuzzing", "stateful")
SCHEMATHESIS_CHECKS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "object_level_authorization",
}


def _config(token: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": 1,
            "workers": 1,
            "headers": {"Authorization": f"Bearer {token}"},
            "checks": {"enabled": True},
            # Text the database can store: no NUL, no lone surrogate (the document says
            # so; the API refuses them with 400).
            "generation": {
                "max-examples": 10,
                "deterministic": True,
                "database": "none",
                "allow-x00": False,
                "codec": "utf-8",
            },
            "phases": {"stateful": {"max-steps": 10}},
            "suppress-health-check": ["all"],
        }
    )


def _documented_refusal(failure, case, response) -> bool:
    """A schema-valid request refused with 422 for rules the operation's document names in
    `x-rules` (what JSON Schema cannot say): every field the refusal points at is one of them."""
    if failure.title != "Schema-valid request rejected" or response.status_code != 422:
        return False
    documented = case.operation.definition.raw["responses"]["422"].get("x-rules", [])
    pointers = {rule["pointer"] for rule in documented}
    errors = response.json().get("errors") or []
    return bool(errors) and all(
        any(error["pointer"] == pointer or error["pointer"].startswith(pointer + "/") for pointer in pointers)
        for error in errors
    )


class Run:
    """What a run found and what it was answered, by phase and operation."""

    def __init__(self):
        self.failures: list[str] = []
        self.answers: Counter = Counter()
        self.checks: set[str] = set()
        self.phases: set[str] = set()

    def read(self, stream) -> None:
        for event in stream:
            if isinstance(event, events.NonFatalError | events.FatalError):
                self.failures.append(f"error: {event.info.title if hasattr(event, 'info') else event}")
            if not isinstance(event, events.ScenarioFinished):
                continue
            self.phases.add(event.phase.value if hasattr(event.phase, "value") else str(event.phase))
            self._scenario(event)

    def _scenario(self, event) -> None:
        recorder = event.recorder
        for case_id, interaction in recorder.interactions.items():
            if interaction.response is not None:
                label = recorder.cases[case_id].value.operation.label
                self.answers[(str(event.phase), label, interaction.response.status_code // 100)] += 1
        for case_id, checks in recorder.checks.items():
            for check in checks:
                self.checks.add(check.name)
                if check.status == Status.FAILURE and check.failure_info is not None:
                    case = recorder.cases[case_id].value
                    interaction = recorder.interactions.get(case_id)
                    body = interaction.response.content[:400] if interaction and interaction.response else b""
                    self.failures.append(
                        f"{event.phase} {check.name} {case.operation.label}: {check.failure_info.failure.title}\n"
                        f"{check.failure_info.code_sample[:800]}\n{body!r}"
                    )


@pytest.fixture
def known_officers():
    """The test's copy of the document names, as officer in charge, only the officer the
    force has (PC1234, of the examples), the examples' times and incident, so that
    generated crimes are recorded and the stateful sequences go on from them. The
    served document is left as it is."""

    def before_load_schema(ctx, raw_schema):
        crime = raw_schema["components"]["schemas"]["CrimeIn"]["properties"]
        crime["officer_in_charge"]["enum"] = [EXAMPLE_CRIME["officer_in_charge"]]
        # Times in the order a crime has them (happened, reported, recorded), in the past.
        for name in ("occurred_at", "reported_at", "recorded_at"):
            crime[name]["enum"] = [EXAMPLE_CRIME[name]]
        crime["incident"] = {"enum": [None, EXAMPLE_INCIDENT["reference"]]}

    schemathesis.hook(before_load_schema)
    yield
    schemathesis.hooks.unregister(before_load_schema)


def test_every_check_in_every_phase_finds_nothing(app, seeded, roomy_rate_limit, known_officers):  # noqa: F811
    schema = schemathesis.openapi.from_wsgi(DOCUMENT_PATH, app, config=_config(seeded.token))

    def before_call(ctx, case, **kwargs):
        # A client sends a new Idempotency-Key with each new POST (a generated one may
        # repeat, and a key used again for another body is refused).
        if case.method.upper() == "POST" and case.headers and "Idempotency-Key" in case.headers:
            case.headers["Idempotency-Key"] = str(uuid.uuid4())
        # A reference may hold slashes ("INC/2026/000871"): a client sends it as one path
        # segment, percent-encoded, as RFC 3986 asks; the tool would send the slashes as
        # they are and then read the reference back from the address as its first part.
        for name, value in (case.path_parameters or {}).items():
            if isinstance(value, str) and "/" in value:
                case.path_parameters[name] = quote(value, safe="")

    def filter_failure(ctx, failure, case, response):
        return not _documented_refusal(failure, case, response)

    schemathesis.hook(before_call)
    schemathesis.hook(filter_failure)
    run = Run()
    try:
        run.read(from_schema(schema).execute())
    finally:
        schemathesis.hooks.unregister(before_call)
        schemathesis.hooks.unregister(filter_failure)
    assert not run.failures, "\n-----\n".join(dict.fromkeys(run.failures))
    # Every check the installed schemathesis has ran, in every phase.
    assert set(CHECKS.get_all_names()) == SCHEMATHESIS_CHECKS | {"bearer_token_enforced"}
    assert run.checks == set(CHECKS.get_all_names())
    assert run.phases == set(PHASES)
    for phase in PHASES:
        operations = {label for (seen, label, _kind) in run.answers if seen == phase}
        # The stateful phase leaves out what no link leads to (the token, the report).
        assert len(operations) >= (7 if phase == "stateful" else 8), (phase, operations)
    # The stateful sequences went on from the crimes they recorded: victims added, invited.
    for label in (
        "POST /api/v1/crimes",
        "POST /api/v1/crimes/{reference}/victims",
        "POST /api/v1/crimes/{reference}/victims/{victim_ref}/invitation",
    ):
        assert run.answers[("stateful", label, 2)], (label, run.answers)
