"""Sign-in: password sign-in, the challenges that may follow, and refreshing tokens."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import errors
from services.cognito.error_map import translated
from services.flows.sign_in_answers import tokens_or_challenge
from services.flows.srp_sign_in import SrpSignIn
from services.flows.totp import totp_secret

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

log = logging.getLogger(__name__)

# The challenges /auth/challenge answers, and the ChallengeResponses key that carries the answer.
CHALLENGE_ANSWER = {
    "NEW_PASSWORD_REQUIRED": "NEW_PASSWORD",
    "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
    "SMS_MFA": "SMS_MFA_CODE",
    "SELECT_MFA_TYPE": "ANSWER",  # several MFA factors and none preferred: the one chosen, then its code
    # Choice-based sign-in (USER_AUTH, services/flows/passwordless.py): the factor chosen, then its answer.
    "SELECT_CHALLENGE": "ANSWER",
    "EMAIL_OTP": "EMAIL_OTP_CODE",
    "SMS_OTP": "SMS_OTP_CODE",
    "PASSWORD": "PASSWORD",
    "WEB_AUTHN": "CREDENTIAL",  # the browser's AuthenticationResponseJSON, as a string
}
# An unknown user answers exactly like a wrong password: no user enumeration.
_UNKNOWN_USER = {"UserNotFoundException": errors.NotAuthorized}
# cognito-local answers a wrong password with InvalidPasswordException (an unknown user with NotAuthorized).
_WRONG_PASSWORD = {**_UNKNOWN_USER, "InvalidPasswordException": errors.NotAuthorized}
# The emulator reports an unknown session as ResourceNotFoundException; Cognito, as NotAuthorized.
_BAD_SESSION = {**_UNKNOWN_USER, "ResourceNotFoundException": errors.SessionEnded}


class _Unsupported(Exception):
    """The endpoint does not implement the operation (an emulator, or an older Cognito-compatible server)."""


class SignIn(SrpSignIn):
    """InitiateAuth (or AdminInitiateAuth), RespondToAuthChallenge, MFA set-up at sign-in, and refresh."""

    # Set once an endpoint shows it lacks GetTokensFromRefreshToken, so later refreshes skip the attempt.
    _refresh_by_initiate_auth = False

    def login(self, username: str, password: str) -> dict[str, Any]:
        """Sign in with the configured flow; returns tokens, or the challenge Cognito asks for."""
        if self.srp_flow:  # LOGIN_FLOW=USER_SRP_AUTH (services/flows/srp_sign_in.py)
            return self.srp_login(username, password)
        flow = "ADMIN_USER_PASSWORD_AUTH" if self.admin_flow else "USER_PASSWORD_AUTH"
        parameters = {"USERNAME": username, "PASSWORD": password, **self.secret_hash(username, "SECRET_HASH")}
        result = self.sign_in_call(
            "initiate_auth", _WRONG_PASSWORD, keep_message=False, AuthFlow=flow, AuthParameters=parameters
        )
        if self.admin_flow and "AuthenticationResult" in result:
            self._refuse_if_unconfirmed(username)
        return tokens_or_challenge(result)

    def _refuse_if_unconfirmed(self, username: str) -> None:
        """Cognito refuses unconfirmed users; the emulator's admin flow does not, so check (after the
        password, so the answer tells nothing to someone without it)."""
        from botocore.exceptions import BotoCoreError, ClientError  # on first use: see services/cognito/client.py

        with translated("AdminGetUser"):
            status = self.client.admin_get_user(UserPoolId=self.user_pool_id, Username=username)["UserStatus"]
        if status == "UNCONFIRMED":
            with contextlib.suppress(ClientError, BotoCoreError):
                self.client.admin_user_global_sign_out(UserPoolId=self.user_pool_id, Username=username)
            raise errors.UserNotConfirmed()

    def answer_challenge(self, username: str, challenge: str, session: str, answer: str, **more: str) -> dict[str, Any]:
        """RespondToAuthChallenge: a new password, an MFA or sign-in code, the factor chosen (with `more`, e.g.
        PASSWORD, for a one-step answer) or a passkey's assertion; returns tokens or the next challenge."""
        if challenge == "SELECT_CHALLENGE" and answer == "PASSWORD_SRP":  # services/flows/srp_sign_in.py
            return self.srp_selected(username, session, more.get("PASSWORD"))
        responses = {"USERNAME": username, CHALLENGE_ANSWER[challenge]: answer, **more}
        return self._respond(challenge, session, responses, username)

    def _respond(self, challenge: str, session: str | None, responses: dict[str, str], username: str) -> dict[str, Any]:
        responses = {**responses, **self.secret_hash(username, "SECRET_HASH")}
        # Cognito may answer PASSWORD_VERIFIER (USER_SRP_AUTH) without a Session; the answer then has none either.
        session_of = {"Session": session} if session else {}
        with _ended_session():
            result = self.sign_in_call(
                "respond_to_auth_challenge",
                _BAD_SESSION,
                keep_message=challenge == "NEW_PASSWORD_REQUIRED",
                ChallengeName=challenge,
                ChallengeResponses=responses,
                **session_of,
            )
        return tokens_or_challenge(result)

    def mfa_setup_challenge(self, username: str, session: str, issuer: str) -> dict[str, Any]:
        """First half of MFA_SETUP: a TOTP secret for the sign-in session, and the session to answer with."""
        with translated("AssociateSoftwareToken", keep_message=False):
            result = self.client.associate_software_token(Session=session)
        return {
            "challenge": "MFA_SETUP",
            "session": result.get("Session", session),
            "parameters": totp_secret(result["SecretCode"], username, issuer),
        }

    def answer_mfa_setup(self, username: str, session: str, code: str) -> dict[str, Any]:
        """Second half of MFA_SETUP: verify the app's code, then complete the sign-in."""
        with translated("VerifySoftwareToken", {"ResourceNotFoundException": errors.NotAuthorized}):
            result = self.client.verify_software_token(Session=session, UserCode=code)
        if result.get("Status") != "SUCCESS":
            raise errors.CodeMismatch()
        return self._respond("MFA_SETUP", result.get("Session", session), {"USERNAME": username}, username)

    def refresh(self, refresh_token: str, username: str | None = None, device_key: str | None = None) -> dict[str, Any]:
        """New tokens for a refresh token, and a new refresh token when the client rotates them.

        GetTokensFromRefreshToken works whether or not rotation is on (REFRESH_TOKEN_AUTH is refused when
        it is); where the endpoint lacks it, REFRESH_TOKEN_AUTH, for which a client with a secret needs
        `username`, the token's `cognito:username` (the sub in email-as-username pools). `device_key`: the
        device the tokens are bound to, which a pool that tracks devices requires."""
        if not self._refresh_by_initiate_auth:
            try:
                return self._get_tokens_from_refresh_token(refresh_token, device_key)
            except _Unsupported:
                log.info("GetTokensFromRefreshToken is not implemented by this endpoint; using REFRESH_TOKEN_AUTH")
        parameters = {"REFRESH_TOKEN": refresh_token, **({"DEVICE_KEY": device_key} if device_key else {})}
        if self.client_secret:
            if not username:
                raise errors.InvalidRequest("Invalid request: 'username' is required with this app client.")
            parameters.update(self.secret_hash(username, "SECRET_HASH"))
        with translated("InitiateAuth", _UNKNOWN_USER, keep_message=False):
            result = self.client.initiate_auth(
                ClientId=self.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=parameters
            )
        return {"refresh_token": None, **tokens_or_challenge(result)}

    def _get_tokens_from_refresh_token(self, refresh_token: str, device_key: str | None) -> dict[str, Any]:
        from botocore.exceptions import ClientError  # on first use: see services/cognito/client.py

        extra = {"ClientSecret": self.client_secret} if self.client_secret else {}
        extra |= {"DeviceKey": device_key} if device_key else {}
        with translated("GetTokensFromRefreshToken", _UNKNOWN_USER, keep_message=False):
            try:
                result = self.client.get_tokens_from_refresh_token(
                    ClientId=self.client_id, RefreshToken=refresh_token, **extra
                )
            except ClientError as err:
                unsupported, certain = _unsupported(err)
                if unsupported:
                    if certain:
                        self._refresh_by_initiate_auth = True
                    raise _Unsupported() from err
                raise
        return {"refresh_token": None, **tokens_or_challenge(result)}


@contextlib.contextmanager
def _ended_session() -> Iterator[None]:
    """Cognito refuses a spent session (expired, or used up by wrong codes) as NotAuthorized, saying so in its
    message ("Invalid session for the user, session is expired."): that is not a wrong password."""
    from botocore.exceptions import ClientError  # on first use: see services/cognito/client.py

    try:
        yield
    except errors.NotAuthorized as err:
        cause = err.__cause__
        said = cause.response.get("Error", {}).get("Message", "") if isinstance(cause, ClientError) else ""
        if "session" in (said or "").lower():
            raise errors.SessionEnded() from cause
        raise


def _unsupported(err: ClientError) -> tuple[bool, bool]:
    """Whether the error says the operation is unknown to the endpoint, and whether that is certain.

    Certain: UnknownOperationException, a 501, or an `...Unsupported` code (cognito-local). Likely: an
    answer that is not Cognito's JSON at all (moto's HTML 500 page has a numeric code); it may also be
    a proxy's passing failure, so it is not remembered."""
    code = err.response.get("Error", {}).get("Code", "")
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if code == "UnknownOperationException" or status == 501 or "Unsupported" in code:
        return True, True
    return code.isdigit(), False
