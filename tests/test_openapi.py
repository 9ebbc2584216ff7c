"""The OpenAPI document, generated from each route's declaration: it names exactly the app's routes, real
responses conform to it, and a route a user adds with a model documents itself."""

from __future__ import annotations

import re

import pytest
from flask import Blueprint

from app import create_app
from cognito_emulator.emulator import last_code
from middleware.authentication import current_claims, require_token
from middleware.endpoint import endpoint
from middleware.openapi import document
from schemas.answers import Answer
from schemas.fields import Body, Text
from tests.support.helpers import ScriptedServer, bearer, cognito_error


def test_document_and_routes_agree(app):
    routes = {
        (method, re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(method.upper(), path) for path, item in document(app)["paths"].items() for method in item}
    assert routes == documented


def test_served_document_is_the_document(app, client):
    assert client.get("/openapi.json").json == document(app)


def test_every_operation_with_a_body_lists_its_errors(app):
    for path, item in document(app)["paths"].items():
        for operation in item.values():
            if "requestBody" in operation:
                assert {"400", "413", "415", "429", "500"} <= set(operation["responses"]), path


def test_limits_come_from_the_declaration(app):
    """The document states the very limits the server enforces (they are written once, in schemas/)."""
    schemas = document(app)["components"]["schemas"]
    assert schemas["Refresh"]["properties"]["refresh_token"]["maxLength"] == 8192
    assert schemas["TotpVerify"]["properties"]["code"]["pattern"] == "^[0-9]{6}$"
    challenge = schemas["Challenge"]
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in challenge["oneOf"]} == {
        "NewPasswordAnswer", "TotpAnswer", "SmsAnswer", "MfaSetupAnswer", "SelectMfaTypeAnswer",
        "SelectChallengeAnswer", "OtpAnswer", "PasskeyAnswer", "PasswordAnswer",  # choice-based sign-in
    }  # fmt: skip
    assert "new_password" in schemas["NewPasswordAnswer"]["required"]


class Order(Body):
    item: Text
    quantity: int


class Placed(Answer):
    item: str
    quantity: int
    by: str


def test_a_route_added_with_a_model_documents_and_validates_itself(pool, minter):
    """What the README's "Protecting your own routes" shows: no other file to edit."""
    orders = Blueprint("orders", __name__)

    @orders.post("/orders")
    @require_token({"access"})
    @endpoint("Place an order", {201: Placed}, body=Order)
    def place(body: Order):
        order = body
        return {"item": order.item, "quantity": order.quantity, "by": current_claims()["username"]}, 201

    app = create_app(pool)
    app.register_blueprint(orders)
    operation = document(app)["paths"]["/orders"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Order"}
    assert document(app)["components"]["schemas"]["Order"]["required"] == ["item", "quantity"]
    assert operation["security"] == [{"bearer": []}] and "401" in operation["responses"]
    client = app.test_client()
    token = minter.token()
    placed = client.post("/orders", json={"item": "tea", "quantity": 2}, headers=bearer(token))
    assert placed.status_code == 201 and placed.json["by"] == "minted"
    refused = client.post("/orders", json={"item": "tea", "quantity": "2"}, headers=bearer(token))
    assert refused.status_code == 400 and "'quantity'" in refused.json["message"]


def test_responses_across_the_lifecycle_conform(client, conforms):
    post = lambda path, body: conforms(client.post(path, json=body), path, "POST")  # noqa: E731
    user = {"username": "alice", "email": "alice@example.com", "password": "Passw0rd!"}
    assert post("/auth/register", user).status_code == 201
    assert post("/auth/register", user).status_code == 409
    assert post("/auth/register", {**user, "username": "bob", "password": "weak"}).status_code == 400
    assert post("/auth/login", {"username": "alice", "password": "Passw0rd!"}).status_code == 403
    assert post("/auth/confirm", {"username": "alice", "code": last_code("alice")}).status_code == 200
    tokens = post("/auth/login", {"name": "alice", "password": "Passw0rd!"}).json
    assert post("/auth/login", {"username": "alice", "password": "nope"}).status_code == 401
    for token in (tokens["access_token"], tokens["id_token"], "bad"):
        post("/auth/validate", {"token": token})
        conforms(client.get("/hello", headers={"Authorization": f"Bearer {token}"}), "/hello", "GET")
    conforms(client.get("/hello"), "/hello", "GET")
    for path in ("/auth/config", "/health", "/openapi.json"):
        conforms(client.get(path), path, "GET")


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b"{", "application/json", 400),
        (b"x=1", "text/plain", 415),
        (b'{"a":"' + b"a" * 20000 + b'"}', "application/json", 413),
    ],
)
def test_body_errors_conform(client, conforms, data, content_type, status):
    for path in ("/auth/register", "/auth/confirm", "/auth/login", "/auth/validate"):
        response = client.post(path, data=data, content_type=content_type)
        assert response.status_code == status
        conforms(response, path, "POST")


@pytest.mark.parametrize(("code", "status"), [("TooManyRequestsException", 429), ("InternalErrorException", 503)])
def test_cognito_fault_responses_conform(pool, conforms, code, status):
    scripted = ScriptedServer(lambda request: cognito_error(code, status=500 if status == 503 else 400))
    try:
        app = create_app({**pool, "endpoint_url": scripted.url})
        response = app.test_client().post("/auth/login", json={"username": "a", "password": "b"})
    finally:
        scripted.stop()
    assert response.status_code == status
    conforms(response, "/auth/login", "POST")
