"""The OpenAPI 3.1 document, generated from every route's `@endpoint` declaration (middleware/endpoint.py)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from pydantic.json_schema import models_json_schema

from middleware.endpoint import NO_STORE_HEADERS, Contract
from schemas.answers import Error, InvalidTokenError

JSON = "application/json"
HTML = "text/html"
FORM = "application/x-www-form-urlencoded"
PAGE_SCHEMA = {"schema": {"type": "string"}}
_NUMBER = {"type": "string", "pattern": "^[0-9]+$"}
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
TOKEN_ERRORS = (401, 403, 500, 503)  # every route that checks a bearer token
BEARER_CHALLENGE = {"WWW-Authenticate": {"required": True, "schema": {"type": "string", "pattern": "^Bearer "}}}


def document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every declared route of `app` (built once per app)."""
    if "openapi" not in app.extensions:
        app.extensions["openapi"] = _build(app)
    document: dict[str, Any] = app.extensions["openapi"]
    return document


def _build(app: Flask) -> dict[str, Any]:
    routes = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        contract = getattr(view, "contract", None)
        if contract is not None:
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
            routes += [(path, method, contract, view, rule) for method in methods]
    models = {Error, InvalidTokenError}
    for _, _, contract, _, _ in routes:
        models |= {model for model in (contract.body, *contract.answers.values()) if model is not None}
    keys, definitions = models_json_schema(
        [(model, "validation") for model in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
    )
    refs = {model: keys[(model, "validation")] for model in models}
    paths: dict[str, dict[str, Any]] = {}
    for path, method, contract, view, rule in routes:
        operation = _operation(contract, refs, getattr(view, "token_uses", None))
        converters = getattr(rule, "_converters", {})  # Werkzeug's own: an `any(...)` one names every value
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": _path_schema(converters.get(name))}
            for name in re.findall(r"{([^}]+)}", path)
        ]
        if parameters:
            operation["parameters"] = [*operation.get("parameters", []), *parameters]
        paths.setdefault(path, {})[method.lower()] = {"operationId": rule.endpoint.rpartition(".")[2], **operation}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Cognito auth server", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _path_schema(converter: Any) -> dict[str, Any]:
    items = getattr(converter, "items", None)  # AnyConverter: exactly these values
    return {"type": "string", "enum": sorted(items)} if isinstance(items, set) else {"type": "string"}


def _operation(contract: Contract, refs: dict[Any, Any], token_uses: Any) -> dict[str, Any]:
    responses = {}
    for status, model in contract.answers.items():
        responses[str(status)] = _response("Success", refs.get(model), NO_STORE_DOC if contract.no_store else {})
    statuses = set(contract.errors) | (set(TOKEN_ERRORS) if token_uses is not None else set())
    for status in sorted(statuses):
        description, headers = ERRORS[status]
        if status == 401 and token_uses is not None:
            responses["401"] = _response(description, refs[InvalidTokenError], BEARER_CHALLENGE)
        else:
            responses[str(status)] = _response(description, refs[Error], headers)
            if contract.page:  # a form's refusal is its page again, with the reason; a malformed request's is JSON
                responses[str(status)]["content"][HTML] = PAGE_SCHEMA
    operation: dict[str, Any] = {"summary": contract.summary, "responses": responses, **contract.extra}
    if contract.body is not None:
        schema = contract.body.model_json_schema()
        required = "required" in schema or "anyOf" in schema or "oneOf" in schema  # an empty body is refused
        content = {JSON: {"schema": refs[contract.body]}} | (
            {FORM: {"schema": refs[contract.body]}} if contract.page else {}
        )
        operation["requestBody"] = {"required": required, "content": content}
    if token_uses is not None:
        operation["security"] = [{"bearer": []}]
    return operation


def _response(description: str, schema: dict[str, Any] | None, headers: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description}
    if schema is not None:
        response["content"] = {JSON: {"schema": schema}}
    if headers:
        response["headers"] = headers
    return response
