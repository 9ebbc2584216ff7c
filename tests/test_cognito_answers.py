"""Real Cognito's answers that no emulator gives, from a proxy in front of the emulator answering as Cognito does.

The newer issuer, refresh-token rotation, an endpoint without GetTokensFromRefreshToken, revocation
disabled on the client, InvalidParameter with its reason, AccessDenied, missing credentials and an answer
without ExpiresIn. Every other call reaches the emulator.
"""

from __future__ import annotations

import json
import logging

import pytest

from app import create_app
from config import ConfigError
from tests.support.helpers import Minter, bearer, cognito_error, json_reply

UNKNOWN_OPERATION = cognito_error("UnknownOperationException", message="")


@pytest.fixture
def users(pool, proxy, users_of):
    return users_of(create_app({**pool, "endpoint_url": proxy.url}).test_client())


def with_tokens(reply, change):
    """The emulator's token answer, changed by `change(AuthenticationResult)`."""
    status, headers, body = reply
    document = json.loads(body)
    change(document["AuthenticationResult"])
    return json_reply(status, document, headers)


def test_tokens_with_the_newer_issuer_form_are_accepted(pool, proxy, users):
    """Pools with IssuerConfiguration UPDATED sign `iss` as https://issuer-cognito-idp.{region}.amazonaws.com/{pool}."""
    issuer = f"https://issuer-cognito-idp.us-east-1.amazonaws.com/{pool['user_pool_id']}"
    minter = Minter(issuer, pool["client_id"])

    def updated_issuer(tokens):
        tokens["AccessToken"] = minter.token("access", username="alice")
        tokens["IdToken"] = minter.token("id", **{"cognito:username": "alice"})

    proxy.answers["InitiateAuth"] = lambda request: with_tokens(proxy.forward(request), updated_issuer)
    tokens = users.tokens("alice")
    for kind in ("access_token", "id_token"):
        hello = users.client.get("/hello", headers=bearer(tokens[kind]))
        assert hello.status_code == 200, hello.json
    validated = users.client.post("/auth/validate", json={"token": tokens["access_token"]})
    assert validated.json["claims"]["iss"] == issuer


def test_refresh_uses_get_tokens_from_refresh_token_and_returns_a_rotated_token(proxy, users):
    tokens = users.tokens("alice")
    proxy.answers["GetTokensFromRefreshToken"] = lambda request: with_tokens(
        proxy.forward(request), lambda result: result.update(RefreshToken="rotated-refresh-token")
    )
    response = users.client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200, response.json
    assert response.json["refresh_token"] == "rotated-refresh-token"
    assert users.client.get("/hello", headers=bearer(response.json["access_token"])).status_code == 200
    assert "InitiateAuth" not in proxy.operations[proxy.operations.index("GetTokensFromRefreshToken") :]


@pytest.mark.parametrize(
    "unsupported",
    [
        UNKNOWN_OPERATION,
        cognito_error("CognitoLocal#Unsupported", status=500, message="Cognito Local unsupported feature"),
        (500, {"Content-Type": "text/html"}, b"<h1>Internal Server Error</h1>"),  # moto without our addition
    ],
    ids=["unknown operation", "cognito-local", "html 500"],
)
def test_refresh_falls_back_to_refresh_token_auth_where_the_operation_is_missing(proxy, users, unsupported):
    tokens = users.tokens("alice")
    proxy.answers["GetTokensFromRefreshToken"] = unsupported
    response = users.client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200, response.json
    assert response.json["refresh_token"] is None  # no rotation: the client keeps the one it has
    assert proxy.operations[-1] == "InitiateAuth"


def test_a_certainly_missing_operation_is_not_tried_again(proxy, users):
    tokens = users.tokens("alice")
    proxy.answers["GetTokensFromRefreshToken"] = UNKNOWN_OPERATION
    for _ in range(2):
        assert users.client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 200
    assert proxy.operations.count("GetTokensFromRefreshToken") == 1


def test_fallback_refresh_with_a_client_secret_needs_the_stored_username(emulator, pool, proxy, users_of):
    app_client = emulator.client.create_user_pool_client(
        UserPoolId=pool["user_pool_id"],
        ClientName="with-secret",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],  # Cognito enforces them
    )["UserPoolClient"]
    settings = {"client_id": app_client["ClientId"], "client_secret": app_client["ClientSecret"]}
    client = create_app({**pool, **settings, "endpoint_url": proxy.url}).test_client()
    tokens = users_of(client).tokens("alice")
    assert tokens["username"] == "alice"  # login says which username refresh needs
    proxy.answers["GetTokensFromRefreshToken"] = UNKNOWN_OPERATION
    body = {"refresh_token": tokens["refresh_token"]}
    assert client.post("/auth/refresh", json=body).status_code == 400
    assert client.post("/auth/refresh", json={**body, "username": "bob"}).status_code == 401  # wrong SECRET_HASH
    assert client.post("/auth/refresh", json={**body, "username": "alice"}).status_code == 200


def test_revocation_disabled_on_the_client_still_signs_out(proxy, users, caplog):
    tokens = users.tokens("alice")
    proxy.answers["RevokeToken"] = cognito_error(
        "UnsupportedOperationException", message="Token revocation is not enabled for this app client"
    )
    response = users.client.post(
        "/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 204
    assert proxy.operations[-2:] == ["GlobalSignOut", "RevokeToken"]
    assert any("RevokeToken refused" in record.getMessage() for record in caplog.records)
    assert users.client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_logout_with_a_refresh_token_signs_out_although_revoke_token_revokes_the_access_token(proxy, users):
    """Real Cognito's RevokeToken also revokes the access tokens issued with the refresh token: GlobalSignOut
    with one of them after it is refused. The server signs out first."""
    tokens, revoked = users.tokens("alice"), []

    def revoke(request):
        revoked.append(json.loads(request.body)["Token"])
        return proxy.forward(request)

    def sign_out(request):
        if revoked:  # the access token went with its refresh token
            return cognito_error("NotAuthorizedException", message="Access Token has been revoked")
        return proxy.forward(request)

    proxy.answers.update(RevokeToken=revoke, GlobalSignOut=sign_out)
    response = users.client.post(
        "/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 204 and revoked == [tokens["refresh_token"]]
    assert users.client.get("/hello", headers=bearer(tokens["access_token"])).status_code == 401


def test_invalid_parameter_passes_cognitos_reason_through(proxy, users, caplog):
    reason = "USERNAME should be a valid user name"
    users.register("alice")
    users.confirm("alice")
    proxy.answers["InitiateAuth"] = cognito_error("InvalidParameterException", message=reason)
    with caplog.at_level(logging.WARNING):
        response = users.login("alice")
    assert response.status_code == 400
    assert response.json == {"error": "invalid_parameter", "message": reason}
    assert any(reason in record.getMessage() for record in caplog.records)


def test_a_flow_not_enabled_is_named_with_the_setting_to_change(proxy, users, caplog):
    """Cognito's "<FLOW> flow not enabled for this client": 400 flow_not_allowed, the flow and the fix named
    (tests/test_srp_sign_in.py has it against the emulator's own refusal)."""
    users.register("alice")
    users.confirm("alice")
    reason = "USER_PASSWORD_AUTH flow not enabled for this client"
    proxy.answers["InitiateAuth"] = cognito_error("InvalidParameterException", message=reason)
    response = users.login("alice")
    assert (response.status_code, response.json["error"]) == (400, "flow_not_allowed")
    assert "USER_PASSWORD_AUTH" in response.json["message"] and "ALLOW_USER_PASSWORD_AUTH" in response.json["message"]
    assert any("ALLOW_USER_PASSWORD_AUTH" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


def test_botocores_own_validation_text_never_reaches_a_client(users):
    """A 2-character TOTP code reaches botocore, whose model wants 6: the client gets our words, not its."""
    access = users.tokens("alice")["access_token"]
    response = users.client.post("/auth/mfa/totp/verify", json={"code": "12"}, headers=bearer(access))
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
    assert "Parameter validation" not in response.json["message"] and "UserCode" not in response.json["message"]


@pytest.mark.parametrize("code", ["AccessDeniedException", "UnrecognizedClientException"])
def test_access_denied_is_500_with_one_log_line_naming_the_permission(pool, proxy, caplog, code, users_of):
    client = create_app({**pool, "endpoint_url": proxy.url, "registration_mode": "auto_confirm"}).test_client()
    proxy.answers["AdminConfirmSignUp"] = cognito_error(code, message="not authorized to perform this action")
    response = users_of(client).register("alice")
    assert response.status_code == 500
    assert response.json["error"] == "internal_error"
    assert "AccessDenied" not in response.get_data(as_text=True)
    lines = [r.getMessage() for r in caplog.records if "cognito-idp:AdminConfirmSignUp" in r.getMessage()]
    assert len(lines) == 1 and "AdminConfirmSignUp" in lines[0]
    # The half-made user was deleted again: once the permission is granted, the same sign-up succeeds.
    assert "AdminDeleteUser" in proxy.operations
    del proxy.answers["AdminConfirmSignUp"]
    assert users_of(client).register("alice").status_code == 201


def test_login_without_expires_in_derives_it_from_the_token(proxy, users):
    """cognito-local leaves ExpiresIn out (it is optional in Cognito's model)."""
    proxy.answers["InitiateAuth"] = lambda request: with_tokens(
        proxy.forward(request), lambda tokens: tokens.pop("ExpiresIn")
    )
    tokens = users.tokens("alice")
    assert tokens["expires_in"] == 3600  # the emulator's access tokens live an hour


@pytest.mark.parametrize(
    "settings",
    [
        {"registration_mode": "auto_confirm"},
        {"registration_mode": "admin"},
        {"login_flow": "ADMIN_USER_PASSWORD_AUTH"},
        {"admin_group": "admins"},  # the admin API
    ],
)
def test_admin_modes_stop_at_start_up_without_credentials(pool, monkeypatch, tmp_path, settings):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance role to look for here
    with pytest.raises(ConfigError, match="need AWS credentials"):
        create_app({**pool, **settings})
    create_app(pool)  # the public APIs need none
