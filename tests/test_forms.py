"""The Express tutorial's clients post forms: every POST endpoint takes application/x-www-form-urlencoded
bodies with the same fields, the same checks and the same answers as JSON."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from app import create_app
from cognito_emulator.emulator import last_code
from tests.support.helpers import PASSWORD

FORM = "application/x-www-form-urlencoded"


def form(client, path: str, fields: dict | str, **kwargs):
    data = fields if isinstance(fields, str) else urlencode(fields)
    return client.post(path, data=data, content_type=FORM, **kwargs)


def same_answer(form_response, json_response, *, ignore: tuple[str, ...] = ()) -> None:
    assert form_response.status_code == json_response.status_code
    strip = lambda body: {k: v for k, v in body.items() if k not in ignore}  # noqa: E731
    assert strip(form_response.json) == strip(json_response.json)


def test_the_tutorials_calls_as_forms_get_the_same_answers_as_json(client):
    """register with `name`, confirm, login, validate with `token=`: one user by form, one by JSON."""
    for name, send in (("formuser", form), ("jsonuser", lambda c, p, b: c.post(p, json=b))):
        registered = send(
            client, "/auth/register", {"name": name, "email": f"{name}@example.com", "password": PASSWORD}
        )
        assert registered.status_code == 201, registered.json
        assert send(client, "/auth/confirm", {"name": name, "code": last_code(name)}).status_code == 200
    token = {}
    for name in ("formuser", "jsonuser"):
        login = form(client, "/auth/login", {"name": name, "password": PASSWORD})
        assert login.status_code == 200 and login.headers["Cache-Control"] == "no-store"
        token[name] = login.json["access_token"]
    by_form = form(client, "/auth/validate", {"token": token["formuser"]})
    by_json = client.post("/auth/validate", json={"token": token["formuser"]})
    same_answer(by_form, by_json)
    assert by_form.json["username"] == "formuser"
    hello = client.get("/hello", headers={"Authorization": token["formuser"]})  # the tutorial's bare token
    assert hello.status_code == 200


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/auth/register", {"name": "a", "email": "not-an-email", "password": PASSWORD}),
        ("/auth/register", {"name": "a", "password": PASSWORD}),  # no email (no password is a passwordless sign-up)
        ("/auth/login", {"name": "nobody", "password": "Wrong0ne!"}),
        ("/auth/login", {"password": PASSWORD}),
        ("/auth/validate", {"token": "not.a.token"}),
        ("/auth/confirm", {"name": "a"}),
        ("/auth/mfa/totp/verify", {"code": "12"}),
    ],
)
def test_refusals_are_the_same_for_forms_and_json(client, path, fields):
    same_answer(form(client, path, fields), client.post(path, json=fields))


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"name=a&name=b&password=x", "'name' more than once"),
        (b"name", "not a valid form"),
        (b"name=a&&password=x", "not a valid form"),
        (b"name=%FF&password=x", "not a valid form"),  # not UTF-8 once decoded
        (b"name=\xff&password=x", "not a valid form"),
    ],
)
def test_malformed_forms_are_400(client, data, named):
    response = client.post("/auth/login", data=data, content_type=FORM)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_form"
    assert named in response.json["message"]


def test_failed_form_logins_count_per_username(pool):
    """The per-username limit reads the form as the route does: one user's failures never lock out another."""
    client = create_app({**pool, "rate_limit_login_username": "2/minute"}).test_client()
    for _ in range(2):
        assert form(client, "/auth/login", {"name": "victim", "password": "Wrong0ne!"}).status_code == 401
    assert form(client, "/auth/login", {"name": "victim", "password": "Wrong0ne!"}).status_code == 429
    assert form(client, "/auth/login", {"name": "other", "password": "Wrong0ne!"}).status_code == 401


def test_other_media_types_are_still_415(client):
    response = client.post("/auth/login", data=b"name: a", content_type="text/yaml")
    assert response.status_code == 415
    assert "application/x-www-form-urlencoded" in response.json["message"]
