"""Teaches moto the choice-based sign-in's operations: InitiateAuth USER_AUTH and its challenges
(passwordless.py), SignUp without a password and ConfirmSignUp's Session, GetUserAuthFactors, and the
passkey operations (webauthn_ops.py). moto is imported inside `teach()` only.

Sign-up without a password: allowed when the pool's AllowedFirstAuthFactors has EMAIL_OTP or SMS_OTP (Cognito's
rule); the user then has no password at all, and every password sign-in of theirs is refused. For an app client
with ALLOW_USER_AUTH, SignUp answers a Session and ConfirmSignUp a new one (whether or not SignUp's was passed
back; one that was passed and is not this user's valid sign-up session gets none), which InitiateAuth USER_AUTH
takes once, within the client's AuthSessionValidity, to sign the user in.

PASSWORD_SRP (srp.py): offered right after PASSWORD wherever PASSWORD is, as Cognito lists both; chosen by
PREFERRED_CHALLENGE with SRP_A in InitiateAuth, or as SELECT_CHALLENGE's ANSWER with SRP_A, it answers
PASSWORD_VERIFIER, which srp.py checks. `teach()` also teaches SRP (after the rest, so it sees PASSWORD_VERIFIER
first).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from cognito_emulator import factors, passwordless, srp, webauthn_ops
from cognito_emulator.webauthn_ops import error, signed_in

_signing_up = threading.local()  # set while moto's SignUp runs for a passwordless sign-up


def _no_password(parameters: Any) -> bool:
    return not (isinstance(parameters, dict) and parameters.get("PASSWORD"))


def _offer_srp(backend: Any, client_id: Any, parameters: Any, answer: Any) -> Any:
    """USER_AUTH's answer with PASSWORD_SRP offered where PASSWORD is; a preference for it starts SRP at once."""
    available = answer.get("AvailableChallenges") if answer.get("ChallengeName") == "SELECT_CHALLENGE" else None
    if not available or "PASSWORD" not in available:
        return answer
    available.insert(available.index("PASSWORD") + 1, "PASSWORD_SRP")
    client, pool = passwordless.client_and_pool(backend, client_id)
    factors.extras(pool)["sessions"][answer["Session"]]["available"] = list(available)
    if parameters.get("PREFERRED_CHALLENGE") != "PASSWORD_SRP":
        return answer
    username = parameters["USERNAME"]  # passwordless.initiate refused a request without one
    user = srp.find_user(pool, username)
    return srp.begin(pool, client, user, username, parameters.get("SRP_A"), answer["Session"])


def _select_srp(flow: passwordless.Flow, session: Any, responses: dict[str, Any]) -> Any:
    """SELECT_CHALLENGE answered PASSWORD_SRP (with SRP_A): the session checked as for any other answer."""
    saved = flow.sessions.get(session) if isinstance(session, str) else None
    if saved is None or saved["client_id"] != flow.client.id:
        raise error("NotAuthorizedException", passwordless.INVALID_SESSION)
    if saved["expires"] < time.time():
        del flow.sessions[session]
        raise error("NotAuthorizedException", "Invalid session for the user, session is expired.")
    username = responses.get("USERNAME")
    user = passwordless._user(flow.pool, username)
    if not flow._same_user(saved, user, username):
        raise error("NotAuthorizedException", passwordless.INVALID_SESSION)
    passwordless._check_secret(flow.client, username, responses.get("SECRET_HASH"))
    if saved["challenge"] != "SELECT_CHALLENGE" or "PASSWORD_SRP" not in saved.get("available", []):
        raise error("InvalidParameterException", f"The session's challenge is {saved['challenge']}, not PASSWORD_SRP.")
    return srp.begin(
        flow.pool, flow.client, srp.find_user(flow.pool, username), username, responses.get("SRP_A"), session
    )


def teach() -> None:
    """Patch the USER_AUTH operations into moto's Cognito responses (once per process)."""
    from moto.cognitoidp.models import CognitoIdpBackend
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult

    if getattr(CognitoIdpResponse, "knows_user_auth", False):  # a class mark: srp.teach() wraps initiate_auth again
        return
    webauthn_ops.teach()
    initiate_auth, admin_initiate_auth = CognitoIdpResponse.initiate_auth, CognitoIdpResponse.admin_initiate_auth
    respond, sign_up, confirm = (
        CognitoIdpResponse.respond_to_auth_challenge,
        CognitoIdpResponse.sign_up,
        CognitoIdpResponse.confirm_sign_up,
    )
    validate_password = CognitoIdpBackend._validate_password

    def backend_for(self: Any) -> Any:
        return self._get_region_agnostic_backend()._find_backend_for_clientid(self._get_param("ClientId"))

    def initiate(self: Any) -> ActionResult:
        flow, parameters = self._get_param("AuthFlow"), self._get_param("AuthParameters")
        if flow == "USER_AUTH":
            answer = passwordless.initiate(
                backend_for(self), self._get_param("ClientId"), parameters, self._get_param("Session")
            )
            return ActionResult(_offer_srp(backend_for(self), self._get_param("ClientId"), parameters, answer))
        if flow == "USER_PASSWORD_AUTH" and _no_password(parameters):
            # moto compares the password given with the stored one: None == None for a passwordless user.
            raise error("NotAuthorizedException", "Incorrect username or password.")
        return initiate_auth(self)  # type: ignore[no-any-return]

    def admin_initiate(self: Any) -> ActionResult:
        flow = self._get_param("AuthFlow")
        if flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH") and _no_password(
            self._get_param("AuthParameters")
        ):
            raise error("NotAuthorizedException", "Incorrect username or password.")
        return admin_initiate_auth(self)  # type: ignore[no-any-return]

    def respond_to_auth_challenge(self: Any) -> ActionResult:
        name = self._get_param("ChallengeName")
        if name not in passwordless.OURS:
            return respond(self)  # type: ignore[no-any-return]
        client, pool = passwordless.client_and_pool(backend_for(self), self._get_param("ClientId"))
        responses = self._get_param("ChallengeResponses")
        responses = responses if isinstance(responses, dict) else {}
        flow = passwordless.Flow(backend_for(self), pool, client)
        if name == "SELECT_CHALLENGE" and responses.get("ANSWER") == "PASSWORD_SRP":
            return ActionResult(_select_srp(flow, self._get_param("Session"), responses))
        return ActionResult(flow.answer(self._get_param("Session"), name, responses))

    def validate(backend: Any, user_pool_id: str, password: Any) -> None:
        if getattr(_signing_up, "active", False) and not password:
            return
        validate_password(backend, user_pool_id, password)

    def sign_up_maybe_passwordless(self: Any) -> ActionResult:
        client, pool = passwordless.client_and_pool(backend_for(self), self._get_param("ClientId"))
        _signing_up.active = not self._get_param("Password")
        if _signing_up.active and not factors.allows_passwordless_sign_up(pool):
            raise error(
                "InvalidParameterException", "A password is required: this pool allows no passwordless sign-in."
            )
        try:
            answer = sign_up(self)
        finally:
            _signing_up.active = False
        user = pool._get_user(self._get_param("Username"))
        if user is not None and not self._get_param("Password"):
            user.password = None  # moto stores "" or None as given; no password at all
        if passwordless.allows_user_auth(client) and user is not None:
            answer.result["Session"] = factors.open_session(pool, client, user.username, challenge="SIGNED_UP")
        return answer  # type: ignore[no-any-return]

    def confirm_sign_up(self: Any) -> Any:
        client, pool = passwordless.client_and_pool(backend_for(self), self._get_param("ClientId"))
        before = pool._get_user(self._get_param("Username"))
        was_unconfirmed = before is not None and str(getattr(before.status, "value", before.status)) == "UNCONFIRMED"
        answer = confirm(self)
        user = pool._get_user(self._get_param("Username"))
        # Only a sign-up confirmed by this call opens a session: one for an already confirmed user would sign
        # anyone who knows the username in as them.
        if not passwordless.allows_user_auth(client) or user is None or not was_unconfirmed:
            return answer
        sessions, given = factors.extras(pool)["sessions"], self._get_param("Session")
        if given is not None:
            saved = sessions.pop(given, None) if isinstance(given, str) else None
            if (
                not saved
                or saved.get("challenge") != "SIGNED_UP"
                or saved["username"] != user.username
                or saved["expires"] < time.time()
            ):
                return answer  # confirmed, but no sign-in from a session that is not this user's
        return ActionResult({"Session": factors.open_session(pool, client, user.username, challenge="CONFIRMED")})

    def get_user_auth_factors(self: Any) -> ActionResult:
        token = self._get_param("AccessToken")
        backend = self._get_region_agnostic_backend()._find_backend_by_access_token(token)
        pool, user, _ = signed_in(backend, token)
        configured = factors.usable_factors(pool, user)
        mfa = [
            name
            for name, on in (("SOFTWARE_TOKEN_MFA", user.software_token_mfa_enabled), ("SMS_MFA", user.sms_mfa_enabled))
            if on
        ]
        if user.software_token_mfa_enabled:
            configured.append("SOFTWARE_TOKEN")
        answer = {"Username": user.username, "UserMFASettingList": mfa, "ConfiguredUserAuthFactors": configured}
        if user.preferred_mfa_setting:
            answer["PreferredMfaSetting"] = user.preferred_mfa_setting
        return ActionResult(answer)

    CognitoIdpResponse.knows_user_auth = True  # type: ignore[attr-defined]
    CognitoIdpResponse.initiate_auth = initiate
    CognitoIdpResponse.admin_initiate_auth = admin_initiate
    CognitoIdpResponse.respond_to_auth_challenge = respond_to_auth_challenge
    CognitoIdpResponse.sign_up = sign_up_maybe_passwordless
    CognitoIdpResponse.confirm_sign_up = confirm_sign_up
    CognitoIdpResponse.get_user_auth_factors = get_user_auth_factors
    CognitoIdpBackend._validate_password = validate
    srp.teach()
