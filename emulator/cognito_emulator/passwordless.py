"""Choice-based sign-in (InitiateAuth USER_AUTH, then SELECT_CHALLENGE, EMAIL_OTP, SMS_OTP, WEB_AUTHN, PASSWORD
in RespondToAuthChallenge), taught to moto, which refuses the flow. Tokens are moto's own, as for a password.

Sessions (factors.py) last the app client's AuthSessionValidity (3 minutes by default); each step answers
a new one. A wrong code, password or passkey answer is refused (CodeMismatchException for a code,
NotAuthorizedException otherwise) and the session stays usable, until the third wrong answer, which also ends
it: any later answer on it is NotAuthorizedException "Invalid session for the user.".
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from cognito_emulator import factors, passkeys
from cognito_emulator.additions import _secret_hash
from cognito_emulator.webauthn_ops import error, relying_party

OURS = {"SELECT_CHALLENGE", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN", "PASSWORD"}
CODE_FIELD = {"EMAIL_OTP": "EMAIL_OTP_CODE", "SMS_OTP": "SMS_OTP_CODE"}
INVALID_SESSION = "Invalid session for the user."


def allows_user_auth(client: Any) -> bool:
    """Whether the app client has ALLOW_USER_AUTH among its ExplicitAuthFlows."""
    return "ALLOW_USER_AUTH" in (client.extended_config.get("ExplicitAuthFlows") or [])


def client_and_pool(backend: Any, client_id: Any) -> tuple[Any, Any]:
    """The app client and its pool, else ResourceNotFoundException."""
    for pool in backend.user_pools.values():
        if isinstance(client_id, str) and client_id in pool.clients:
            return pool.clients[client_id], pool
    raise error("ResourceNotFoundException", f"User pool client {client_id} does not exist.")


def _check_secret(client: Any, username: str, secret_hash: Any) -> None:
    if client.generate_secret and secret_hash != _secret_hash(client.secret, username, client.id):
        raise error("NotAuthorizedException", f"Unable to verify secret hash for client {client.id}")


def tokens(pool: Any, client_id: str, username: str) -> dict[str, Any]:
    """A signed-in answer, with tokens made as moto makes them for USER_PASSWORD_AUTH."""
    refresh, origin_jti = pool.create_refresh_token(client_id, username)
    access, expires_in = pool.create_access_token(client_id, username, origin_jti=origin_jti)
    id_token, _ = pool.create_id_token(client_id, username, origin_jti=origin_jti)
    result = {"IdToken": id_token, "AccessToken": access, "RefreshToken": refresh, "ExpiresIn": expires_in}
    return {"ChallengeParameters": {}, "AuthenticationResult": {**result, "TokenType": "Bearer"}}


def _user(pool: Any, username: Any) -> Any:
    if not isinstance(username, str) or not username:
        raise error("InvalidParameterException", "Missing required parameter USERNAME")
    user = pool._get_user(username)
    if user is not None and not user.enabled:
        raise error("NotAuthorizedException", "User is disabled.")
    if user is not None and str(getattr(user.status, "value", user.status)) == "UNCONFIRMED":
        raise error("UserNotConfirmedException", "User is not confirmed.")
    return user


def _check_password(user: Any, given: Any) -> None:
    if user is None or not user.password or not isinstance(given, str) or given != user.password:
        raise passkeys.Refusal("NotAuthorizedException", "Incorrect username or password.")


class Flow:
    """One USER_AUTH call's view of the pool: starting a factor, and checking an answer to it."""

    def __init__(self, backend: Any, pool: Any, client: Any) -> None:
        self.backend, self.pool, self.client = backend, pool, client
        self.sessions = factors.extras(pool)["sessions"]

    def factors_of(self, user: Any) -> list[str]:
        """The factors this user may choose; for a user who does not exist, where the client hides users, the
        pool's factors but the passkey, so the answers look alike: every later answer then fails as a wrong one."""
        if user is not None:
            return factors.usable_factors(self.pool, user)
        if self.client.extended_config.get("PreventUserExistenceErrors") != "ENABLED":
            raise error("UserNotFoundException", "User does not exist.")
        return [f for f in factors.allowed_first_factors(self.pool) if f != "WEB_AUTHN"]

    def select(self, username: str, available: list[str]) -> dict[str, Any]:
        """SELECT_CHALLENGE among `available`."""
        if not available:
            raise error("NotAuthorizedException", "Incorrect username or password.")
        session = factors.open_session(
            self.pool, self.client, username, challenge="SELECT_CHALLENGE", available=available
        )
        choice = {"ChallengeName": "SELECT_CHALLENGE", "AvailableChallenges": available, "ChallengeParameters": {}}
        return {**choice, "Session": session}

    def start(self, user: Any, username: str, factor: str, params: dict[str, Any], session: str | None) -> Any:
        """Go to `factor`: send the code, or the passkey options, or check the password given with it."""
        if factor == "PASSWORD" and params.get("PASSWORD"):
            if session:  # the choice and the password in one step: a wrong one counts as on the PASSWORD step
                try:
                    _check_password(user, params["PASSWORD"])
                except passkeys.Refusal as refused:
                    self._failed(session, self.sessions[session])
                    raise error(refused.code, refused.message) from refused
                del self.sessions[session]
            return self.password(user, username, params["PASSWORD"])
        fields: dict[str, Any] = {"challenge": factor, "code": None, "webauthn": None}
        parameters: dict[str, str] = {}
        if factor in factors.MEDIUM:
            medium = factors.MEDIUM[factor]
            if user is not None:
                fields["code"], medium = factors.send_code(self.pool, user, factor)
            destination = factors.masked(user, medium) if user else f"{username[:1]}***@e***"
            parameters = {"CODE_DELIVERY_DELIVERY_MEDIUM": medium, "CODE_DELIVERY_DESTINATION": destination}
        elif factor == "WEB_AUTHN":
            rp_id, verification = relying_party(self.pool)
            keys = factors.extras(self.pool)["passkeys"].get(user.username, []) if user else []
            options = passkeys.request_options(rp_id, keys, verification)
            fields["webauthn"] = options["challenge"]
            parameters = {"CREDENTIAL_REQUEST_OPTIONS": json.dumps(options, separators=(",", ":"))}
        if session:
            new = factors.renew_session(self.pool, session, **fields)
        else:
            new = factors.open_session(self.pool, self.client, username, **fields)
        return {"ChallengeName": factor, "Session": new, "ChallengeParameters": parameters}

    def password(self, user: Any, username: str, password: Any) -> Any:
        """The password, checked by moto's own USER_PASSWORD_AUTH (so TOTP MFA and tokens are as there)."""
        if user is None or not user.password or not isinstance(password, str):
            raise error("NotAuthorizedException", "Incorrect username or password.")
        answer = self.backend.initiate_auth(
            self.client.id, "USER_PASSWORD_AUTH", {"USERNAME": username, "PASSWORD": password}
        )
        answer.setdefault("ChallengeParameters", {})
        return answer

    def answer(self, session: Any, name: str, responses: dict[str, Any]) -> Any:
        """RespondToAuthChallenge for one of our challenges."""
        saved = self.sessions.get(session) if isinstance(session, str) else None
        if saved is None or saved["client_id"] != self.client.id:
            raise error("NotAuthorizedException", INVALID_SESSION)
        if saved["expires"] < time.time():
            del self.sessions[session]
            raise error("NotAuthorizedException", "Invalid session for the user, session is expired.")
        username = responses.get("USERNAME")
        user = _user(self.pool, username)
        if not self._same_user(saved, user, username):
            raise error("NotAuthorizedException", INVALID_SESSION)
        _check_secret(self.client, username, responses.get("SECRET_HASH"))
        if name != saved["challenge"]:
            raise error("InvalidParameterException", f"The session's challenge is {saved['challenge']}, not {name}.")
        if name == "SELECT_CHALLENGE":
            choice = responses.get("ANSWER")
            if choice not in saved["available"]:
                raise error("InvalidParameterException", f"ANSWER must be one of {', '.join(saved['available'])}.")
            return self.start(user, username, choice, responses, session)
        try:
            self._check(saved, user, name, responses)
        except passkeys.Refusal as refused:
            self._failed(session, saved)
            raise error(refused.code, refused.message) from refused
        del self.sessions[session]
        if name == "PASSWORD":
            return self.password(user, username, responses.get("PASSWORD"))
        return tokens(self.pool, self.client.id, user.username)

    def _same_user(self, saved: dict[str, Any], user: Any, username: str) -> bool:
        if user is None:
            return saved["username"] == username
        return self.pool._get_user(saved["username"]) is user

    def _check(self, saved: dict[str, Any], user: Any, name: str, responses: dict[str, Any]) -> None:
        if name in CODE_FIELD:
            given, code = responses.get(CODE_FIELD[name]), saved.get("code")
            if not (isinstance(given, str) and code and secrets.compare_digest(given, code)):
                raise passkeys.Refusal("CodeMismatchException", "Invalid code or auth state for the user.")
        elif name == "WEB_AUTHN":
            if user is None:
                raise passkeys.Refusal("NotAuthorizedException", "The passkey is not one of this user's.")
            rp_id, verification = relying_party(self.pool)
            keys = factors.extras(self.pool)["passkeys"].get(user.username, [])
            credential = responses.get("CREDENTIAL")
            passkeys.assert_passkey(credential, saved["webauthn"], rp_id, keys, user.id.encode(), verification)
        else:
            _check_password(user, responses.get("PASSWORD"))

    def _failed(self, session: str, saved: dict[str, Any]) -> None:
        saved["attempts"] += 1
        if saved["attempts"] >= factors.MAX_ATTEMPTS:
            del self.sessions[session]

    def after_sign_up(self, session: Any, username: str) -> Any:
        """InitiateAuth USER_AUTH with ConfirmSignUp's session: the code confirmed counts as the first factor."""
        saved = self.sessions.get(session) if isinstance(session, str) else None
        if saved is None or saved.get("challenge") != "CONFIRMED" or saved["client_id"] != self.client.id:
            raise error("NotAuthorizedException", INVALID_SESSION)
        user = _user(self.pool, username)
        if user is None or not self._same_user(saved, user, username):
            raise error("NotAuthorizedException", INVALID_SESSION)
        del self.sessions[session]
        if saved["expires"] < time.time():
            raise error("NotAuthorizedException", "Invalid session for the user, session is expired.")
        return tokens(self.pool, self.client.id, user.username)


def initiate(backend: Any, client_id: Any, parameters: Any, session: Any) -> Any:
    """InitiateAuth with AuthFlow USER_AUTH."""
    client, pool = client_and_pool(backend, client_id)
    if not allows_user_auth(client):
        raise error("InvalidParameterException", "USER_AUTH flow not enabled for this client")
    parameters = parameters if isinstance(parameters, dict) else {}
    username = parameters.get("USERNAME")
    user = _user(pool, username)
    _check_secret(client, username, parameters.get("SECRET_HASH"))
    flow = Flow(backend, pool, client)
    if session is not None:
        return flow.after_sign_up(session, username)
    preferred, usable = parameters.get("PREFERRED_CHALLENGE"), flow.factors_of(user)
    if preferred in usable:
        return flow.start(user, username, preferred, parameters, None)
    return flow.select(username, usable)  # no preference, or one this user cannot use: the choice, as Cognito does
