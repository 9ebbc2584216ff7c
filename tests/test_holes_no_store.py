"""`@endpoint(..., no_store=True)` keeps an answer about a user out of every cache: the declaration itself sets
Cache-Control and Pragma, and the OpenAPI document says so. Which routes must declare it is derived from the
declarations: every route but the public ones below, so a new route cannot forget it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint

from app import create_app
from middleware.endpoint import endpoint
from middleware.openapi import document
from tests.support.authenticator import Authenticator
from tests.support.helpers import PASSWORD, bearer

# The routes whose answers say nothing about any user: the same to everyone (documents, assets, probes, the
# pool's public settings, metrics), or the same whether or not the account exists. Every other route declares
# `no_store`; a new route fails here until it does, or is added here with its reason.
PUBLIC = {
    "config",  # the pool's public settings
    "health",
    "ready",
    "openapi_document",
    "docs",
    "docs_script",
    "docs_asset",
    "index",  # the demo page's static file; what it shows, it asks the API for
    "page_asset",
    "sign_in_style",
    "portal_logo",  # the portal's logo file (PORTAL_LOGO)
    "portal_script",  # the portal's passkey step scripts (static files)
    "metrics_text",  # counts by route, no user (and Cache-Control: no-store of its own)
    "resend_code",  # the same Accepted sentence whether or not the account exists
    "forgot_password",
    "jwks",  # the public keys of /auth/check's assertions
}
# Names of answer fields that are a user's (or a session's) data: no public route may answer any of them.
USER_FIELDS = {
    "username",
    "email",
    "sub",
    "user_sub",
    "access_token",
    "id_token",
    "refresh_token",
    "claims",
    "attributes",
    "groups",
    "csrf_token",
    "session",
    "secret",
    "destination",
    "passkeys",
    "credential_creation_options",
}
HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@pytest.fixture
def every_route(pool):
    """The app with every blueprint of routes.py registered (the demo page's, /metrics and the admin API too)."""
    return create_app({**pool, "demo_page": True, "metrics_enabled": True, "admin_group": "admins"})


def declared(app) -> dict[str, Any]:
    """Every route's view by its endpoint name (without the blueprint)."""
    return {name.rpartition(".")[2]: view for name, view in app.view_functions.items() if name != "static"}


def field_names(schema: Any) -> set[str]:
    """Every property name anywhere in a JSON schema (nested models and unions included)."""
    names: set[str] = set()
    if isinstance(schema, dict):
        names |= set(schema.get("properties", {}))
        for value in schema.values():
            names |= field_names(value)
    elif isinstance(schema, list):
        for value in schema:
            names |= field_names(value)
    return names


def test_every_route_but_the_public_ones_declares_no_store(every_route):
    views = declared(every_route)
    assert PUBLIC <= set(views), PUBLIC - set(views)  # the list names routes that exist
    forgot = {name for name, view in views.items() if not view.contract.no_store and name not in PUBLIC}
    assert forgot == set(), f"routes that answer about a user without no_store: {sorted(forgot)}"
    for name in PUBLIC:  # and the public ones are what they claim: no token, no user field in any answer
        view = views[name]
        assert getattr(view, "token_uses", None) is None, name
        for model in view.contract.answers.values():
            if model is not None:
                assert field_names(model.model_json_schema()) & USER_FIELDS == set(), name


def test_the_rule_reaches_the_routes_it_was_missing_from(every_route):
    """The issue's finding: the passkey answers, and the sign-in and sign-out pages that name the user."""
    views = declared(every_route)
    for name in ("passkey_list", "passkey_register_start", "passkey_register_finish", "sign_in", "sign_out"):
        assert views[name].contract.no_store, name
    # Derived both ways: a route behind a token, or one answering a user's fields, is never public.
    for name, view in views.items():
        models = [model for model in view.contract.answers.values() if model is not None]
        carries = any(field_names(model.model_json_schema()) & USER_FIELDS for model in models)
        if getattr(view, "token_uses", None) is not None or carries:
            assert view.contract.no_store, name


def test_every_no_store_route_documents_the_headers(every_route):
    operations = {op["operationId"]: op for item in document(every_route)["paths"].values() for op in item.values()}
    for name, view in declared(every_route).items():
        if not view.contract.no_store:
            continue
        for status in view.contract.answers:
            headers = operations[name]["responses"][str(status)]["headers"]
            assert {key: headers[key]["schema"]["const"] for key in HEADERS} == HEADERS, (name, status)
            assert all(headers[key]["required"] for key in HEADERS)


def test_the_answers_carry_the_headers(app, client, users, emulator, pool):
    tokens = users.tokens("alice")
    access = bearer(tokens["access_token"])
    emulator.client.admin_create_user(
        UserPoolId=pool["user_pool_id"], Username="bob", TemporaryPassword="Temp0rary!", MessageAction="SUPPRESS"
    )
    invited = client.post("/auth/login", json={"username": "bob", "password": "Temp0rary!"}).json
    answer = {"username": "bob", "challenge": "NEW_PASSWORD_REQUIRED", "session": invited["session"]}
    registered = users.register("carol")
    started = client.post("/auth/passkeys/register/start", headers=access)
    credential = Authenticator().create(started.json["credential_creation_options"])
    answers = {
        "register": registered,
        "confirm": users.confirm("carol"),
        "login": client.post("/auth/login", json={"username": "alice", "password": PASSWORD}),
        "challenge": client.post("/auth/challenge", json={**answer, "new_password": PASSWORD}),
        "validate": client.post("/auth/validate", json={"token": tokens["access_token"]}),
        "refresh": client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
        "me": client.get("/auth/me", headers=access),
        "totp_setup": client.post("/auth/mfa/totp/setup", headers=access),
        "hello": client.get("/hello", headers=access),
        "check": client.get("/auth/check", headers=access),
        "passkey_register_start": started,
        "passkey_register_finish": client.post(
            "/auth/passkeys/register/finish", headers=access, json={"credential": credential}
        ),
        "passkey_list": client.get("/auth/passkeys", headers=access),
        "start_session": client.post("/auth/session", json={"username": "alice", "password": PASSWORD}),
    }
    answers["session"] = client.get("/auth/session")  # the cookie that sign-in set
    answers["sign_in"] = client.get("/auth/sign-in")  # signed in: names the user
    answers["sign_out_page"] = client.get("/auth/sign-out")
    for name, response in answers.items():
        assert response.status_code in (200, 201), (name, response.status_code, response.get_data(as_text=True))
        assert {key: response.headers.get(key) for key in HEADERS} == HEADERS, name
    assert "alice" in answers["sign_in"].get_data(as_text=True)
    assert answers["passkey_list"].json["passkeys"]  # the passkey registered above: user data indeed


def test_the_declaration_alone_sets_the_headers(pool):
    """A route whose view returns a plain dict still answers with them: the decorator, not the controller."""
    extra = Blueprint("extra", __name__)

    @extra.get("/secret")
    @endpoint("A secret", {200: None}, no_store=True)
    def secret():
        return {"secret": "s3cr3t"}

    app = create_app(pool)
    app.register_blueprint(extra)
    response = app.test_client().get("/secret")
    assert response.status_code == 200 and response.json == {"secret": "s3cr3t"}
    assert {key: response.headers.get(key) for key in HEADERS} == HEADERS
