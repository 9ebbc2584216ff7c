"""The admin API under /auth/admin/ (issue 28), through the Flask test client against the emulator: only with
ADMIN_GROUP (else the routes do not exist), only for its members (else 403), every route and every refusal a
clear 4xx, disable and sign-out ending the user's sessions and tokens at once, one audit line per action."""

from __future__ import annotations

import logging

import pytest
import schemathesis

from app import create_app
from middleware.openapi import document
from tests.support.helpers import PASSWORD, bearer
from tests.support.metrics import Scrapes, label_values, metered
from tests.support.sessions_end import make_user, session_client, statuses

GROUP = "admins"


@pytest.fixture
def admin_app(emulator, pool):
    for name in ("root", "alice", "bob"):
        make_user(emulator, pool, name)
    for group in (GROUP, "staff"):
        emulator.client.create_group(UserPoolId=pool["user_pool_id"], GroupName=group)
    emulator.client.admin_add_user_to_group(UserPoolId=pool["user_pool_id"], Username="root", GroupName=GROUP)
    return create_app({**pool, "admin_group": GROUP})


def token_of(app, username: str, kind: str = "access_token") -> dict[str, str]:
    response = app.test_client().post("/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return bearer(response.json[kind])


@pytest.fixture
def root(admin_app) -> dict[str, str]:
    return token_of(admin_app, "root")


def audit_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "audit"]


def test_without_admin_group_the_routes_do_not_exist(app, client, emulator, pool):
    make_user(emulator, pool, "root")
    headers = token_of(app, "root")
    assert client.get("/auth/admin/users", headers=headers).status_code == 404
    assert client.post("/auth/admin/users/root/disable", headers=headers).status_code == 404
    assert not [path for path in client.get("/openapi.json").json["paths"] if path.startswith("/auth/admin")]


def test_the_document_shows_the_routes_when_configured(admin_app):
    paths = admin_app.test_client().get("/openapi.json").json["paths"]
    assert set(paths["/auth/admin/users/{username}/groups/{group}"]) == {"put", "delete"}
    assert {"get"} == set(paths["/auth/admin/users"]) == set(paths["/auth/admin/users/{username}"])


def test_a_non_admin_and_no_token_are_refused(admin_app, caplog):
    caplog.set_level(logging.INFO, logger="audit")
    client = admin_app.test_client()
    alice = token_of(admin_app, "alice")
    for method, path in (("get", "/auth/admin/users"), ("post", "/auth/admin/users/bob/disable")):
        response = getattr(client, method)(path, headers=alice)
        assert response.status_code == 403 and response.json["error"] == "forbidden", path
        assert getattr(client, method)(path).status_code == 401
    assert statuses(session_client(admin_app, "bob")[0]) == [200, 200, 200]  # bob was not disabled
    assert len(audit_lines(caplog)) == 2 and all(line.endswith(": forbidden") for line in audit_lines(caplog))


def test_list_users_with_filter_limit_and_pages(admin_app, root):
    client = admin_app.test_client()
    first = client.get("/auth/admin/users?limit=2", headers=root)
    assert first.status_code == 200, first.json
    assert len(first.json["users"]) == 2 and first.json["next"]
    second = client.get("/auth/admin/users", query_string={"limit": 2, "next": first.json["next"]}, headers=root)
    names = {user["username"] for user in first.json["users"] + second.json["users"]}
    assert names == {"root", "alice", "bob"} and second.json["next"] is None
    found = client.get("/auth/admin/users", query_string={"filter": 'email ^= "bo"'}, headers=root)
    assert [user["username"] for user in found.json["users"]] == ["bob"]
    assert found.json["users"][0]["attributes"]["email"] == "bob@example.com"
    assert found.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"filter": "bogus"}, 'attribute = "value"'),
        ({"filter": 'password = "x"'}, "may name only"),
        ({"filter": 'email = "' + "a" * 300 + '"'}, "longer than 256"),
        ({"filter": 'email = "a\nb"'}, 'attribute = "value"'),
        ({"limit": "0"}, "1 to 60"),
        ({"limit": "61"}, "1 to 60"),
        ({"limit": "ten"}, "1 to 60"),
        ({"next": "a b"}, "previous listing"),
        ({"other": "1"}, "Unknown query parameter"),
    ],
)
def test_bad_listing_input_is_a_clear_400(admin_app, root, query, words):
    response = admin_app.test_client().get("/auth/admin/users", query_string=query, headers=root)
    assert response.status_code == 400 and response.json["error"] == "invalid_request"
    assert words in response.json["message"]


def test_a_next_token_cognito_never_gave_is_a_400(admin_app, root):
    response = admin_app.test_client().get("/auth/admin/users", query_string={"next": "garbage"}, headers=root)
    assert response.status_code == 400, response.json


def test_get_user_and_the_groups(admin_app, root):
    client = admin_app.test_client()
    user = client.get("/auth/admin/users/root", headers=root).json
    assert user["username"] == "root" and user["groups"] == [GROUP] and user["enabled"] is True and user["sub"]
    assert client.put("/auth/admin/users/alice/groups/staff", headers=root).json == {
        "username": "alice",
        "group": "staff",
        "member": True,
    }
    assert client.get("/auth/admin/users/alice", headers=root).json["groups"] == ["staff"]
    assert client.delete("/auth/admin/users/alice/groups/staff", headers=root).status_code == 200
    assert client.get("/auth/admin/users/alice", headers=root).json["groups"] == []


@pytest.mark.parametrize(
    ("method", "path", "error"),
    [
        ("get", "/auth/admin/users/nobody", "user_not_found"),
        ("post", "/auth/admin/users/nobody/disable", "user_not_found"),
        ("post", "/auth/admin/users/nobody/enable", "user_not_found"),
        ("post", "/auth/admin/users/nobody/sign-out", "user_not_found"),
        ("post", "/auth/admin/users/nobody/reset-password", "user_not_found"),
        ("put", "/auth/admin/users/alice/groups/nogroup", "group_not_found"),
        ("delete", "/auth/admin/users/alice/groups/nogroup", "group_not_found"),
    ],
)
def test_unknown_users_and_groups_are_404(admin_app, root, method, path, error):
    response = getattr(admin_app.test_client(), method)(path, headers=root)
    assert response.status_code == 404 and response.json["error"] == error


def test_disable_ends_the_users_session_and_tokens_in_the_same_second(admin_app, root, emulator, pool):
    browser, _ = session_client(admin_app, "alice")
    alice = token_of(admin_app, "alice")
    bob, _ = session_client(admin_app, "bob")
    client = admin_app.test_client()
    assert statuses(browser) == [200, 200, 200]
    response = client.post("/auth/admin/users/alice/disable", headers=root)
    assert response.status_code == 200 and response.json == {"username": "alice", "enabled": False}
    assert statuses(browser) == [401, 401, 401]  # at once: no recheck, no refresh needed
    assert client.get("/hello", headers=alice).status_code == 401
    assert statuses(bob) == [200, 200, 200]
    user = emulator.client.admin_get_user(UserPoolId=pool["user_pool_id"], Username="alice")
    assert user["Enabled"] is False
    assert client.post("/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 401
    assert client.post("/auth/admin/users/alice/enable", headers=root).json["enabled"] is True
    assert statuses(session_client(admin_app, "alice")[0]) == [200, 200, 200]  # a new sign-in works again


def test_sign_out_and_reset_password_end_the_sessions(admin_app, root, emulator, pool):
    client = admin_app.test_client()
    browser, _ = session_client(admin_app, "alice")
    response = client.post("/auth/admin/users/alice/sign-out", headers=root)
    assert response.status_code == 200 and response.json["signed_out"] is True
    assert statuses(browser) == [401, 401, 401]
    browser, _ = session_client(admin_app, "bob")
    assert client.post("/auth/admin/users/bob/reset-password", headers=root).json["password_reset"] is True
    assert statuses(browser) == [401, 401, 401]
    user = emulator.client.admin_get_user(UserPoolId=pool["user_pool_id"], Username="bob")
    assert user["UserStatus"] == "RESET_REQUIRED"


def test_a_cookie_admin_needs_the_csrf_token(admin_app):
    admin, csrf = session_client(admin_app, "root")
    assert admin.get("/auth/admin/users").status_code == 200
    refused = admin.post("/auth/admin/users/alice/disable")
    assert refused.status_code == 403 and refused.json["error"] == "csrf_failed"
    assert admin.post("/auth/admin/users/alice/disable", headers={"X-CSRF-Token": csrf}).status_code == 200


def test_each_action_writes_one_audit_line_without_a_token(admin_app, root, caplog):
    caplog.set_level(logging.INFO, logger="audit")
    client = admin_app.test_client()
    client.post("/auth/admin/users/alice/disable", headers=root)
    client.get("/auth/admin/users/nobody", headers=root)
    client.put("/auth/admin/users/bob/groups/staff", headers=root)
    lines = audit_lines(caplog)
    assert len(lines) == 3, lines
    assert lines[0].startswith("admin disable by root (") and lines[0].endswith(" on alice: ok")
    assert lines[1].endswith("on nobody: user_not_found")
    assert lines[2].endswith("on bob group staff: ok")
    token = root["Authorization"].split(" ", 1)[1]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged and token.split(".")[2] not in logged


def test_each_action_is_counted_by_action_and_result_and_no_name(emulator, pool, admin_app):
    app, client = metered(pool, admin_group=GROUP)
    root, alice = token_of(app, "root"), token_of(app, "alice")
    scrapes = Scrapes(client)
    client.post("/auth/admin/users/bob/disable", headers=root)
    client.post("/auth/admin/users/nobody/enable", headers=root)
    client.get("/auth/admin/users", headers=alice)
    assert scrapes.delta("auth_admin_actions_total", action="disable", result="ok") == 1
    assert scrapes.delta("auth_admin_actions_total", action="enable", result="user_not_found") == 1
    assert scrapes.delta("auth_admin_actions_total", action="list_users", result="forbidden") == 1
    assert not {"bob", "nobody", "root", "alice"} & label_values(scrapes.scrape())


def test_every_answer_is_one_the_document_allows(admin_app, root):
    schema = schemathesis.openapi.from_dict(document(admin_app))
    client = admin_app.test_client()
    alice = token_of(admin_app, "alice")
    calls = [
        ("GET", "/auth/admin/users?limit=1", "/auth/admin/users", root),
        ("GET", "/auth/admin/users?limit=99", "/auth/admin/users", root),
        ("GET", "/auth/admin/users", "/auth/admin/users", alice),
        ("GET", "/auth/admin/users", "/auth/admin/users", {}),
        ("GET", "/auth/admin/users/alice", "/auth/admin/users/{username}", root),
        ("GET", "/auth/admin/users/nobody", "/auth/admin/users/{username}", root),
        ("POST", "/auth/admin/users/bob/disable", "/auth/admin/users/{username}/disable", root),
        ("POST", "/auth/admin/users/bob/enable", "/auth/admin/users/{username}/enable", root),
        ("POST", "/auth/admin/users/bob/sign-out", "/auth/admin/users/{username}/sign-out", root),
        ("POST", "/auth/admin/users/bob/reset-password", "/auth/admin/users/{username}/reset-password", root),
        ("PUT", "/auth/admin/users/bob/groups/staff", "/auth/admin/users/{username}/groups/{group}", root),
        ("DELETE", "/auth/admin/users/bob/groups/nogroup", "/auth/admin/users/{username}/groups/{group}", root),
    ]
    for method, path, template, headers in calls:
        response = client.open(path, method=method, headers=headers)
        assert response.status_code < 500, (path, response.json)
        schema[template][method].validate_response(response)
    tokens = client.post("/auth/login", json={"username": "alice", "password": PASSWORD}).json
    deleted = client.delete("/auth/me", headers=bearer(tokens["access_token"]))
    assert deleted.status_code == 204
    schema["/auth/me"]["DELETE"].validate_response(deleted)
    refused = client.delete("/auth/me", headers=bearer(tokens["access_token"]))
    schema["/auth/me"]["DELETE"].validate_response(refused)
