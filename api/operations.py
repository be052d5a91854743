"""The API's operations, declared once: each route with the scope it needs, its body,
its query and its answers. The routes are registered from here and the OpenAPI
document is built from here, so neither can leave the other behind."""

from dataclasses import dataclass, field

from pydantic import BaseModel

from api import api

# The answers every operation may give besides its own (problem details).
AUTH_ERRORS = (401, 403, 429)
WRITE_ERRORS = (400, 404, 409, 413, 415, 422)


@dataclass
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    description: str
    scope: str | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    responses: dict[int, tuple[str, type[BaseModel] | None]]
    errors: tuple[int, ...]
    form: dict | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def idempotent_post(self) -> bool:
        return self.method == "POST" and self.scope is not None


OPERATIONS: list[Operation] = []


def operation(
    rule: str,
    method: str,
    *,
    summary: str,
    scope: str | None,
    responses: dict,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    errors: tuple[int, ...] = (),
    tag: str = "crimes",
    form: dict | None = None,
):
    """Register the view at `/api/v1{rule}` for `method`. `scope` is the OAuth scope a
    token needs; None marks a public operation (the token endpoint, this document)."""

    def decorate(view):
        OPERATIONS.append(
            Operation(
                rule="/api/v1" + rule,
                method=method,
                endpoint=view.__name__,
                summary=summary,
                description=(view.__doc__ or "").strip(),
                scope=scope,
                body=body,
                query=query,
                responses=responses,
                errors=errors,
                form=form,
                tags=[tag],
            )
        )
        view.api_scope = scope
        view.is_public = scope is None
        api.add_url_rule(rule, endpoint=view.__name__, view_func=view, methods=[method])
        return view

    return decorate
