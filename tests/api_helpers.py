"""Calling `/api/v1` in tests as a records system does: a registered client, a token
from the token endpoint, and JSON with an idempotency key on every POST."""

import base64
import contextvars
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from api.openapi import EXAMPLE_CAPTURE
from shared.extensions import db
from shared.models import API_SCOPES, ApiClient
from shared.services import api_clients
from tests import factories


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


EXAMPLE_APPROVER = EXAMPLE_CAPTURE["approved_by"]


class ApiCaller:
    """A records system calling the API. Each call runs in a context of its own (its own
    app context and database session, as a request to a server has), so a test may hold
    one of its own to read the database meanwhile."""

    def __init__(self, app, client_id: str, secret: str, scope: str | None = None):
        self.app = app
        self.http = app.test_client()
        self.client_id, self.secret = client_id, secret
        self.token = self.fetch_token(scope)

    def _call(self, method: str, path: str, **kwargs):
        return contextvars.Context().run(getattr(self.http, method), path, **kwargs)

    def fetch_token(self, scope: str | None = None) -> str:
        form = {"grant_type": "client_credentials"}
        if scope:
            form["scope"] = scope
        response = self._call(
            "post",
            "/api/v1/oauth/token",
            data=form,
            headers={"Authorization": basic(self.client_id, self.secret)},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["access_token"]

    def headers(self, key: str | None = None) -> dict:
        out = {"Authorization": f"Bearer {self.token}"}
        if key is not None:
            out["Idempotency-Key"] = key
        return out

    def post(self, path: str, body: dict, key: str | None = None):
        return self._call("post", "/api/v1" + path, json=body, headers=self.headers(key or str(uuid.uuid4())))

    def get(self, path: str, **params):
        return self._call("get", "/api/v1" + path, query_string=params, headers=self.headers())

    def raw(self, method: str, path: str, **kwargs):
        """Any request to `/api/v1{path}`, headers and body as given."""
        return self._call(method, "/api/v1" + path, **kwargs)

    @property
    def client(self) -> ApiClient:
        """Its row, read in the caller's (the test's) session."""
        return db.session.scalar(select(ApiClient).where(ApiClient.client_id == self.client_id))


def register(scopes=API_SCOPES, name: str | None = None, by=None):
    """A registered client and its secret (committed)."""
    return api_clients.register(name or f"Records system {uuid.uuid4().hex[:6]}", list(scopes), by)


@pytest.fixture
def records_system(app):
    """A records system with every scope, signed in: `.post(path, body)`, `.get(path)`.
    Its officers: `records_system.officer` (collar number `.officer.collar_number`)."""
    with app.app_context():
        client, secret = register()
        officer = factories.staff(roles=("officer",))
        ddm = factories.staff(team_row=officer.team, roles=("ddm",))
        # The sergeant who approves out-of-court disposals (of the document's examples).
        sergeant = factories.staff(team_row=officer.team, roles=("supervisor",))
        sergeant.collar_number = EXAMPLE_APPROVER
        db.session.commit()
        collar, ddm_collar, client_id = officer.collar_number, ddm.collar_number, client.client_id
        db.session.remove()
    caller = ApiCaller(app, client_id, secret)
    caller.collar, caller.ddm_collar = collar, ddm_collar
    caller.sergeant_collar = EXAMPLE_APPROVER
    return caller


def crime_body(reference: str, collar: str, **changes) -> dict:
    reported = datetime.now(UTC) - timedelta(days=3)
    body = {
        "reference": reference,
        "offence": "burglary_residential",
        "occurred_at": (reported - timedelta(hours=5)).isoformat(),
        "reported_at": reported.isoformat(),
        "recorded_at": (reported + timedelta(hours=2)).isoformat(),
        "officer_in_charge": collar,
        "stage": "under_investigation",
        "updated_at": (reported + timedelta(hours=2)).isoformat(),
    }
    body.update(changes)
    return body


def victim_body(victim_ref: str, **changes) -> dict:
    body = {
        "victim_ref": victim_ref,
        "name": "Alex Jones",
        "date_of_birth": "1985-04-02",
        "email": f"{victim_ref.lower()}@example.com",
        "preferred_language": "en",
        "contact_channel": "email",
        "updated_at": datetime.now(UTC).isoformat(),
    }
    body.update(changes)
    return body


@pytest.fixture
def api(records_system) -> ApiCaller:
    """The records system, by a shorter name."""
    return records_system
