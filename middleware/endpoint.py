"""Each endpoint declared once: `@endpoint(...)` names its body model, answers and errors. The body is read
and validated from the declaration and handed to the view as its `body` argument (parsed once per request);
the OpenAPI document (middleware/openapi.py) is generated from the same declarations.

Our own rather than flask-openapi3, APIFlask or spectree: the raw body must go through the strict JSON
reader first (duplicate keys, NaN, depth), every refusal keeps this API's error shape and wording, and the
routes keep their rate-limit and token decorators as they are.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import make_response
from pydantic import BaseModel, ValidationError

import errors
from middleware.authentication import current_session
from middleware.body import request_fields
from middleware.session_cookie import check_csrf
from schemas.errors import problems

F = TypeVar("F", bound=Callable[..., Any])
# The headers of every answer that carries a token, a secret, claims or attributes (`no_store=True`).
NO_STORE_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}
BODY_ERRORS = (400, 413, 415, 429, 500)  # every route that reads a body
COGNITO_ERRORS = (429, 503)  # every route that calls Cognito


@dataclass(frozen=True)
class Contract:
    """What a route declares: the OpenAPI document's source."""

    summary: str
    answers: Mapping[int, type[BaseModel] | None]
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    no_store: bool = False  # the success answer carries NO_STORE_HEADERS
    extra: dict[str, Any] = field(default_factory=dict)  # anything else of the OpenAPI operation
    cognito: bool = False  # it calls Cognito (deploy/nginx.conf sends it to the Cognito group of workers)
    page: bool = False  # a browser's form: its body may be form-encoded, its answers (refusals too) HTML pages


def endpoint(
    summary: str,
    answers: Mapping[int, type[BaseModel] | None],
    *,
    body: type[BaseModel] | None = None,
    errors: tuple[int, ...] = (),
    cognito: bool = False,
    no_store: bool = False,
    page: bool = False,
    **extra: Any,
) -> Callable[[F], F]:
    """Declare a route: its body is validated with `body` and passed to the view as `body=`; `no_store=True`
    keeps its answer out of every cache (it carries tokens, claims or attributes); `page=True`: a browser's form
    posts it and it answers pages, its refusals too (the portal)."""
    statuses = (*errors, *(BODY_ERRORS if body else ()), *(COGNITO_ERRORS if cognito else ()))
    contract = Contract(summary, answers, body, tuple(sorted(set(statuses))), no_store, extra, cognito, page)

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            fields = request_fields() if body is not None else None
            # A cookie-authenticated change needs the session's CSRF token (and takes it out).
            check_csrf(fields, current_session())
            if body is not None:
                kwargs["body"] = parse(body, fields)
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
