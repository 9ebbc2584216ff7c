"""MFA as Cognito checks it, taught to moto (whose TOTP secret is `asdfasdfasdf` for everyone and which takes any
code, and turns SMS MFA on for a user with no phone).

- TOTP per RFC 6238 (HMAC-SHA1, 30 s steps, 6 digits: what authenticator apps and Cognito use): each
  AssociateSoftwareToken makes a new random base32 secret of 32 bytes (52 characters, as Cognito's are);
  VerifySoftwareToken checks a code of it and only then makes it the user's, and SOFTWARE_TOKEN_MFA checks a code
  of the user's secret. Codes of the step before and after are taken ("Amazon Cognito accepts TOTP tokens that
  are within 30 seconds before or after", [DG] TOTP page); a code is taken once per user and step (replay).
  A wrong code: VerifySoftwareToken EnableSoftwareTokenMFAException ([BOTO]'s error for "code mismatch"),
  SOFTWARE_TOKEN_MFA CodeMismatchException.
- SMS_MFA: the challenge sends a random code by SMS (ChallengeParameters CODE_DELIVERY_DELIVERY_MEDIUM and
  CODE_DELIVERY_DESTINATION) and the answer must be that code, within the sign-in session's 3 minutes.
- SetUserMFAPreference / AdminSetUserMFAPreference refuse SMS MFA for a user with no phone number:
  InvalidParameterException "User does not have delivery config set to turn on SMS_MFA" (Cognito's message).
- A sign-in session takes three wrong MFA codes; the third ends it (as passwordless.py's sessions).
moto is imported inside `teach()` only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from typing import Any

from cognito_emulator import codes, factors
from cognito_emulator.webauthn_ops import error

STEP, DIGITS, SECRET_BYTES = 30, 6, 32
SMS_MFA_SECONDS = 3 * 60  # an app client's default AuthSessionValidity (the MFA code's lifetime, [DG] limits.md)


def new_secret() -> str:
    """A random TOTP secret: 32 bytes, base32 without padding."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def totp(secret: str, step: int) -> str:
    """RFC 6238's code of `secret` (base32) for time step `step` (RFC 4226's HOTP with SHA-1)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**DIGITS:0{DIGITS}d}"


def matching_step(secret: str, given: Any, now: float | None = None) -> int | None:
    """The time step (now, one before or one after) whose code `given` is, else None."""
    if not isinstance(given, str) or len(given) != DIGITS or not given.isdigit():
        return None
    current = int((time.time() if now is None else now) // STEP)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp(secret, step), given):
            return step
    return None


def _totp(pool: Any, username: str) -> dict[str, Any]:
    """The user's TOTP data: {secret?, pending?, used: [steps already taken]}."""
    return factors.extras(pool).setdefault("totp", {}).setdefault(username, {"used": []})  # type: ignore[no-any-return]


def take(pool: Any, username: str, secret: str | None, given: Any) -> bool:
    """Whether `given` is a fresh code of `secret`; a taken one is remembered so it is not taken again."""
    step = matching_step(secret, given) if secret else None
    data = _totp(pool, username)
    if step is None or step in data["used"]:
        return False
    data["used"] = [s for s in data["used"] if s >= step - 2] + [step]
    return True


def _wrong_try(backend: Any, session: str) -> None:
    """Count a wrong MFA code on a sign-in session; the third ends it."""
    counts = backend.__dict__.setdefault("mfa_wrong_tries", {})
    counts[session] = counts.get(session, 0) + 1
    if counts[session] >= factors.MAX_ATTEMPTS:
        backend.sessions.pop(session, None)
        counts.pop(session, None)


def _sms_codes(pool: Any) -> dict[str, Any]:
    return factors.extras(pool).setdefault("sms_mfa", {})  # type: ignore[no-any-return]


def _send_sms_code(backend: Any, result: Any) -> Any:
    """On an SMS_MFA challenge: send its code and say where, as Cognito's ChallengeParameters do."""
    if not isinstance(result, dict) or result.get("ChallengeName") != "SMS_MFA":
        return result
    username, pool = backend.sessions.get(result.get("Session"), (None, None))
    user = pool._get_user(username) if pool is not None else None
    if user is None or not user.attribute_lookup.get("phone_number"):
        return result  # no code can be sent: every answer will be wrong
    code = factors.new_code()
    now = time.time()
    sms = _sms_codes(pool)
    for key in [key for key, saved in sms.items() if saved["expires"] < now]:
        del sms[key]
    sms[result["Session"]] = {"code": code, "expires": now + SMS_MFA_SECONDS, "username": user.username}
    factors.deliver_code(pool, user.username, "SMS", code)
    shown = codes.details(user, "phone_number")
    parameters = {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": shown["Destination"]}
    return {**result, "ChallengeParameters": {**(result.get("ChallengeParameters") or {}), **parameters}}


def teach() -> None:
    """Patch TOTP, SMS MFA and the MFA preference checks into moto's Cognito (once per process)."""
    from moto.cognitoidp.models import CognitoIdpBackend

    if getattr(CognitoIdpBackend.verify_software_token, "checks_totp", False):
        return
    associate, verify = CognitoIdpBackend.associate_software_token, CognitoIdpBackend.verify_software_token
    respond, initiate = CognitoIdpBackend.respond_to_auth_challenge, CognitoIdpBackend.initiate_auth
    admin_initiate = CognitoIdpBackend.admin_initiate_auth
    set_preference = CognitoIdpBackend.admin_set_user_mfa_preference

    def user_of(backend: Any, access_token: Any, session: Any) -> tuple[Any, Any]:
        if session:
            if session not in backend.sessions:
                raise error("NotAuthorizedException", "Invalid session for the user.")
            username, pool = backend.sessions[session]
            return pool, backend.admin_get_user(pool.id, username)
        for pool in backend.user_pools.values():
            if isinstance(access_token, str) and access_token in pool.access_tokens:
                return pool, backend.admin_get_user(pool.id, pool.access_tokens[access_token][1])
        raise error("NotAuthorizedException", "Invalid Access Token")

    def associate_software_token(self: Any, access_token: str, session: str) -> dict[str, str]:
        answer = associate(self, access_token, session)  # moto's session and token checks
        pool, user = user_of(self, access_token, session)
        secret = new_secret()
        _totp(pool, user.username)["pending"] = secret
        return {**answer, "SecretCode": secret}

    def verify_software_token(self: Any, access_token: str, session: str, user_code: str, name: str) -> dict[str, str]:
        pool, user = user_of(self, access_token, session)
        data = _totp(pool, user.username)
        if not take(pool, user.username, data.get("pending"), user_code):
            raise error("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
        data["secret"] = data.pop("pending")
        answer = verify(self, access_token, session, user_code, name)
        if session:  # MFA_SETUP completes only with the session this call answers
            self.__dict__.setdefault("mfa_set_up", set()).add(answer.get("Session"))
        return answer  # type: ignore[no-any-return]

    def respond_to_auth_challenge(self: Any, session: str, client_id: str, name: str, responses: Any) -> Any:
        if name == "MFA_SETUP" and session not in self.__dict__.get("mfa_set_up", set()):
            raise error("NotAuthorizedException", "Invalid session for the user.")  # no verified token on it
        self.__dict__.get("mfa_set_up", set()).discard(session)
        if name in ("SOFTWARE_TOKEN_MFA", "SMS_MFA", "MFA_SETUP") and session not in self.sessions:
            raise error("NotAuthorizedException", "Invalid session for the user.")  # moto: ResourceNotFound
        if name in ("SOFTWARE_TOKEN_MFA", "SMS_MFA"):
            username, pool = self.sessions[session]
            user = pool._get_user(username)
            given = (responses or {}).get(f"{name}_CODE") if isinstance(responses, dict) else None
            if name == "SOFTWARE_TOKEN_MFA":
                right = user is not None and take(pool, user.username, _totp(pool, user.username).get("secret"), given)
            else:
                sent = _sms_codes(pool).get(session) or {}
                if sent and sent["expires"] < time.time():
                    raise error("NotAuthorizedException", "Invalid session for the user, session is expired.")
                right = bool(sent) and isinstance(given, str) and hmac.compare_digest(sent["code"], given)
            if not right:
                _wrong_try(self, session)
                raise error("CodeMismatchException", "Invalid code received for user")
            _sms_codes(pool).pop(session, None)
        return _send_sms_code(self, respond(self, session, client_id, name, responses))

    def initiate_auth(self: Any, *args: Any, **kwargs: Any) -> Any:
        return _send_sms_code(self, initiate(self, *args, **kwargs))

    def admin_initiate_auth(self: Any, *args: Any, **kwargs: Any) -> Any:
        return _send_sms_code(self, admin_initiate(self, *args, **kwargs))

    def admin_set_user_mfa_preference(self: Any, pool_id: str, username: str, totp_settings: Any, sms: Any) -> None:
        user = self.admin_get_user(pool_id, username)
        turns_on = isinstance(sms, dict) and (sms.get("Enabled") or sms.get("PreferredMfa"))
        if turns_on and not user.attribute_lookup.get("phone_number"):
            raise error("InvalidParameterException", "User does not have delivery config set to turn on SMS_MFA")
        set_preference(self, pool_id, username, totp_settings, sms)

    verify_software_token.checks_totp = True  # type: ignore[attr-defined]
    CognitoIdpBackend.associate_software_token = associate_software_token
    CognitoIdpBackend.verify_software_token = verify_software_token
    CognitoIdpBackend.respond_to_auth_challenge = respond_to_auth_challenge
    CognitoIdpBackend.initiate_auth = initiate_auth
    CognitoIdpBackend.admin_initiate_auth = admin_initiate_auth
    CognitoIdpBackend.admin_set_user_mfa_preference = admin_set_user_mfa_preference
