"""Decorator options: token types, groups (any/all) and scopes; 403 for a valid token lacking them, 401 otherwise."""

from __future__ import annotations

import pytest
from flask import jsonify

from app import create_app
from middleware.auth import current_claims, require_token
from tests.conftest import Users
from tests.helpers import DROP, Minter


@pytest.fixture
def guarded(pool):
    """The app plus routes guarded the ways an application would guard its own."""
    app = create_app(pool)

    @app.get("/any-group")
    @require_token(groups={"admin", "staff"})
    def any_group():
        return jsonify(groups=list(current_claims()["cognito:groups"]))

    @app.get("/all-groups")
    @require_token(groups={"admin", "staff"}, all_groups=True)
    def all_groups():
        return jsonify(ok=True)

    @app.get("/scoped")
    @require_token({"access"}, scopes={"orders.read", "orders.write"})
    def scoped():
        return jsonify(ok=True)

    settings = app.extensions["cognito_auth"].settings
    return app.test_client(), Minter(settings.issuer, settings.client_id)


def call(client, path, token):
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(
    ("path", "groups", "status"),
    [
        ("/any-group", ["admin"], 200),
        ("/any-group", ["staff", "other"], 200),
        ("/any-group", ["other"], 403),
        ("/any-group", [], 403),
        ("/any-group", DROP, 403),  # no claim: no groups
        ("/all-groups", ["admin", "staff"], 200),
        ("/all-groups", ["admin"], 403),
        ("/all-groups", DROP, 403),
    ],
)
def test_groups(guarded, path, groups, status):
    client, minter = guarded
    response = call(client, path, minter.token(**{"cognito:groups": groups}))
    assert response.status_code == status
    if status == 403:
        assert response.json["error"] == "forbidden"
        assert response.headers["WWW-Authenticate"] == 'Bearer error="forbidden"'


@pytest.mark.parametrize(
    ("scope", "status"),
    [
        ("orders.read orders.write", 200),
        ("openid orders.write orders.read", 200),
        ("orders.read", 403),
        ("orders.read orders.writer", 403),  # exact match only
        ("ORDERS.READ ORDERS.WRITE", 403),
        ("", 403),
        (DROP, 403),
    ],
)
def test_scopes(guarded, scope, status):
    client, minter = guarded
    response = call(client, "/scoped", minter.token(scope=scope))
    assert response.status_code == status
    if status == 403:
        assert response.json["error"] == "insufficient_scope"
        assert (
            response.headers["WWW-Authenticate"]
            == 'Bearer error="insufficient_scope", scope="orders.read orders.write"'
        )


def test_a_bad_token_is_401_before_any_group_or_scope_rule(guarded):
    client, minter = guarded
    for path in ("/any-group", "/all-groups", "/scoped"):
        response = call(client, path, minter.token(exp=1, **{"cognito:groups": ["admin", "staff"]}))
        assert response.status_code == 401
        assert response.json["error"] == "invalid_token"
    assert client.get("/scoped").status_code == 401


def test_an_id_token_where_only_access_tokens_go_is_401(guarded):
    client, minter = guarded
    assert call(client, "/scoped", minter.token("id")).status_code == 401


def test_groups_from_a_real_cognito_sign_in(guarded, emulator, pool):
    client, _ = guarded
    users = Users(client)
    users.register("alice")
    users.confirm("alice")
    emulator.client.create_group(GroupName="staff", UserPoolId=pool["user_pool_id"])
    emulator.client.admin_add_user_to_group(UserPoolId=pool["user_pool_id"], Username="alice", GroupName="staff")
    access = users.login("alice").json["access_token"]
    assert call(client, "/any-group", access).json == {"groups": ["staff"]}
    assert call(client, "/all-groups", access).status_code == 403
