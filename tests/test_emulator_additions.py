"""ResendConfirmationCode and RevokeToken, which moto 5.2.5 lacks, answered by the emulator as Cognito does:
no HTML 500, no 45-line traceback in the log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging

import pytest
from botocore.exceptions import ClientError

from cognito_emulator.emulator import last_code
from cognito_emulator.pools import create_pool
from tests.support.helpers import PASSWORD


@pytest.fixture(autouse=True)
def _no_tracebacks(caplog: pytest.LogCaptureFixture):
    """The emulator serves in a thread of this process: whatever it logs lands here."""
    caplog.set_level(logging.INFO)
    yield
    assert "Traceback" not in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def error_code(call, **params) -> str:
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]["Code"]


def sign_up(emulator, pool, username: str = "alice", confirm: bool = False) -> None:
    attributes = [{"Name": "email", "Value": f"{username}@example.com"}]
    emulator.client.sign_up(ClientId=pool["client_id"], Username=username, Password=PASSWORD, UserAttributes=attributes)
    if confirm:
        emulator.client.confirm_sign_up(
            ClientId=pool["client_id"], Username=username, ConfirmationCode=last_code(username)
        )


def sign_in(emulator, pool, username: str = "alice") -> dict:
    parameters = {"USERNAME": username, "PASSWORD": PASSWORD}
    answer = emulator.client.initiate_auth(
        ClientId=pool["client_id"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters
    )
    return answer["AuthenticationResult"]


def test_resend_answers_code_delivery_details_for_an_unconfirmed_user(emulator, pool):
    sign_up(emulator, pool)
    answer = emulator.client.resend_confirmation_code(ClientId=pool["client_id"], Username="alice")
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] in ("EMAIL", "SMS")
    assert answer["CodeDeliveryDetails"]["Destination"]


def test_resend_for_a_confirmed_user_is_an_invalid_parameter(emulator, pool):
    sign_up(emulator, pool, confirm=True)
    resend = emulator.client.resend_confirmation_code
    assert error_code(resend, ClientId=pool["client_id"], Username="alice") == "InvalidParameterException"


def test_resend_for_nobody_depends_on_whether_the_client_hides_users(emulator, pool):
    hides = emulator.client.resend_confirmation_code(ClientId=pool["client_id"], Username="nobody")
    assert hides["CodeDeliveryDetails"]  # PreventUserExistenceErrors: a made-up delivery, as Cognito answers
    tells = emulator.client.create_user_pool_client(UserPoolId=pool["user_pool_id"], ClientName="tells")
    client_id = tells["UserPoolClient"]["ClientId"]
    resend = emulator.client.resend_confirmation_code
    assert error_code(resend, ClientId=client_id, Username="nobody") == "UserNotFoundException"
    assert error_code(resend, ClientId="no-such-client", Username="nobody") == "ResourceNotFoundException"


def test_resend_with_a_client_secret_needs_the_secret_hash(emulator):
    pool = create_pool(emulator.client, "secret", with_secret=True)
    attributes = [{"Name": "email", "Value": "alice@example.com"}]
    digest = hmac.new(pool["client_secret"].encode(), ("alice" + pool["client_id"]).encode(), hashlib.sha256)
    secret = base64.b64encode(digest.digest()).decode()
    emulator.client.sign_up(
        ClientId=pool["client_id"], Username="alice", Password=PASSWORD, UserAttributes=attributes, SecretHash=secret
    )
    resend = emulator.client.resend_confirmation_code
    assert error_code(resend, ClientId=pool["client_id"], Username="alice") == "NotAuthorizedException"
    assert (
        error_code(resend, ClientId=pool["client_id"], Username="alice", SecretHash="d3Jvbmc=")
        == "NotAuthorizedException"
    )
    assert resend(ClientId=pool["client_id"], Username="alice", SecretHash=secret)["CodeDeliveryDetails"]


def test_revoke_token_ends_the_refresh_token_only(emulator, pool):
    sign_up(emulator, pool, confirm=True)
    tokens = sign_in(emulator, pool)
    other = sign_in(emulator, pool)
    emulator.client.revoke_token(Token=tokens["RefreshToken"], ClientId=pool["client_id"])
    refresh = {"REFRESH_TOKEN": tokens["RefreshToken"]}
    initiate = emulator.client.initiate_auth
    code = error_code(initiate, ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh)
    assert code == "NotAuthorizedException"
    get_tokens = emulator.client.get_tokens_from_refresh_token
    assert (
        error_code(get_tokens, ClientId=pool["client_id"], RefreshToken=tokens["RefreshToken"])
        == "NotAuthorizedException"
    )
    # Another sign-in's refresh token still works; revoking again, or a token nobody issued, answers success.
    assert get_tokens(ClientId=pool["client_id"], RefreshToken=other["RefreshToken"])["AuthenticationResult"]
    emulator.client.revoke_token(Token=tokens["RefreshToken"], ClientId=pool["client_id"])
    emulator.client.revoke_token(Token="not-a-token-anyone-issued", ClientId=pool["client_id"])
    # Cognito: RevokeToken also revokes the access tokens of that refresh token, so GlobalSignOut with one is refused.
    assert error_code(emulator.client.global_sign_out, AccessToken=tokens["AccessToken"]) == "NotAuthorizedException"


def test_revoke_token_refuses_jwts_other_clients_and_clients_without_revocation(emulator, pool):
    sign_up(emulator, pool, confirm=True)
    tokens = sign_in(emulator, pool)
    revoke = emulator.client.revoke_token
    assert (
        error_code(revoke, Token=tokens["AccessToken"], ClientId=pool["client_id"]) == "UnsupportedTokenTypeException"
    )
    plain = emulator.client.create_user_pool_client(
        UserPoolId=pool["user_pool_id"], ClientName="plain", EnableTokenRevocation=False
    )["UserPoolClient"]["ClientId"]
    assert error_code(revoke, Token=tokens["RefreshToken"], ClientId=plain) == "UnsupportedOperationException"
    other = emulator.client.create_user_pool_client(UserPoolId=pool["user_pool_id"], ClientName="other")
    revoke(Token=tokens["RefreshToken"], ClientId=other["UserPoolClient"]["ClientId"])  # not its token: kept
    refreshed = emulator.client.get_tokens_from_refresh_token(
        ClientId=pool["client_id"], RefreshToken=tokens["RefreshToken"]
    )
    assert refreshed["AuthenticationResult"]["AccessToken"]


def test_the_apps_resend_and_logout_routes_work_on_the_emulator(client, users):
    assert users.register("bob").status_code == 201
    assert client.post("/auth/resend-code", json={"username": "bob"}).status_code == 202
    tokens = users.tokens("alice")
    logout = {"refresh_token": tokens["refresh_token"]}
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.post("/auth/logout", json=logout, headers=headers).status_code == 204
    assert client.post("/auth/refresh", json=logout).status_code == 401
