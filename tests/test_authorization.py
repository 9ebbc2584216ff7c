"""Decorator options: token types, groups (any/all), scopes and machine tokens; 403 for a valid token lacking them."""

from __future__ import annotations

import pytest
from flask import Blueprint, jsonify

from app import create_app
from middleware.authentication import current_claims, require_token
from services.tokens.verifier import username_of
from tests.support.helpers import DROP, Minter


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


def test_groups_from_a_real_cognito_sign_in(guarded, emulator, pool, users_of):
    client, _ = guarded
    users = users_of(client)
    users.register("alice")
    users.confirm("alice")
    emulator.client.create_group(GroupName="staff", UserPoolId=pool["user_pool_id"])
    emulator.client.admin_add_user_to_group(UserPoolId=pool["user_pool_id"], Username="alice", GroupName="staff")
    access = users.login("alice").json["access_token"]
    assert call(client, "/any-group", access).json == {"groups": ["staff"]}
    assert call(client, "/all-groups", access).status_code == 403


# Machine-to-machine access tokens (client-credentials grant): the app client is the subject, no user, no groups.
ORDERS_SCOPE = "orders/read"


def machine_token(minter: Minter, client_id: str | None = None, **claims) -> str:
    client_id = client_id or minter.client_id
    shape = {"username": DROP, "sub": client_id, "client_id": client_id, "scope": ORDERS_SCOPE}
    return minter.token(**{**shape, **claims})


@pytest.fixture
def machine_app(pool):
    """The app plus a service's own Blueprint: `/orders` lets machines in, with a scope."""
    app = create_app({**pool, "accepted_client_ids": frozenset({"robotclient1"})})
    orders = Blueprint("orders", __name__)

    @orders.get("/orders")
    @require_token({"access"}, machine=True, scopes={ORDERS_SCOPE})
    def list_orders():
        claims = current_claims()
        return jsonify(client=claims["client_id"], user=username_of(claims))

    app.register_blueprint(orders)
    settings = app.extensions["cognito_auth"].settings
    return app, Minter(settings.issuer, settings.client_id)


@pytest.mark.parametrize("client_id", [None, "robotclient1"], ids=["own client", "accepted extra client"])
def test_a_machine_token_passes_where_the_route_lets_machines_in(machine_app, client_id):
    app, minter = machine_app
    response = call(app.test_client(), "/orders", machine_token(minter, client_id))
    assert response.status_code == 200, response.json
    assert response.json == {"client": client_id or minter.client_id, "user": None}


def test_a_users_token_passes_there_too(machine_app):
    app, minter = machine_app
    response = call(app.test_client(), "/orders", minter.token(scope=f"openid {ORDERS_SCOPE}"))
    assert response.json == {"client": minter.client_id, "user": "minted"}


@pytest.mark.parametrize("scope", ["orders/write", "orders/read/all", "", DROP])
def test_a_machine_token_without_the_scope_is_403_insufficient_scope(machine_app, scope):
    app, minter = machine_app
    response = call(app.test_client(), "/orders", machine_token(minter, scope=scope))
    assert response.status_code == 403
    assert response.json["error"] == "insufficient_scope"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/hello"),
        ("GET", "/auth/me"),
        ("POST", "/auth/logout"),
        ("POST", "/auth/change-password"),
        ("POST", "/auth/mfa/totp/setup"),
        ("POST", "/auth/mfa/totp/verify"),
    ],
)
def test_a_machine_token_on_a_user_route_is_403_forbidden(machine_app, method, path):
    app, minter = machine_app
    token = machine_token(minter, scope=f"{ORDERS_SCOPE} aws.cognito.signin.user.admin")  # not a scope matter
    response = app.test_client().open(path, method=method, headers={"Authorization": f"Bearer {token}"}, json={})
    assert response.status_code == 403, response.json
    assert response.json["error"] == "forbidden"
    assert "user's token" in response.json["message"]
    assert response.headers["WWW-Authenticate"] == 'Bearer error="forbidden"'


def test_a_cached_machine_token_meets_the_same_rule(machine_app, monkeypatch):
    app, minter = machine_app
    client, verifier, token = app.test_client(), app.extensions["cognito_auth"].verifier, machine_token(minter)
    full_checks: list = []
    verify_new = verifier._verify_new
    monkeypatch.setattr(verifier, "_verify_new", lambda *a: full_checks.append(1) or verify_new(*a))
    for _ in range(2):
        assert call(client, "/orders", token).status_code == 200
        assert call(client, "/hello", token).status_code == 403
    assert len(full_checks) == 1 and verifier.cache.get(token) is not None  # three of the four were cache hits


@pytest.mark.parametrize(
    "token",
    [
        lambda m: m.token(username=DROP, scope=ORDERS_SCOPE),  # sub is a user's, not the client
        lambda m: machine_token(m, **{"cognito:groups": ["admin"]}),
        lambda m: machine_token(m, username=""),
        lambda m: machine_token(m, username=None),
        lambda m: machine_token(m, "strangerclient"),  # machine-shaped, but of a client not accepted
        lambda m: m.token("id", sub=m.client_id, **{"cognito:username": DROP}),  # ID tokens always name a user
    ],
    ids=["sub not the client", "with groups", "username empty", "username null", "client not accepted", "ID token"],
)
def test_a_token_naming_no_user_without_the_machine_shape_is_401(machine_app, token):
    app, minter = machine_app
    response = call(app.test_client(), "/orders", token(minter))
    assert response.status_code == 401
    assert response.json["error"] == "invalid_token"
