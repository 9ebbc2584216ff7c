"""`@endpoint(..., no_store=True)` keeps an answer with tokens, claims or attributes out of every cache: the
declaration itself sets Cache-Control and Pragma, and the OpenAPI document says so."""

from __future__ import annotations

from flask import Blueprint

from app import create_app
from middleware.endpoint import endpoint
from middleware.openapi import document
from tests.support.helpers import PASSWORD, bearer

# Every answer that carries tokens (sign-in, challenge, refresh, TOTP secret), claims or attributes, or a
# session's CSRF token (the session routes).
CARRY_SECRETS = {"login", "challenge", "validate", "refresh", "me", "totp_setup", "hello"}
CARRY_SECRETS |= {
    "start_session",
    "session_challenge",
    "session",
    "confirm",
}  # confirm: a passwordless sign-up's tokens
HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def test_every_no_store_route_answers_and_documents_the_headers(app, client, users, emulator, pool):
    tokens = users.tokens("alice")
    access = bearer(tokens["access_token"])
    emulator.client.admin_create_user(
        UserPoolId=pool["user_pool_id"], Username="bob", TemporaryPassword="Temp0rary!", MessageAction="SUPPRESS"
    )
    invited = client.post("/auth/login", json={"username": "bob", "password": "Temp0rary!"}).json
    answer = {"username": "bob", "challenge": "NEW_PASSWORD_REQUIRED", "session": invited["session"]}
    assert users.register("carol").status_code == 201
    answers = {
        "confirm": users.confirm("carol"),
        "login": client.post("/auth/login", json={"username": "alice", "password": PASSWORD}),
        "challenge": client.post("/auth/challenge", json={**answer, "new_password": PASSWORD}),
        "validate": client.post("/auth/validate", json={"token": tokens["access_token"]}),
        "refresh": client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
        "me": client.get("/auth/me", headers=access),
        "totp_setup": client.post("/auth/mfa/totp/setup", headers=access),
        "hello": client.get("/hello", headers=access),
        "start_session": client.post("/auth/session", json={"username": "alice", "password": PASSWORD}),
    }
    answers["session"] = client.get("/auth/session")  # the cookie that sign-in set
    declared = {
        name.rpartition(".")[2]
        for name, view in app.view_functions.items()
        if getattr(getattr(view, "contract", None), "no_store", False)
    }
    assert declared == CARRY_SECRETS
    for name, response in answers.items():
        assert response.status_code == 200, (name, response.json)
        assert {key: response.headers.get(key) for key in HEADERS} == HEADERS, name

    operations = {op["operationId"]: op for item in document(app)["paths"].values() for op in item.values()}
    for name in CARRY_SECRETS:
        headers = operations[name]["responses"]["200"]["headers"]
        assert {key: headers[key]["schema"]["const"] for key in HEADERS} == HEADERS, name
        assert all(headers[key]["required"] for key in HEADERS)


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
