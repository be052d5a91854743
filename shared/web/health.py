"""`/health/ready`: the readiness check, for a load balancer or an orchestrator to send
this instance requests only while it can serve them (shared.services.readiness says
what that takes). `/health`, the liveness check, is in shared.web.hooks: it checks
nothing, so that a slow database never gets a healthy process restarted.

Public and cheap: one connection to the database, one query, and a ping to Redis when
it is configured. The answer is JSON; 503 names each problem, with no secret in it.
"""

from flask import Flask, jsonify

from shared.services import readiness
from shared.web.login import public


@public
def _ready():
    problems = readiness.problems()
    body = {"status": "not ready", "problems": problems} if problems else {"status": "ready"}
    response = jsonify(body)
    response.status_code = 503 if problems else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.add_url_rule("/health/ready", "health_ready", _ready, methods=["GET"])
