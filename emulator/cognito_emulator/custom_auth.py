"""CUSTOM_AUTH (and CUSTOM_WITH_SRP) sign-in through the pool's define, create and verify auth challenge triggers.

Cognito's loop ([DG] "Custom authentication challenge Lambda triggers", "Custom authentication flow"; PROTOCOLS-2.md
section 3): InitiateAuth (or AdminInitiateAuth) AuthFlow CUSTOM_AUTH with USERNAME runs DefineAuthChallenge on
the session so far (a list of {challengeName, challengeResult, challengeMetadata}); its answer
failAuthentication ends the sign-in (NotAuthorizedException "Incorrect username or password."), issueTokens signs
the user in, challengeName CUSTOM_CHALLENGE runs CreateAuthChallenge, whose publicChallengeParameters are the
challenge's ChallengeParameters (with USERNAME) and whose private ones wait with the Session. The client answers
RespondToAuthChallenge CUSTOM_CHALLENGE {USERNAME, ANSWER}; VerifyAuthChallengeResponse says answerCorrect; the
result joins the session list and DefineAuthChallenge runs again, round after round.
CUSTOM_WITH_SRP: AuthParameters also carry SRP_A (and CHALLENGE_NAME "SRP_A", as Amplify sends them): the first
session entry is SRP_A/true; when DefineAuthChallenge answers PASSWORD_VERIFIER, srp.py's challenge is
sent and its answer checked here (a wrong password: NotAuthorizedException), then PASSWORD_VERIFIER/true joins the
session list. The app client must allow ALLOW_CUSTOM_AUTH (client_rules.py checks it before this runs).
A pool without a define trigger refuses CUSTOM_AUTH: InvalidParameterException "Custom auth lambda trigger is not
configured for the user pool." (the message clients report; uncertain). With PreventUserExistenceErrors, an
unknown user runs the triggers with userNotFound true and is never signed in.
"""

from __future__ import annotations

import base64
import hmac
import time
from typing import Any

from cognito_emulator import factors, passwordless, srp, triggers
from cognito_emulator.client_rules import hides_users, unknown_user_at_sign_in
from cognito_emulator.srp_math import WRONG, check_timestamp, session_key, signature
from cognito_emulator.trigger_events import event, metadata, status
from cognito_emulator.webauthn_ops import error

NOT_CONFIGURED = "Custom auth lambda trigger is not configured for the user pool."
EXPIRED = "Invalid session for the user, session is expired."


def _events_user(pool: Any, user: Any, given: str) -> tuple[str, Any]:
    return (user.username, user) if user is not None else (given, None)


def _ask(
    pool: Any, name: str, source: str, user: Any, given: str, request: dict[str, Any], answer: dict[str, Any]
) -> Any:
    username, who = _events_user(pool, user, given)
    request = {**request, "clientMetadata": metadata(), "userNotFound": user is None}
    return triggers.invoke(pool, name, event(pool, source, username, request, answer, user=who))


def _next(pool: Any, client: Any, user: Any, given: str, custom: dict[str, Any], session: str | None) -> dict[str, Any]:
    """DefineAuthChallenge on the session so far, and what its answer makes of the sign-in."""
    history = custom["history"]
    answer = _ask(
        pool, "define_auth_challenge", "DefineAuthChallenge_Authentication", user, given, {"session": history},
        {"challengeName": None, "issueTokens": None, "failAuthentication": None},
    )  # fmt: skip
    sessions = factors.extras(pool)["sessions"]
    if answer.get("failAuthentication") is True or (answer.get("issueTokens") is True and user is None):
        sessions.pop(session, None)
        raise error("NotAuthorizedException", WRONG)
    if answer.get("issueTokens") is True:
        sessions.pop(session, None)
        return passwordless.tokens(pool, client.id, user.username)
    name = answer.get("challengeName")
    if name == "PASSWORD_VERIFIER" and custom.get("srp_a") and not any(h["challengeName"] == name for h in history):
        sessions.pop(session, None)
        started = srp.begin(pool, client, user, given, custom["srp_a"])
        sessions[started["Session"]]["custom"] = custom
        return started
    if name != "CUSTOM_CHALLENGE":
        raise error("InvalidLambdaResponseException", triggers.UNRECOGNIZABLE)
    created = _ask(
        pool, "create_auth_challenge", "CreateAuthChallenge_Authentication", user, given,
        {"challengeName": name, "session": history},
        {"publicChallengeParameters": None, "privateChallengeParameters": None, "challengeMetadata": None},
    )  # fmt: skip
    public, private = created.get("publicChallengeParameters") or {}, created.get("privateChallengeParameters") or {}
    if not isinstance(public, dict) or not isinstance(private, dict):
        raise error("InvalidLambdaResponseException", triggers.UNRECOGNIZABLE)
    fields = {"challenge": name, "custom": {**custom, "private": private, "metadata": created.get("challengeMetadata")}}
    if session is not None and session in sessions:
        session = factors.renew_session(pool, session, **fields)
    else:
        session = factors.open_session(pool, client, user.username if user else given, **fields)
    parameters = {str(k): str(v) for k, v in public.items()}
    parameters["USERNAME"] = user.username if user is not None else given
    return {"ChallengeName": name, "Session": session, "ChallengeParameters": parameters}


def start(client: Any, pool: Any, parameters: Any) -> dict[str, Any]:
    """InitiateAuth CUSTOM_AUTH: the first DefineAuthChallenge (after SRP_A, for CUSTOM_WITH_SRP)."""
    if triggers.function(pool, "define_auth_challenge") is None:
        raise error("InvalidParameterException", NOT_CONFIGURED)
    parameters = parameters if isinstance(parameters, dict) else {}
    given = parameters.get("USERNAME")
    if not isinstance(given, str) or not given:
        raise error("InvalidParameterException", "Missing required parameter USERNAME")
    user = srp.find_user(pool, given)
    if user is None and not hides_users(client):
        raise unknown_user_at_sign_in(client)
    if user is not None and not user.enabled:
        raise error("NotAuthorizedException", "User is disabled.")
    if user is not None and status(user) == "UNCONFIRMED":
        raise error("UserNotConfirmedException", "User is not confirmed.")
    srp_a = parameters.get("SRP_A")
    history = [{"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}] if srp_a else []
    return _next(pool, client, user, given, {"history": history, "srp_a": srp_a, "given": given}, None)


def _session(pool: Any, client: Any, session: Any, challenge: str) -> dict[str, Any]:
    saved = factors.extras(pool)["sessions"].get(session) if isinstance(session, str) else None
    if saved is None or saved["client_id"] != client.id or saved.get("challenge") != challenge:
        raise error("NotAuthorizedException", passwordless.INVALID_SESSION)
    if saved["expires"] < time.time():
        del factors.extras(pool)["sessions"][session]
        raise error("NotAuthorizedException", EXPIRED)
    return saved  # type: ignore[no-any-return]


def _user_of(pool: Any, saved: dict[str, Any], given: Any) -> Any:
    if not isinstance(given, str) or not given:
        raise error("InvalidParameterException", "Missing required parameter USERNAME")
    user = srp.find_user(pool, given)
    name = user.username if user is not None else given
    if name != saved["username"]:
        raise error("NotAuthorizedException", passwordless.INVALID_SESSION)
    return user


def answer_custom(client: Any, pool: Any, session: Any, responses: Any) -> dict[str, Any]:
    """RespondToAuthChallenge CUSTOM_CHALLENGE: VerifyAuthChallengeResponse, then DefineAuthChallenge again."""
    saved = _session(pool, client, session, "CUSTOM_CHALLENGE")
    responses = responses if isinstance(responses, dict) else {}
    user = _user_of(pool, saved, responses.get("USERNAME"))
    if not isinstance(responses.get("ANSWER"), str):
        raise error("InvalidParameterException", "Missing required parameter ANSWER")
    custom = saved["custom"]
    verdict = _ask(
        pool, "verify_auth_challenge_response", "VerifyAuthChallengeResponse_Authentication", user, custom["given"],
        {"privateChallengeParameters": custom["private"], "challengeAnswer": responses["ANSWER"]},
        {"answerCorrect": None},
    )  # fmt: skip
    entry = {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": verdict.get("answerCorrect") is True}
    history = [*custom["history"], {**entry, "challengeMetadata": custom.get("metadata")}]
    return _next(pool, client, user, custom["given"], {**custom, "history": history}, session)


def custom_srp_session(pool: Any, session: Any, responses: Any) -> str | None:
    """The session of a CUSTOM_WITH_SRP password step this PASSWORD_VERIFIER answers, else None (plain SRP)."""
    sessions = factors.extras(pool)["sessions"]
    if not isinstance(session, str) or session not in sessions:
        block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK") if isinstance(responses, dict) else None
        session = next((k for k, v in sessions.items() if (v.get("srp") or {}).get("block") == block), None)
    return session if session is not None and "custom" in sessions[session] else None


def answer_srp(client: Any, pool: Any, session: str, responses: Any) -> dict[str, Any]:
    """PASSWORD_VERIFIER of CUSTOM_WITH_SRP: the password proof checked (srp.py's rules), then the loop."""
    saved = _session(pool, client, session, "PASSWORD_VERIFIER")
    del factors.extras(pool)["sessions"][session]  # one answer per challenge, right or wrong
    responses = responses if isinstance(responses, dict) else {}
    user, state = _user_of(pool, saved, responses.get("USERNAME")), saved["srp"]
    block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK")
    if not isinstance(block, str) or not hmac.compare_digest(block.encode(), state["block"].encode()):
        raise error("NotAuthorizedException", WRONG)
    check_timestamp(responses.get("TIMESTAMP"))
    if user is None or not user.password:
        raise error("NotAuthorizedException", WRONG)
    key = session_key(int(state["A"], 16), int(state["b"], 16), int(state["B"], 16), int(state["v"], 16))
    expected = signature(key, pool.id, state["user_id"], base64.b64decode(state["block"]), responses["TIMESTAMP"])
    given = responses.get("PASSWORD_CLAIM_SIGNATURE")
    if not isinstance(given, str) or not hmac.compare_digest(expected.encode(), given.encode()):
        raise error("NotAuthorizedException", WRONG)
    custom = saved["custom"]
    entry = {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True, "challengeMetadata": None}
    return _next(pool, client, user, custom["given"], {**custom, "history": [*custom["history"], entry]}, None)


def teach() -> None:
    """Patch CUSTOM_AUTH into moto's (Admin)InitiateAuth and (Admin)RespondToAuthChallenge (once)."""
    from moto.cognitoidp.exceptions import ResourceNotFoundError
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult

    if getattr(CognitoIdpResponse.respond_to_auth_challenge, "knows_custom_auth", False):
        return
    originals = {
        name: getattr(CognitoIdpResponse, name)
        for name in (
            "initiate_auth",
            "admin_initiate_auth",
            "respond_to_auth_challenge",
            "admin_respond_to_auth_challenge",
        )
    }

    def client_pool(self: Any, admin: bool) -> tuple[Any, Any]:
        backend = self._get_region_agnostic_backend()._find_backend_for_clientid(self._get_param("ClientId"))
        client, pool = passwordless.client_and_pool(backend, self._get_param("ClientId"))
        if admin and pool.id != self._get_param("UserPoolId"):
            raise ResourceNotFoundError(self._get_param("ClientId"))
        return client, pool

    def initiating(name: str, admin: bool) -> Any:
        def initiate(self: Any) -> Any:
            if self._get_param("AuthFlow") != "CUSTOM_AUTH":
                return originals[name](self)
            return ActionResult(start(*client_pool(self, admin), self._get_param("AuthParameters")))

        return initiate

    def responding(name: str, admin: bool) -> Any:
        def respond(self: Any) -> Any:
            challenge, session = self._get_param("ChallengeName"), self._get_param("Session")
            responses = self._get_param("ChallengeResponses")
            if challenge == "CUSTOM_CHALLENGE":
                return ActionResult(answer_custom(*client_pool(self, admin), session, responses))
            if challenge == "PASSWORD_VERIFIER":
                client, pool = client_pool(self, admin)
                custom = custom_srp_session(pool, session, responses)
                if custom is not None:
                    return ActionResult(answer_srp(client, pool, custom, responses))
            return originals[name](self)

        return respond

    CognitoIdpResponse.initiate_auth = initiating("initiate_auth", admin=False)
    CognitoIdpResponse.admin_initiate_auth = initiating("admin_initiate_auth", admin=True)
    CognitoIdpResponse.respond_to_auth_challenge = responding("respond_to_auth_challenge", admin=False)
    CognitoIdpResponse.admin_respond_to_auth_challenge = responding("admin_respond_to_auth_challenge", admin=True)
    CognitoIdpResponse.respond_to_auth_challenge.knows_custom_auth = True  # type: ignore[attr-defined]
