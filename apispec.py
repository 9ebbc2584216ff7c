"""Each endpoint declared once: `@endpoint(...)` names its body model, answers and errors; the body is
validated from it, and the OpenAPI 3.1 document is generated from every route's declaration.

About a hundred lines of our own rather than flask-openapi3, APIFlask or spectree: the raw body must go
through the strict JSON reader first (duplicate keys, NaN, depth), every refusal keeps this API's error
shape and wording, and the routes keep their rate-limit and token decorators as they are.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, g, make_response
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

import errors
from controllers.body import NO_STORE_HEADERS, request_fields
from schemas.answers import Error, InvalidTokenError
from schemas.errors import problems

F = TypeVar("F", bound=Callable[..., Any])
JSON = "application/json"
_NUMBER = {"type": "string", "pattern": "^[0-9]+$"}
# How the document describes NO_STORE_HEADERS, the headers a `no_store=True` route's success answer carries.
NO_STORE_DOC = {name: {"required": True, "schema": {"const": value}} for name, value in NO_STORE_HEADERS.items()}
# Every error status the API answers: what it means, and the headers that come with it.
ERRORS: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("Malformed JSON, JSON that is not an object, a missing or ill-typed field, or a Cognito refusal", {}),
    401: ("Wrong credentials, or a missing or invalid token", {}),
    403: ("Not allowed: user not confirmed, password reset required, or missing group or scope", {}),
    404: ("No such user", {}),
    409: ("The username is taken", {}),
    413: ("The body is too large", {}),
    415: ("The body is not JSON", {}),
    429: ("Rate limited, here or by Cognito", {"Retry-After": {"required": True, "schema": _NUMBER}}),
    500: ("Unexpected error (no internals are shown)", {}),
    503: ("Cognito or the signing keys are unreachable", {"Retry-After": {"required": True, "schema": _NUMBER}}),
}
BODY_ERRORS = (400, 413, 415, 429, 500)  # every route that reads a body
COGNITO_ERRORS = (429, 503)  # every route that calls Cognito
TOKEN_ERRORS = (401, 403, 500, 503)  # every route that checks a bearer token
BEARER_CHALLENGE = {"WWW-Authenticate": {"required": True, "schema": {"type": "string", "pattern": "^Bearer "}}}


@dataclass(frozen=True)
class Contract:
    summary: str
    answers: dict[int, type[BaseModel] | None]
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    headers: dict[str, Any] = field(default_factory=dict)  # on the success answer
    extra: dict[str, Any] = field(default_factory=dict)  # anything else of the OpenAPI operation


def endpoint(
    summary: str,
    answers: dict[int, type[BaseModel] | None],
    *,
    body: type[BaseModel] | None = None,
    errors: tuple[int, ...] = (),
    cognito: bool = False,
    no_store: bool = False,
    **extra: Any,
) -> Callable[[F], F]:
    """Declare a route: validate its body with `body` (read it with `request_body()`) and document it;
    `no_store=True` keeps its answer out of every cache (it carries tokens, claims or attributes)."""
    statuses = (*errors, *(BODY_ERRORS if body else ()), *(COGNITO_ERRORS if cognito else ()))
    contract = Contract(summary, answers, body, tuple(sorted(set(statuses))), NO_STORE_DOC if no_store else {}, extra)

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if body is not None:
                g.body = parse(body, request_fields())
            if not no_store:
                return view(*args, **kwargs)
            response = make_response(view(*args, **kwargs))
            response.headers.update(NO_STORE_HEADERS)
            return response

        wrapper.contract = contract  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def parse(model: type[BaseModel], data: Any) -> Any:
    """`data` checked against `model`; 400 invalid_request naming every field that is wrong."""
    try:
        parsed = model.model_validate(data)
    except ValidationError as err:
        raise errors.InvalidRequest("Invalid request: " + "; ".join(problems(model, err)) + ".") from None
    return getattr(parsed, "root", parsed)


def request_body() -> Any:
    """The route's body, as its declared model (only inside an `@endpoint(body=...)` route)."""
    return g.body


def document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every declared route of `app` (built once per app)."""
    if "openapi" not in app.extensions:
        app.extensions["openapi"] = _build(app)
    return app.extensions["openapi"]


def _build(app: Flask) -> dict[str, Any]:
    routes = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        contract = getattr(view, "contract", None)
        if contract is not None:
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
            routes += [(path, method, contract, view, rule.endpoint) for method in methods]
    models = {Error, InvalidTokenError}
    for _, _, contract, _, _ in routes:
        models |= {model for model in (contract.body, *contract.answers.values()) if model is not None}
    keys, definitions = models_json_schema(
        [(model, "validation") for model in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
    )
    refs = {model: keys[(model, "validation")] for model in models}
    paths: dict[str, dict[str, Any]] = {}
    for path, method, contract, view, name in routes:
        operation = _operation(contract, refs, getattr(view, "token_uses", None))
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{([^}]+)}", path)
        ]
        if parameters:
            operation["parameters"] = [*operation.get("parameters", []), *parameters]
        paths.setdefault(path, {})[method.lower()] = {"operationId": name.rpartition(".")[2], **operation}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Cognito auth server", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _operation(contract: Contract, refs: dict, token_uses: Any) -> dict[str, Any]:
    responses = {}
    for status, model in contract.answers.items():
        responses[str(status)] = _response("Success", refs.get(model), contract.headers)
    statuses = set(contract.errors) | (set(TOKEN_ERRORS) if token_uses is not None else set())
    for status in sorted(statuses):
        description, headers = ERRORS[status]
        if status == 401 and token_uses is not None:
            responses["401"] = _response(description, refs[InvalidTokenError], BEARER_CHALLENGE)
        else:
            responses[str(status)] = _response(description, refs[Error], headers)
    operation: dict[str, Any] = {"summary": contract.summary, "responses": responses, **contract.extra}
    if contract.body is not None:
        schema = contract.body.model_json_schema()
        required = "required" in schema or "anyOf" in schema or "oneOf" in schema  # an empty body is refused
        operation["requestBody"] = {"required": required, "content": {JSON: {"schema": refs[contract.body]}}}
    if token_uses is not None:
        operation["security"] = [{"bearer": []}]
    return operation


def _response(description: str, schema: dict | None, headers: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description}
    if schema is not None:
        response["content"] = {JSON: {"schema": schema}}
    if headers:
        response["headers"] = headers
    return response
