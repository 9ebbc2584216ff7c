"""The checks client_rules.py runs before each operation: sign-in flows, SECRET_HASH, user existence, and
the access token of every operation that takes one (revoked, expired, without the user-admin scope).

Cognito's order, as far as its answers show it: the flow, then SECRET_HASH, then the user, then the password.
"""

from __future__ import annotations

import time
from typing import Any

from cognito_emulator import devices, tokens
from cognito_emulator.client_rules import (
    NOT_FOUND,
    WRONG_CODE,
    WRONG_PASSWORD,
    add_rule,
    check_flow,
    check_secret_hash,
    client_and_pool,
    fake_delivery,
    hides_users,
    names_of,
    recovery_medium,
    unknown_user_at_sign_in,
)
from cognito_emulator.webauthn_ops import ADMIN_SCOPE, error

# Every operation whose input has an AccessToken (botocore's cognito-idp model), by moto's method name.
ACCESS_TOKEN_OPERATIONS = (
    "get_user",
    "change_password",
    "delete_user",
    "update_user_attributes",
    "delete_user_attributes",
    "get_user_attribute_verification_code",
    "verify_user_attribute",
    "global_sign_out",
    "associate_software_token",
    "verify_software_token",
    "set_user_mfa_preference",
    "set_user_settings",
    "list_devices",
    "get_device",
    "forget_device",
    "update_device_status",
    "confirm_device",
    "get_user_auth_factors",
    "start_web_authn_registration",
    "complete_web_authn_registration",
    "list_web_authn_credentials",
    "delete_web_authn_credential",
)
PASSWORD_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
HASHED_FLOWS = ("USER_SRP_AUTH", "USER_AUTH", "CUSTOM_AUTH", *PASSWORD_FLOWS)


def _parameters(response: Any, name: str) -> dict[str, Any]:
    value = response._get_param(name)
    return value if isinstance(value, dict) else {}


def _status(user: Any) -> str:
    return str(getattr(user.status, "value", user.status))


def _refresh_user(pool: Any, client: Any, token: Any, device_key: Any = None) -> Any:
    """The user a refresh token was issued to, for this client, else Cognito's refusal; a token bound to a device
    (device_srp.py) refreshes only with that device's key, while it is a confirmed device of the user."""
    issued = pool.refresh_tokens.get(token) if isinstance(token, str) else None
    if isinstance(token, str) and token in pool.refresh_tokens and issued is None:
        raise error("NotAuthorizedException", "Refresh Token has been revoked")  # GlobalSignOut (moto keeps None)
    if not issued or issued[0] != client.id:
        raise error("NotAuthorizedException", "Invalid Refresh Token")
    record = tokens.family(pool, issued[2])
    if record is not None and record["revoked"]:
        raise error("NotAuthorizedException", "Refresh Token has been revoked")
    if tokens.refresh_expired(pool, issued[2]):
        raise error("NotAuthorizedException", "Refresh Token has expired")
    bound = (record or {}).get("device_key")
    if bound is not None and (device_key != bound or devices.confirmed_device(pool, issued[1], bound) is None):
        raise error("NotAuthorizedException", "Invalid Refresh Token")
    user = pool._get_user(issued[1])
    if user is None:
        raise error("NotAuthorizedException", "User does not exist.")
    if not user.enabled:
        raise error("NotAuthorizedException", "User is disabled.")
    return user


def _sign_in(response: Any, admin: bool) -> None:
    client, pool = client_and_pool(response)
    flow, parameters = response._get_param("AuthFlow"), _parameters(response, "AuthParameters")
    check_flow(client, flow)
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        user = _refresh_user(pool, client, parameters.get("REFRESH_TOKEN"), parameters.get("DEVICE_KEY"))
        check_secret_hash(client, parameters.get("SECRET_HASH"), names_of(pool, user, None))
        return
    if flow not in HASHED_FLOWS:
        return
    username = parameters.get("USERNAME")
    user = _find(pool, username) if flow == "USER_SRP_AUTH" else pool._get_user(username) if username else None
    check_secret_hash(client, parameters.get("SECRET_HASH"), names_of(pool, user, username))
    if flow not in PASSWORD_FLOWS or not isinstance(username, str) or not username:
        return  # SRP's unknown user is srp.py's (unknown_user_at_sign_in); USER_AUTH's passwordless.py's
    if user is None:
        raise unknown_user_at_sign_in(client)
    if admin:  # moto's admin flow names the user in its wrong-password message and signs in unconfirmed users
        if not user.enabled:
            raise error("NotAuthorizedException", "User is disabled.")
        if not user.password or parameters.get("PASSWORD") != user.password:
            raise error("NotAuthorizedException", WRONG_PASSWORD)
        if _status(user) == "UNCONFIRMED":
            raise error("UserNotConfirmedException", "User is not confirmed.")


def _find(pool: Any, name: Any) -> Any:
    """The user a name means: the username or an alias (moto's lookup), else the sub (SRP's USER_ID_FOR_SRP)."""
    if not isinstance(name, str) or not name:
        return None
    return pool._get_user(name) or next((user for user in pool.users.values() if user.id == name), None)


def _respond(response: Any) -> None:
    client, pool = client_and_pool(response)
    responses = _parameters(response, "ChallengeResponses")
    username = responses.get("USERNAME")
    user = _find(pool, username)
    check_secret_hash(client, responses.get("SECRET_HASH"), names_of(pool, user, username))


def _hashed(response: Any) -> Any:
    """SignUp and the confirmation and recovery calls: SecretHash over the user's name."""
    client, pool = client_and_pool(response)
    username = response._get_param("Username")
    user = pool._get_user(username) if isinstance(username, str) and username else None
    check_secret_hash(client, response._get_param("SecretHash"), names_of(pool, user, username))
    return client, pool, user


def _secret_hash_only(response: Any) -> None:
    _hashed(response)


def _confirm(response: Any) -> None:
    """ConfirmSignUp and ConfirmForgotPassword for a user who does not exist."""
    client, _, user = _hashed(response)
    if user is None:
        if hides_users(client):
            raise error("CodeMismatchException", WRONG_CODE)
        raise error("UserNotFoundException", NOT_FOUND)


def _forgot_password(response: Any) -> Any:
    from moto.core.responses import ActionResult

    client, pool, user = _hashed(response)
    if user is not None:
        return None
    if not hides_users(client):
        raise error("UserNotFoundException", NOT_FOUND)
    username = response._get_param("Username")
    return ActionResult({"CodeDeliveryDetails": fake_delivery(pool, username, recovery_medium(pool))})


def access_token_user(backend: Any, token: Any) -> tuple[Any, Any, dict[str, Any]] | None:
    """For an access token this emulator signed: (pool, user, claims), or Cognito's refusal when it is revoked,
    expired, without the user-admin scope, or its user is gone or disabled. None for a token it never signed."""
    from joserfc import jwt

    from cognito_emulator.oauth.minting import unverified_claims

    if not isinstance(token, str):
        return None
    pool = backend.user_pools.get(str(unverified_claims(token).get("iss", "")).rsplit("/", 1)[-1])
    try:
        claims = dict(jwt.decode(token, pool.json_web_key).claims) if pool is not None else None
    except Exception:  # joserfc raises many kinds for a token that is not one of ours
        claims = None
    if not claims or claims.get("token_use") != "access" or "username" not in claims:
        return None  # an ID token, a machine token or a stranger: the handler's "Invalid Access Token"
    record = tokens.family(pool, claims.get("origin_jti"))
    if record is not None and record["revoked"]:
        raise error("NotAuthorizedException", tokens.REVOKED)
    if claims.get("exp", 0) < time.time():
        raise error("NotAuthorizedException", "Access Token has expired")
    if ADMIN_SCOPE not in str(claims.get("scope", "")).split():
        raise error("NotAuthorizedException", "Access Token does not have required scopes")
    user = pool.users.get(claims["username"])
    if user is None:
        raise error("UserNotFoundException", "User does not exist.")
    if not user.enabled:
        raise error("NotAuthorizedException", "User is disabled.")
    if token not in pool.access_tokens:
        raise error("NotAuthorizedException", tokens.REVOKED)  # signed out before families were recorded
    return pool, user, claims


def _access_token(response: Any) -> None:
    token = response._get_param("AccessToken")
    if token is not None:
        access_token_user(response._get_region_agnostic_backend()._find_backend_by_access_token(token), token)


def _change_password(response: Any) -> None:
    token = response._get_param("AccessToken")
    found = access_token_user(response._get_region_agnostic_backend()._find_backend_by_access_token(token), token)
    previous = response._get_param("PreviousPassword")
    if found is not None and (not found[1].password or previous != found[1].password):
        raise error("NotAuthorizedException", WRONG_PASSWORD)  # moto's message is the username


def register() -> None:
    """Add these checks to client_rules.py's RULES."""
    add_rule("initiate_auth", lambda response: _sign_in(response, admin=False))
    add_rule("admin_initiate_auth", lambda response: _sign_in(response, admin=True))
    add_rule("respond_to_auth_challenge", _respond)
    add_rule("admin_respond_to_auth_challenge", _respond)
    for action in ("sign_up", "resend_confirmation_code"):
        add_rule(action, _secret_hash_only)
    for action in ("confirm_sign_up", "confirm_forgot_password"):
        add_rule(action, _confirm)
    add_rule("forgot_password", _forgot_password)
    for action in ACCESS_TOKEN_OPERATIONS:
        add_rule(action, _access_token)
    add_rule("change_password", _change_password)
