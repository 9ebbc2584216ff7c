"""Required MFA after a password, as Cognito asks it, taught to moto (which gives tokens at once to a user with no
MFA factor in a pool whose MfaConfiguration is ON).

Cognito ([BOTO] ChallengeNameType): "MFA_SETUP: If MFA is required, users who don't have at least one of the MFA
methods set up are presented with an MFA_SETUP challenge. The user must set up at least one MFA type to continue
to authenticate." So, in a pool with MFA ON, a confirmed user who gives the right password (USER_PASSWORD_AUTH,
ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH, and USER_AUTH's PASSWORD, which runs USER_PASSWORD_AUTH) and to whom
moto would hand tokens is asked instead, in this order:
- SOFTWARE_TOKEN_MFA: the pool has TOTP on and the user has a verified software token;
- SMS_MFA: the pool has SMS MFA and the user turned SMS MFA on or has a verified phone number (mfa.py sends the
  code: it wraps what this module installs);
- EMAIL_OTP: the pool has email MFA (mfa_email.py) and the user turned it on or has a verified email address: the
  code is sent to the email on a passwordless.py session, as mfa_email.py's EMAIL_OTP (the same order as SMS: a
  factor the user can be reached by is asked rather than a set-up; which of SMS and email Cognito asks first of a
  user reachable by both, it does not document: SMS here);
- MFA_SETUP otherwise, with a Session that AssociateSoftwareToken, VerifySoftwareToken and RespondToAuthChallenge
  MFA_SETUP take (mfa.py), as after NEW_PASSWORD_REQUIRED.
After SRP's PASSWORD_VERIFIER (and USER_AUTH's PASSWORD_SRP) moto already answers MFA_SETUP to a user with no
verified token; a user SMS can reach is asked SMS_MFA there instead. MFAS_CAN_SETUP is the JSON array as a string
(ChallengeParameters is a map of strings; Amplify JSON.parse()s it); moto put a list. OPTIONAL and OFF: unchanged.
A user with more than one factor on and none preferred is asked SELECT_MFA_TYPE instead (mfa_choice.py).
moto is imported inside `teach()` only.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from cognito_emulator import factors, mfa_email, passwordless

PASSWORD_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")


def _totp_on(pool: Any) -> bool:
    return bool((pool.token_mfa_config or {}).get("Enabled"))


def can_set_up(pool: Any) -> str:
    """MFAS_CAN_SETUP: the MFA types the pool offers, as the JSON array string Cognito sends."""
    offered = (["SOFTWARE_TOKEN_MFA"] if _totp_on(pool) else []) + (["SMS_MFA"] if pool.sms_mfa_config else [])
    return json.dumps(offered, separators=(",", ":"))


def required_step(pool: Any, user: Any) -> str | None:
    """What a pool that requires MFA asks this user after the password (None: the pool does not require it)."""
    if pool.mfa_config != "ON":
        return None
    if user.preferred_mfa_setting == mfa_email.EMAIL and mfa_email.enabled(pool, user.username):
        return mfa_email.EMAIL  # moto knows no email preference: it would ask TOTP of a verified token
    if _totp_on(pool) and (user.token_verified or user.software_token_mfa_enabled):
        return "SOFTWARE_TOKEN_MFA"
    if pool.sms_mfa_config and (user.sms_mfa_enabled or factors._verified(pool, user, "phone_number")):
        return "SMS_MFA"
    if mfa_email.pool_config(pool) is not None and (
        mfa_email.enabled(pool, user.username) or factors._verified(pool, user, "email")
    ):
        return mfa_email.EMAIL
    return "MFA_SETUP"


def _gives_tokens(user: Any, password: Any, admin: bool) -> bool:
    """Whether moto's password flow would answer tokens: the right password of an enabled, confirmed user whom
    moto asks no MFA (its own tests, in models.py's initiate_auth and admin_initiate_auth)."""
    status = str(getattr(user.status, "value", user.status))
    if not (user.enabled and user.password and isinstance(password, str) and user.password == password):
        return False
    if status != "CONFIRMED":
        return False  # moto's refusals and NEW_PASSWORD_REQUIRED
    preferred = user.preferred_mfa_setting
    asked = (user.software_token_mfa_enabled and preferred == "SOFTWARE_TOKEN_MFA") or (
        user.sms_mfa_enabled and preferred == "SMS_MFA"
    )
    return not asked and (admin or not user.token_verified)  # InitiateAuth also asks TOTP of a verified token


def _challenge(
    backend: Any, pool: Any, user: Any, step: str, client_id: str, session: str | None = None
) -> dict[str, Any]:
    """The challenge, on a moto sign-in session (mfa.py and moto's MFA answers read that table); EMAIL_OTP's on a
    passwordless.py session, which answers it."""
    if step == mfa_email.EMAIL and client_id in pool.clients:
        if session is not None:
            backend.sessions.pop(session, None)
        flow = passwordless.Flow(backend, pool, pool.clients[client_id])
        return flow.start(user, user.username, step, {}, None)  # type: ignore[no-any-return]
    if session is None:
        session = str(uuid.uuid4())
        backend.sessions[session] = (user.username, pool)
    parameters = {"MFAS_CAN_SETUP": can_set_up(pool)} if step == "MFA_SETUP" else {}
    return {"ChallengeName": step, "ChallengeParameters": parameters, "Session": session}


def _instead_of_tokens(backend: Any, pool: Any, client_id: str, parameters: Any, admin: bool) -> dict[str, Any] | None:
    """The challenge Cognito asks where moto would give tokens after a password, else None."""
    parameters = parameters if isinstance(parameters, dict) else {}
    username = parameters.get("USERNAME")
    user = pool._get_user(username) if pool is not None and isinstance(username, str) and username else None
    if user is None or not _gives_tokens(user, parameters.get("PASSWORD"), admin):
        return None
    step = required_step(pool, user)
    return _challenge(backend, pool, user, step, client_id) if step is not None else None


def _setup_as_string(result: Any) -> Any:
    """MFAS_CAN_SETUP as the string Cognito sends, where moto put a list."""
    if isinstance(result, dict) and isinstance((result.get("ChallengeParameters") or {}).get("MFAS_CAN_SETUP"), list):
        offered = result["ChallengeParameters"]["MFAS_CAN_SETUP"]
        result["ChallengeParameters"]["MFAS_CAN_SETUP"] = json.dumps(offered, separators=(",", ":"))
    return result


def teach() -> None:
    """Patch the required MFA step into moto's password sign-ins (once per process; before mfa.teach())."""
    from moto.cognitoidp.models import CognitoIdpBackend

    if getattr(CognitoIdpBackend.initiate_auth, "requires_mfa", False):
        return
    initiate, admin_initiate = CognitoIdpBackend.initiate_auth, CognitoIdpBackend.admin_initiate_auth
    respond = CognitoIdpBackend.respond_to_auth_challenge

    def initiate_auth(self: Any, client_id: str, auth_flow: str, parameters: Any) -> Any:
        if auth_flow == "USER_PASSWORD_AUTH":
            pool = next((p for p in self.user_pools.values() if client_id in p.clients), None)
            challenge = _instead_of_tokens(self, pool, client_id, parameters, admin=False)
            if challenge is not None:
                return challenge
        return initiate(self, client_id, auth_flow, parameters)

    def admin_initiate_auth(self: Any, pool_id: str, client_id: str, auth_flow: str, parameters: Any) -> Any:
        pool = self.user_pools.get(pool_id)
        if auth_flow in PASSWORD_FLOWS and pool is not None and client_id in pool.clients:
            challenge = _instead_of_tokens(self, pool, client_id, parameters, admin=True)
            if challenge is not None:
                return challenge
        return admin_initiate(self, pool_id, client_id, auth_flow, parameters)

    def respond_to_auth_challenge(self: Any, session: str, client_id: str, name: str, responses: Any) -> Any:
        result = _setup_as_string(respond(self, session, client_id, name, responses))
        if name != "PASSWORD_VERIFIER" or not isinstance(result, dict) or result.get("ChallengeName") != "MFA_SETUP":
            return result
        username, pool = self.sessions.get(result.get("Session"), (None, None))
        user = pool._get_user(username) if pool is not None else None
        step = required_step(pool, user) if user is not None else None
        if step is None or step == "MFA_SETUP":
            return result
        return _challenge(
            self, pool, user, step, client_id, result["Session"]
        )  # moto's MFA_SETUP, for a reachable user

    initiate_auth.requires_mfa = True  # type: ignore[attr-defined]
    CognitoIdpBackend.initiate_auth = initiate_auth
    CognitoIdpBackend.admin_initiate_auth = admin_initiate_auth
    CognitoIdpBackend.respond_to_auth_challenge = respond_to_auth_challenge
