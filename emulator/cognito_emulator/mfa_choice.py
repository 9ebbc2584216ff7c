"""The choice of MFA factor (SELECT_MFA_TYPE) as Cognito asks it, taught to moto (which asks a user with several
factors and none preferred nothing, or TOTP, and knows no SELECT_MFA_TYPE answer).

Cognito: when a user has more than one MFA factor enabled and none preferred ("If multiple methods are available and
no method is preferred, the user will be given the choice", Amplify's MfaPreference docs), the password step (a
password sign-in, PASSWORD_VERIFIER after SRP, a NEW_PASSWORD_REQUIRED answer) answers ChallengeName SELECT_MFA_TYPE
with ChallengeParameters MFAS_CAN_CHOOSE, a JSON array as a string ('["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]'; Amplify
JSON.parse()s it). RespondToAuthChallenge SELECT_MFA_TYPE with ChallengeResponses {USERNAME, ANSWER} (Amplify's
handleSelectMFATypeChallenge) then asks that factor's challenge: SOFTWARE_TOKEN_MFA, SMS_MFA (mfa.py sends the
code) or EMAIL_OTP (mfa_email.py's code, on a passwordless.py session).

A factor counts when the pool still offers it and the user turned it on (SetUserMFAPreference Enabled), or, for
TOTP in a pool that requires MFA, verified a token (what mfa_setup.py counts); a verified phone or email alone does
not (conservative: Cognito documents no choice of factors a user never turned on). The list's order is SMS_MFA,
SOFTWARE_TOKEN_MFA, EMAIL_OTP. An ANSWER not offered: InvalidParameterException (the emulator's wording); a session
that asked no choice: NotAuthorizedException "Invalid session for the user.". moto is imported inside `teach()` only.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from cognito_emulator import mfa_email, passwordless, tokens
from cognito_emulator.webauthn_ops import error

NAME = "SELECT_MFA_TYPE"
PASSWORD_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
PASSWORD_ANSWERS = ("PASSWORD_VERIFIER", "NEW_PASSWORD_REQUIRED")
ASKED = ("SOFTWARE_TOKEN_MFA", "SMS_MFA")  # what moto or mfa_setup.py may ask after the password instead
INVALID_SESSION = "Invalid session for the user."


def enabled_factors(pool: Any, user: Any) -> list[str]:
    """The MFA factors this user has on, that the pool offers, in MFAS_CAN_CHOOSE's order."""
    if pool.mfa_config not in ("ON", "OPTIONAL"):
        return []
    totp = user.software_token_mfa_enabled or (pool.mfa_config == "ON" and user.token_verified)
    on = {
        "SMS_MFA": bool(pool.sms_mfa_config) and user.sms_mfa_enabled,
        "SOFTWARE_TOKEN_MFA": bool((pool.token_mfa_config or {}).get("Enabled")) and totp,
        mfa_email.EMAIL: mfa_email.enabled(pool, user.username),
    }
    return [factor for factor, yes in on.items() if yes]


def choices(pool: Any, user: Any) -> list[str] | None:
    """The factors Cognito lets this user choose among after the password, or None when it asks no choice."""
    factors = enabled_factors(pool, user)
    if len(factors) < 2 or user.preferred_mfa_setting in factors:
        return None
    return factors


def _choose(backend: Any, pool: Any, user: Any, offered: list[str], session: str | None) -> dict[str, Any]:
    """SELECT_MFA_TYPE on a moto sign-in session (the chosen factor's answer reads that table)."""
    if session is None:
        session = str(uuid.uuid4())
    backend.sessions[session] = (user.username, pool)
    backend.__dict__.setdefault("mfa_choices", {})[session] = offered
    parameters = {"MFAS_CAN_CHOOSE": json.dumps(offered, separators=(",", ":"))}
    return {"ChallengeName": NAME, "ChallengeParameters": parameters, "Session": session}


def instead(backend: Any, client_id: str, result: Any) -> Any:
    """After a password step: SELECT_MFA_TYPE where the user has a choice, in place of tokens or one factor's ask."""
    if not isinstance(result, dict):
        return result
    issued = result.get("AuthenticationResult")
    if isinstance(issued, dict):
        for pool in backend.user_pools.values():
            if issued.get("AccessToken") in pool.access_tokens:
                user = pool._get_user(pool.access_tokens[issued["AccessToken"]][1])
                offered = choices(pool, user) if user is not None else None
                if offered is None:
                    return result
                tokens.withdraw(pool, issued)
                return _choose(backend, pool, user, offered, None)
        return result
    if result.get("ChallengeName") in ASKED and result.get("Session") in backend.sessions:
        username, pool = backend.sessions[result["Session"]]
        user = pool._get_user(username)
        offered = choices(pool, user) if user is not None else None
        if offered is not None:
            return _choose(backend, pool, user, offered, result["Session"])
        preferred = user is not None and user.preferred_mfa_setting == mfa_email.EMAIL
        if preferred and mfa_email.enabled(pool, user.username) and client_id in pool.clients:
            # moto knows no email preference: InitiateAuth in a pool requiring MFA asks TOTP of a verified token
            return _email(backend, pool, pool.clients[client_id], user, user.username, result["Session"])
    return result


def _email(backend: Any, pool: Any, client: Any, user: Any, username: str, session: str) -> dict[str, Any]:
    """EMAIL_OTP, its code sent, on a passwordless.py session (which answers it) in place of moto's `session`."""
    backend.sessions.pop(session, None)
    return passwordless.Flow(backend, pool, client).start(user, username, mfa_email.EMAIL, {}, None)  # type: ignore[no-any-return]


def answer(backend: Any, session: Any, client_id: str, responses: Any) -> dict[str, Any]:
    """RespondToAuthChallenge SELECT_MFA_TYPE {USERNAME, ANSWER}: the chosen factor's challenge."""
    offered = backend.__dict__.get("mfa_choices", {}).get(session) if isinstance(session, str) else None
    if offered is None or session not in backend.sessions:
        raise error("NotAuthorizedException", INVALID_SESSION)
    username, pool = backend.sessions[session]
    client = pool.clients.get(client_id)
    responses = responses if isinstance(responses, dict) else {}
    given = responses.get("USERNAME")
    user = pool._get_user(given) if isinstance(given, str) and given else None
    if client is None or user is None or user is not pool._get_user(username):
        raise error("NotAuthorizedException", INVALID_SESSION)
    passwordless._check_secret(client, given, responses.get("SECRET_HASH"))
    chosen = responses.get("ANSWER")
    if chosen not in offered:
        raise error("InvalidParameterException", f"ANSWER must be one of {', '.join(offered)}.")
    del backend.__dict__["mfa_choices"][session]
    if chosen == mfa_email.EMAIL:
        return _email(backend, pool, client, user, given, session)
    return {"ChallengeName": chosen, "ChallengeParameters": {}, "Session": session}


def teach() -> None:
    """Patch SELECT_MFA_TYPE into moto's password sign-ins (after mfa_setup.teach(), before mfa.teach())."""
    from moto.cognitoidp.models import CognitoIdpBackend

    if getattr(CognitoIdpBackend.initiate_auth, "asks_mfa_choice", False):
        return
    initiate, admin_initiate = CognitoIdpBackend.initiate_auth, CognitoIdpBackend.admin_initiate_auth
    respond = CognitoIdpBackend.respond_to_auth_challenge

    def initiate_auth(self: Any, client_id: str, auth_flow: str, parameters: Any) -> Any:
        result = initiate(self, client_id, auth_flow, parameters)
        return instead(self, client_id, result) if auth_flow in PASSWORD_FLOWS else result

    def admin_initiate_auth(self: Any, pool_id: str, client_id: str, auth_flow: str, parameters: Any) -> Any:
        result = admin_initiate(self, pool_id, client_id, auth_flow, parameters)
        return instead(self, client_id, result) if auth_flow in PASSWORD_FLOWS else result

    def respond_to_auth_challenge(self: Any, session: str, client_id: str, name: str, responses: Any) -> Any:
        if name == NAME:
            return answer(self, session, client_id, responses)
        result = respond(self, session, client_id, name, responses)
        return instead(self, client_id, result) if name in PASSWORD_ANSWERS else result

    initiate_auth.asks_mfa_choice = True  # type: ignore[attr-defined]
    CognitoIdpBackend.initiate_auth = initiate_auth
    CognitoIdpBackend.admin_initiate_auth = admin_initiate_auth
    CognitoIdpBackend.respond_to_auth_challenge = respond_to_auth_challenge
