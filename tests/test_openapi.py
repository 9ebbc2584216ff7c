"""The OpenAPI document: it names exactly the app's routes, and real responses conform to it."""

from __future__ import annotations

import pytest
import schemathesis

import openapi
from app import create_app
from tests.helpers import ScriptedServer, cognito_error

SCHEMA = schemathesis.openapi.from_dict(openapi.document())


def conforms(response, path: str, method: str):
    SCHEMA[path][method].validate_response(response)  # raises with the reason when it does not
    return response


def test_document_and_routes_agree(app):
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(method.upper(), path) for path, item in openapi.document()["paths"].items() for method in item}
    assert routes == documented


def test_served_document_is_the_document(client):
    assert client.get("/openapi.json").json == openapi.document()


def test_every_documented_operation_lists_its_errors():
    for path, item in openapi.document()["paths"].items():
        for operation in item.values():
            if "requestBody" in operation:
                assert {"400", "413", "415", "429", "500"} <= set(operation["responses"]), path


def test_responses_across_the_lifecycle_conform(client, users, minter):
    post = lambda path, body: conforms(client.post(path, json=body), path, "POST")  # noqa: E731
    user = {"username": "alice", "email": "alice@example.com", "password": "Passw0rd!"}
    assert post("/auth/register", user).status_code == 201
    assert post("/auth/register", user).status_code == 409
    assert post("/auth/register", {**user, "username": "bob", "password": "weak"}).status_code == 400
    assert post("/auth/login", {"username": "alice", "password": "Passw0rd!"}).status_code == 403
    assert post("/auth/confirm", {"username": "alice", "code": "123"}).status_code == 200
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
def test_body_errors_conform(client, data, content_type, status):
    for path in ("/auth/register", "/auth/confirm", "/auth/login", "/auth/validate"):
        response = client.post(path, data=data, content_type=content_type)
        assert response.status_code == status
        conforms(response, path, "POST")


@pytest.mark.parametrize(("code", "status"), [("TooManyRequestsException", 429), ("InternalErrorException", 503)])
def test_cognito_fault_responses_conform(pool, code, status):
    scripted = ScriptedServer(lambda request: cognito_error(code, status=500 if status == 503 else 400))
    try:
        client = create_app({**pool, "endpoint_url": scripted.url}).test_client()
        response = client.post("/auth/login", json={"username": "a", "password": "b"})
    finally:
        scripted.stop()
    assert response.status_code == status
    conforms(response, "/auth/login", "POST")
