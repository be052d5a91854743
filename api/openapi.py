"""The OpenAPI 3.1 document of `/api/v1`, built from the declared operations and the
pydantic models they read and write."""

import re
from functools import cache

from flask import current_app
from pydantic.json_schema import models_json_schema

from api.operations import OPERATIONS
from shared.models import API_SCOPES
from shared.web.problems import TITLES

SCOPE_DESCRIPTIONS = {
    "crimes:write": "Create and update crimes, their victims, key events and property",
    "crimes:read": "Read crimes, their victims' status and their property",
    "entitlements:read": "Read what the Victims' Code owes each victim",
    "reports:read": "Read the compliance report and crime data integrity audits' results",
    "victims:invite": "Invite victims to the service",
    "incidents:write": "Create and update incidents, their crimes and decisions not to record",
    "incidents:read": "Read incidents",
    "court:write": "Record what happened at court: hearings listed, adjourned, trials, verdicts, sentences",
    "court:read": "Read a crime's hearings and its outcome at court (no victim's details)",
}
REF = "#/components/schemas/{model}"
PATH_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")

PROBLEM = {
    "type": "object",
    "description": "Problem details (RFC 9457).",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pointer", "detail"],
                "properties": {"pointer": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
    },
}
TOKEN = {
    "type": "object",
    "required": ["access_token", "token_type", "expires_in"],
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"type": "string", "enum": ["Bearer"]},
        "expires_in": {"type": "integer"},
        "scope": {"type": "string"},
    },
}
OAUTH_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}
HEADER_DOCS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer challenge (RFC 6750)."}},
    403: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer challenge (RFC 6750)."}},
    429: {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait."}},
}
PATH_PATTERNS = {
    "reference": r"^[A-Za-z0-9][A-Za-z0-9/-]{3,29}$",
    "victim_ref": r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$",
    "incident_reference": r"^[A-Za-z0-9][A-Za-z0-9/-]{3,29}$",
    "audit_id": r"^[1-9][0-9]{0,8}$",
}

# Worked examples of the bodies, one story: the open crime, its victim, then an arrest.
# The path parameters' examples name the same crime and victim, so that sent in order the
# examples succeed (given an officer with collar number PC1234).
EXAMPLE_CRIME = {
    "reference": "NX/2026/001234",
    "offence": "burglary_residential",
    "occurred_at": "2026-01-12T18:30:00Z",
    "reported_at": "2026-01-12T21:40:00Z",
    "recorded_at": "2026-01-12T22:05:00Z",
    "officer_in_charge": "PC1234",
    "stage": "under_investigation",
    "updated_at": "2026-01-12T22:05:00Z",
}
EXAMPLE_VICTIM = {
    "victim_ref": "RS-100234",
    "name": "Alex Jones",
    "date_of_birth": "1985-04-02",
    "email": "alex.jones@example.com",
    "preferred_language": "en",
    "contact_channel": "email",
    "updated_at": "2026-01-12T22:10:00Z",
}
# The incident the example crime was recorded from: sent after the crime, it names it.
EXAMPLE_INCIDENT = {
    "reference": "INC/2026/000871",
    "received_at": "2026-01-12T21:40:00Z",
    "route": "control_room",
    "disclosed_crime": True,
    "summary": "Caller home to find the back door forced and a laptop gone.",
    "closing_code": "crime_recorded",
    "crimes": [EXAMPLE_CRIME["reference"]],
    "updated_at": "2026-01-12T22:10:00Z",
}
# What recording an out-of-court disposal captured, approved by the example officer's
# sergeant (collar number PS5678).
EXAMPLE_CAPTURE = {
    "views_sought": True,
    "victim_views": "Happy with an apology and the fence repaired; does not want a court case.",
    "history_checked": True,
    "history_summary": "No previous cautions or convictions.",
    "admission": "yes",
    "approved_by": "PS5678",
}
# The example victim's laptop, stolen in the example crime, found and held by the police.
EXAMPLE_PROPERTY = {
    "item_ref": "RS-P-77120",
    "kind": "stolen",
    "description": "Silver Dell laptop, serial number 5CG1234XYZ",
    "victim_ref": EXAMPLE_VICTIM["victim_ref"],
    "value_pence": 85000,
    "status": "return_arranging",
    "held_at": "2026-01-14T09:15:00Z",
    "return_details": "Collect it from the front desk at Central police station, 9am to 4pm on weekdays. "
    "Bring photo ID and your crime reference.",
    "officer_note": "Fingerprinted; lab finished with it on 20 January.",
    "updated_at": "2026-01-21T10:00:00Z",
}
BODY_EXAMPLES = {
    "CrimeIn": {
        "open": {"summary": "An open investigation", "value": EXAMPLE_CRIME},
        "closed": {
            "summary": "A crime closed with an outcome (no stage)",
            "value": {
                **EXAMPLE_CRIME,
                "reference": "NX/2026/004321",
                "offence": "bicycle_theft",
                "stage": None,
                "outcome": 14,
                "updated_at": "2026-01-19T10:00:00Z",
            },
        },
        "community_resolution": {
            "summary": "An out-of-court disposal (community resolution) with what recording it captured",
            "value": {
                **EXAMPLE_CRIME,
                "reference": "NX/2026/005678",
                "offence": "criminal_damage",
                "stage": None,
                "outcome": 8,
                "out_of_court": EXAMPLE_CAPTURE,
                "updated_at": "2026-01-20T16:00:00Z",
            },
        },
    },
    "VictimIn": {"victim": {"summary": "A victim to be told by email", "value": EXAMPLE_VICTIM}},
    "EventIn": {
        "arrest": {
            "summary": "An arrest, with words for the victim",
            "value": {
                "event_id": "RS-E-558201",
                "kind": "arrest",
                "occurred_at": "2026-01-14T09:15:00Z",
                "victim_text": "A suspect has been arrested and is being interviewed.",
            },
        }
    },
    "InvitationIn": {"invitation": {"summary": "No fields", "value": {}}},
    "ReferralIn": {
        "referred": {
            "summary": "The victim referred to the Victim Contact Scheme",
            "value": {"way": "referred", "at": "2026-05-22T09:30:00Z"},
        }
    },
    "CourtEventIn": {
        "first_hearing": {
            "summary": "The first hearing listed, by a Witness Care Unit",
            "value": {
                "event_id": "WCU-E-90211",
                "kind": "first_hearing_listed",
                "occurred_at": "2026-02-02T11:00:00Z",
                "hearing_ref": "WCU-H-4410",
                "court": "Cardiff Magistrates’ Court",
                "starts_at": "2026-02-16T10:00:00Z",
            },
        },
        "adjourned": {
            "summary": "A hearing adjourned, with the reason",
            "value": {
                "event_id": "WCU-E-90245",
                "kind": "hearing_adjourned",
                "occurred_at": "2026-02-16T12:30:00Z",
                "hearing_ref": "WCU-H-4410",
                "reason": "witness_unavailable",
            },
        },
        "sentence": {
            "summary": "A sentence of 18 months in custody",
            "value": {
                "event_id": "WCU-E-91002",
                "kind": "sentence",
                "occurred_at": "2026-05-20T15:00:00Z",
                "sentence": {"kind": "custody", "months": 18},
            },
        },
    },
    "PropertyIn": {
        "recovered": {
            "summary": "The victim's stolen laptop, found: its return being arranged",
            "value": EXAMPLE_PROPERTY,
        },
        "damaged": {
            "summary": "A door damaged in the burglary, which the police never hold",
            "value": {
                "item_ref": "RS-P-77121",
                "kind": "damaged",
                "description": "Back door and its lock",
                "victim_ref": EXAMPLE_VICTIM["victim_ref"],
                "value_pence": 42000,
                "status": "not_held",
                "updated_at": "2026-01-13T10:00:00Z",
            },
        },
    },
    "InformationRequestIn": {
        "counsellor": {
            "summary": "The example victim's counsellor asked for session notes",
            "value": {
                "request_id": "RS-IR-7701",
                "recipient": {"kind": "counsellor", "name": "Riverside Counselling"},
                "information_sought": "Notes of your counselling sessions since January 2026.",
                "purpose": "To check what you said about the burglary, as the defence may ask.",
                "handling": "Kept securely with the case file; shared only with the Crown Prosecution Service.",
                "requested_at": "2026-01-15T10:00:00Z",
            },
        }
    },
    "IncidentIn": {
        "recorded": {
            "summary": "A call from which the example crime was recorded",
            "value": EXAMPLE_INCIDENT,
        },
        "not_recorded": {
            "summary": "A message that may merely offend, not recorded: awaiting a supervisor's sign-off",
            "value": {
                "reference": "INC/2026/000902",
                "received_at": "2026-01-13T08:00:00Z",
                "route": "online",
                "disclosed_crime": True,
                "offence_group": "public_order",
                "closing_code": "crime_not_recorded",
                "not_recorded": {
                    "reason": "offensive_message",
                    "note": "One rude message from a neighbour; no threat, no course of conduct.",
                    "decided_at": "2026-01-13T09:30:00Z",
                    "decided_by": "PC1234",
                },
                "updated_at": "2026-01-13T09:30:00Z",
            },
        },
    },
}
PATH_EXAMPLES = {
    "reference": EXAMPLE_CRIME["reference"],
    "victim_ref": EXAMPLE_VICTIM["victim_ref"],
    "incident_reference": EXAMPLE_INCIDENT["reference"],
    "audit_id": "1",
}


# The rules JSON Schema cannot state (what the database holds, the clock, one field
# against another's list), each with the field a refusal points at: a request the schema
# allows gets 422 only for one of these, its problem's `errors` naming the field.
RULES = {
    "put_crime": {
        "/officer_in_charge": "The officer in charge is an active member of staff with that collar number.",
        "/occurred_at": "The crime happened no later than it was reported.",
        "/reported_at": "The crime was reported no later than it was recorded; the times stay as first sent.",
        "/recorded_at": "The crime was recorded no earlier than it was reported, and not in the future.",
        "/incident": "The incident was already sent to /incidents.",
        "/out_of_court/approved_by": (
            "The sergeant who approved an out-of-court disposal is an active supervisor with that collar "
            "number, not the officer in charge."
        ),
    },
    "put_victim": {
        "/email": "The email address can receive mail (not a reserved or special-use domain).",
        "/enhanced_rights": "Each enhanced right's reason is one assessed for its category.",
        "/guardian": (
            "A parent or guardian is recorded only for a victim under 18, with a date of birth; direct contact "
            "(`child`, `both`) only where the force contacts child victims directly and the child is 12 or over."
        ),
    },
    "post_event": {
        "/occurred_at": "The event has happened already.",
        "/cancellation/authorised_by": "The authoriser is a member of staff who may authorise the cancellation.",
    },
    "post_court_event": {
        "/hearing_ref": (
            "An adjournment, a trial starting or a verdict names a hearing of the crime (a verdict: its "
            "trial, started); a listing names a hearing not yet listed."
        ),
        "/occurred_at": "The event has happened already, after the crime was reported.",
        "/starts_at": "A hearing starts after the crime was reported and within 3 years.",
        "/sentence/months": "Custody, a suspended sentence and a community order give their length.",
    },
    "record_referral": {
        "/at": "The referral was made after the sentence, and not in the future.",
    },
    "post_information_request": {
        "/requested_at": "The request was made no later than now and no earlier than the day the crime happened.",
        "/guardian": (
            "A parent or guardian is given for a victim under 18 on the day of the request, "
            "and not for one 18 or over."
        ),
        "/safe_route": "A safe route is given for a victim who is not safe to contact.",
    },
    "put_incident": {
        "/crimes": "Each crime was already sent to /crimes.",
        "/team": "The force has a team of that name.",
        "/principal_crime": "The principal crime is one of the incident's crimes.",
        "/not_recorded/decided_at": "The decision comes no earlier than the incident was received.",
        "/not_recorded/decided_by_name": "A decision by a collar number the force does not know gives a name.",
    },
    "put_property": {
        "/victim_ref": "The victim was already sent to /crimes/{reference}/victims.",
        "/held_at": "The police took the item in no earlier than the day the crime happened, and not in the future.",
        "/returned_at": "The item was given back no earlier than the day the police took it in, and not in the future.",
        "/disposed_at": "The item was disposed of no earlier than the day the police took it in, and not in the future.",
    },
    "compliance_report": {
        "/to": "The period ends no earlier than it starts and is 60 months or shorter.",
    },
}


def _path(rule: str) -> str:
    return PATH_PARAMETER.sub(lambda match: "{" + match.group(2) + "}", rule)


def _problem_response(status: int) -> dict:
    out = {
        "description": TITLES.get(status, "Error"),
        "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}},
    }
    if status in HEADER_DOCS:
        out["headers"] = HEADER_DOCS[status]
    return out


def _models() -> list:
    seen, out = set(), []
    for op in OPERATIONS:
        for model in [op.body, *(model for _, model in op.responses.values())]:
            if model is not None and model not in seen:
                seen.add(model)
                out.append(model)
    return out


def _links(source: str, targets: dict[str, dict[str, str]]) -> dict:
    return {
        f"{target}": {
            "operationId": target,
            "parameters": parameters,
            "description": f"The record {source} wrote, used by {target}.",
        }
        for target, parameters in targets.items()
    }


_CRIME_REFERENCE = {"reference": "$response.body#/crime/reference"}

# OpenAPI links: what a write answers with is the address of the next call, so that a
# client (or a testing tool) can chain them: record a crime, then read it, add a victim
# or an event to it; add a victim, then invite her.
LINKS = {
    "put_crime": _links(
        "POST /crimes",
        {
            "get_crime": _CRIME_REFERENCE,
            "put_victim": _CRIME_REFERENCE,
            "post_event": _CRIME_REFERENCE,
            "put_property": _CRIME_REFERENCE,
            "get_property": _CRIME_REFERENCE,
        },
    ),
    "put_victim": _links(
        "POST /crimes/{reference}/victims",
        {
            "get_crime": {"reference": "$request.path.reference"},
            "invite_victim": {
                "reference": "$request.path.reference",
                "victim_ref": "$response.body#/victim/victim_ref",
            },
            "post_information_request": {
                "reference": "$request.path.reference",
                "victim_ref": "$response.body#/victim/victim_ref",
            },
        },
    ),
}


def _operation(op, names: dict) -> dict:
    out = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "description": op.description,
        "tags": op.tags,
        "parameters": [],
        "responses": {},
    }
    for name in PATH_PARAMETER.findall(op.rule):
        out["parameters"].append(
            {
                "name": name[1],
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": PATH_PATTERNS[name[1]]},
                "example": PATH_EXAMPLES[name[1]],
            }
        )
    if op.idempotent_post:
        out["parameters"].append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "description": "A new random value for each new request; the same value when it is sent again.",
                "schema": {"type": "string", "pattern": r"^[\x21-\x7e]{1,255}$"},
            }
        )
    if op.query is not None:
        schema = op.query.model_json_schema()
        required = set(schema.get("required", []))
        for name, prop in schema["properties"].items():
            prop = {key: value for key, value in prop.items() if key != "title"}
            out["parameters"].append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    if not out["parameters"]:
        del out["parameters"]
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model=names[(op.body, "validation")])}}
            },
        }
        if op.body.__name__ in BODY_EXAMPLES:
            out["requestBody"]["content"]["application/json"]["examples"] = BODY_EXAMPLES[op.body.__name__]
    if op.form is not None:
        out["requestBody"] = {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "required": ["grant_type"], "properties": op.form}
                }
            },
        }
    for status, (description, model) in op.responses.items():
        response = {"description": description}
        if model is not None:
            response["content"] = {
                "application/json": {"schema": {"$ref": REF.format(model=names[(model, "serialization")])}}
            }
        elif op.endpoint == "token":
            response["content"] = {"application/json": {"schema": {"$ref": REF.format(model="Token")}}}
        elif op.endpoint == "openapi_document":
            response["content"] = {"application/json": {"schema": {"type": "object"}}}
        if status == 201 and op.method == "POST" and op.endpoint in ("put_crime", "put_incident"):
            response["headers"] = {
                "Location": {"schema": {"type": "string"}, "description": "The record's address."}
            }
        if status in (200, 201) and op.endpoint in LINKS:
            response["links"] = LINKS[op.endpoint]
        out["responses"][str(status)] = response
    for status in op.errors:
        # The token endpoint answers as OAuth 2.0 says, except when its rate limit trips.
        if op.endpoint == "token" and status != 429:
            out["responses"][str(status)] = {
                "description": "OAuth 2.0 error (RFC 6749 section 5.2)",
                "content": {"application/json": {"schema": {"$ref": REF.format(model="OAuthError")}}},
            }
        else:
            out["responses"][str(status)] = _problem_response(status)
        if status == 422 and op.endpoint in RULES:
            out["responses"]["422"]["x-rules"] = [
                {"pointer": pointer, "rule": rule} for pointer, rule in RULES[op.endpoint].items()
            ]
    if op.scope is not None:
        out["security"] = [{"oauth2": [op.scope]}]
    else:
        out["security"] = []
    return out


def document(base_url: str | None = None) -> dict:
    """The document, with the token endpoint's absolute address (OpenAPI 3.1 wants a URL
    for `tokenUrl`) under `base_url`: by default the app's PUBLIC_BASE_URL."""
    if base_url is None:
        base_url = current_app.config["PUBLIC_BASE_URL"]
    return _document(base_url.rstrip("/"))


@cache
def _document(base_url: str) -> dict:
    models = _models()
    keys = [(model, "validation") for model in models] + [(model, "serialization") for model in models]
    names_map, definitions = models_json_schema(keys, ref_template=REF)
    names = {key: value["$ref"].rsplit("/", 1)[1] for key, value in names_map.items()}
    schemas = dict(definitions.get("$defs", {}))
    schemas.update({"Problem": PROBLEM, "Token": TOKEN, "OAuthError": OAUTH_ERROR})
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(_path(op.rule), {})[op.method.lower()] = _operation(op, names)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Track My Crime records-system API",
            "version": "1.0.0",
            "description": (
                "Forces' records systems push crimes, victims, key events, property and incidents in, and read their "
                "status back. "
                "Authenticate with OAuth 2.0 client credentials; send an Idempotency-Key with every POST. "
                "Errors are problem details (RFC 9457). "
                "Text holds no NUL character and no lone surrogate (refused with 400). "
                "A request the schema allows is refused with 422 only for a rule JSON Schema cannot state: "
                "each operation lists its own under `x-rules` in its 422 answer, by the field the refusal "
                "points at."
            ),
        },
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "oauth2": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": base_url + "/api/v1/oauth/token",
                            "scopes": {scope: SCOPE_DESCRIPTIONS[scope] for scope in API_SCOPES},
                        }
                    },
                }
            },
        },
    }
