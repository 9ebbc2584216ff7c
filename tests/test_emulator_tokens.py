"""Tokens like Cognito's, by boto3 and the OAuth endpoints: lifetimes from the app client, `version`, `event_id`,
`origin_jti` and `jti`, revocation by family, and the discovery document.

Sources: botocore's cognito-idp model (AccessTokenValidity, IdTokenValidity, RefreshTokenValidity,
TokenValidityUnits: defaults 1 h, 1 h, 30 days), ../shared/COGNITO.md (claims, origin_jti kept across refreshes,
RevokeToken and GlobalSignOut), AWS's RevokeToken page ("Access Token has been revoked").
"""

from __future__ import annotations

import base64
import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

from tests.support.helpers import PASSWORD


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def refused(call, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def signed_in(emulator, pool, client_id: str | None = None) -> dict:
    client_id = client_id or pool["client_id"]
    if pool["user_pool_id"] and not emulator.client.list_users(UserPoolId=pool["user_pool_id"])["Users"]:
        attributes = [{"Name": "email", "Value": "alice@example.com"}]
        emulator.client.sign_up(ClientId=client_id, Username="alice", Password=PASSWORD, UserAttributes=attributes)
        emulator.client.admin_confirm_sign_up(UserPoolId=pool["user_pool_id"], Username="alice")
    parameters = {"USERNAME": "alice", "PASSWORD": PASSWORD}
    answer = emulator.client.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters)
    return answer["AuthenticationResult"]


def test_tokens_carry_cognitos_claims(emulator, pool):
    tokens = signed_in(emulator, pool)
    access, id_token = claims(tokens["AccessToken"]), claims(tokens["IdToken"])
    assert access["version"] == 2 and "version" not in id_token
    assert access["event_id"] == id_token["event_id"]  # one authentication event
    assert access["origin_jti"] == id_token["origin_jti"] and access["jti"] != id_token["jti"]
    assert tokens["ExpiresIn"] == 3600 and access["exp"] - access["iat"] == 3600  # Cognito's default hour
    again = signed_in(emulator, pool)
    assert claims(again["AccessToken"])["event_id"] != access["event_id"]  # a new sign-in, a new event
    refreshed = emulator.client.initiate_auth(
        ClientId=pool["client_id"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )["AuthenticationResult"]
    new = claims(refreshed["AccessToken"])
    assert new["origin_jti"] == access["origin_jti"] and new["jti"] != access["jti"]  # origin_jti kept
    assert new["auth_time"] == access["auth_time"]


def test_lifetimes_follow_the_client_and_its_units(emulator, pool):
    client_id = emulator.client.create_user_pool_client(
        UserPoolId=pool["user_pool_id"],
        ClientName="short",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AccessTokenValidity=5,
        IdTokenValidity=2,
        RefreshTokenValidity=3,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "hours", "RefreshToken": "days"},
    )["UserPoolClient"]["ClientId"]
    tokens = signed_in(emulator, pool, client_id)
    access, id_token = claims(tokens["AccessToken"]), claims(tokens["IdToken"])
    assert tokens["ExpiresIn"] == 300 and access["exp"] - access["iat"] == 300
    assert id_token["exp"] - id_token["iat"] == 7200
    hours = emulator.client.create_user_pool_client(
        UserPoolId=pool["user_pool_id"],
        ClientName="hours",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        AccessTokenValidity=2,
    )["UserPoolClient"]["ClientId"]
    assert signed_in(emulator, pool, hours)["ExpiresIn"] == 7200  # hours when no unit is given


def test_revoke_token_refuses_the_familys_access_tokens(emulator, pool):
    tokens, other = signed_in(emulator, pool), signed_in(emulator, pool)
    assert emulator.client.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    emulator.client.revoke_token(Token=tokens["RefreshToken"], ClientId=pool["client_id"])
    for call in (emulator.client.get_user, emulator.client.list_devices, emulator.client.global_sign_out):
        assert refused(call, AccessToken=tokens["AccessToken"]) == (
            "NotAuthorizedException",
            "Access Token has been revoked",
        )
    assert emulator.client.get_user(AccessToken=other["AccessToken"])["Username"] == "alice"  # another family


@pytest.mark.parametrize("admin", [False, True])
def test_global_sign_out_refuses_every_token_of_the_user(emulator, pool, admin):
    first, second = signed_in(emulator, pool), signed_in(emulator, pool)
    if admin:
        emulator.client.admin_user_global_sign_out(UserPoolId=pool["user_pool_id"], Username="alice")
    else:
        emulator.client.global_sign_out(AccessToken=first["AccessToken"])
    for tokens in (first, second):
        assert refused(emulator.client.get_user, AccessToken=tokens["AccessToken"]) == (
            "NotAuthorizedException",
            "Access Token has been revoked",
        )
        refresh = {"REFRESH_TOKEN": tokens["RefreshToken"]}
        call = emulator.client.initiate_auth
        assert refused(call, ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh)[0] == (
            "NotAuthorizedException"
        )
    assert emulator.client.get_user(AccessToken=signed_in(emulator, pool)["AccessToken"])  # a new sign-in works


def test_revocation_survives_a_restart(tmp_path):
    from cognito_emulator.emulator import LocalCognito

    path = str(tmp_path / "state.json")
    first = LocalCognito(path)
    try:
        ids = first.local_pool()
        tokens = signed_in(first, ids)
        first.client.revoke_token(Token=tokens["RefreshToken"], ClientId=ids["client_id"])
    finally:
        first.stop()
    again = LocalCognito(path)
    try:
        assert refused(again.client.get_user, AccessToken=tokens["AccessToken"])[1] == "Access Token has been revoked"
    finally:
        again.stop()


def test_the_discovery_document_advertises_what_the_emulator_serves(emulator, pool):
    url = f"{emulator.endpoint_url}/{pool['user_pool_id']}/.well-known/openid-configuration"
    with urllib.request.urlopen(url) as answer:  # noqa: S310 (the emulator on loopback)
        document = json.load(answer)
    token = claims(signed_in(emulator, pool)["IdToken"])
    assert document["issuer"] == token["iss"]  # OIDC Discovery 4.3 (the reason it is not the URL: endpoints.py)
    assert document["response_types_supported"] == ["code"]  # the implicit grant is refused
    assert document["jwks_uri"] == f"{emulator.endpoint_url}/{pool['user_pool_id']}/.well-known/jwks.json"
    assert document["end_session_endpoint"] == f"{emulator.endpoint_url}/logout"
