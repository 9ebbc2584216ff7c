"""Cognito's SRP-6a sign-in for real: USER_SRP_AUTH (InitiateAuth, AdminInitiateAuth), USER_AUTH's PASSWORD_SRP
(userauth.py), and the PASSWORD_VERIFIER answer, which moto fakes (random SRP_B and SALT, no check at all).

The formulas are Cognito's (../shared/PROTOCOLS-2.md section 1; pycognito's aws_srp.py, Amplify's srp/*.ts): the
3072-bit group of RFC 5054, g = 2, k = H(padHex(N) | padHex(g)), x from the pool name (the pool id after `_`),
USER_ID_FOR_SRP and the password, and the HKDF "Caldera Derived Key". moto keeps the plaintext password, so each
challenge draws a fresh random salt and derives the verifier then (Cognito keeps one salt per password; clients
read SALT from each challenge, so none relies on it staying the same). The server's half (b, B, the verifier, the
SECRET_BLOCK) is kept with the sign-in session (factors.py, saved with the state): a SECRET_BLOCK is good
once, for its app client, within the client's AuthSessionValidity. A wrong password, signature, block or timestamp is
NotAuthorizedException "Incorrect username or password.", as Cognito answers. After the password, moto's own
PASSWORD_VERIFIER flow decides what comes next (NEW_PASSWORD_REQUIRED, MFA, tokens).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
from typing import Any

from cognito_emulator import factors, passwordless
from cognito_emulator.srp_math import WRONG, G, K, N, check_timestamp, pad, session_key, signature, verifier
from cognito_emulator.webauthn_ops import error


def find_user(pool: Any, name: Any) -> Any:
    """The user a name stands for: the username (or, in an email-as-username pool, the email), a verified alias
    of the pool's AliasAttributes, or the sub, as Cognito resolves USERNAME; else None."""
    if not isinstance(name, str) or not name:
        return None
    user = pool._get_user(name)
    if user is not None:
        return user
    aliases = pool.extended_config.get("AliasAttributes") or []
    for candidate in pool.users.values():
        attributes = candidate.attribute_lookup
        if attributes.get("sub") == name:
            return candidate
        for alias in aliases:
            verified = alias == "preferred_username" or str(attributes.get(f"{alias}_verified")).lower() == "true"
            if attributes.get(alias) == name and verified:
                return candidate
    return None


def begin(pool: Any, client: Any, user: Any, given: str, srp_a: Any, session: str | None = None) -> dict[str, Any]:
    """The PASSWORD_VERIFIER challenge for `user` (None: a user a hiding client must not reveal, whose answer
    always fails); `session`, a USER_AUTH session this step continues."""
    if not isinstance(srp_a, str) or not srp_a:
        raise error("InvalidParameterException", "Missing required parameter SRP_A")
    try:
        a_value = int(srp_a, 16)
    except ValueError:
        raise error("InvalidParameterException", "SRP_A is not a hexadecimal number.") from None
    if a_value % N == 0:  # SRP-6a: the server aborts, else the key would not depend on the password
        raise error("NotAuthorizedException", WRONG)
    user_id = user.username if user is not None else given
    salt = pad(int.from_bytes(secrets.token_bytes(16), "big"))
    password = user.password if user is not None and user.password else secrets.token_hex(32)
    v = verifier(pool.id, user_id, password, salt)
    b_secret = secrets.randbits(1024) % N
    b_value = (K * v + pow(G, b_secret, N)) % N
    block = base64.b64encode(secrets.token_bytes(1024)).decode()  # opaque to clients, as Cognito's blob is
    state = {"A": format(a_value, "x"), "b": format(b_secret, "x"), "B": format(b_value, "x"), "v": format(v, "x")}
    fields = {"challenge": "PASSWORD_VERIFIER", "srp": {**state, "block": block, "user_id": user_id}}
    if session is not None:
        session = factors.renew_session(pool, session, **fields)
    else:
        session = factors.open_session(pool, client, user_id, **fields)
    parameters = {"SALT": salt, "SRP_B": format(b_value, "x"), "SECRET_BLOCK": block}
    parameters.update({"USER_ID_FOR_SRP": user_id, "USERNAME": user_id})
    return {"ChallengeName": "PASSWORD_VERIFIER", "Session": session, "ChallengeParameters": parameters}


def _take_state(pool: Any, session: Any, block: Any) -> dict[str, Any]:
    """The challenge's saved state, taken once: by the Session when one is passed back, else by the block."""
    sessions = factors.extras(pool)["sessions"]
    if not isinstance(block, str) or not block:
        raise error("InvalidParameterException", "Missing required parameter PASSWORD_CLAIM_SECRET_BLOCK")
    if session is None:  # pycognito passes no Session: the block names the challenge
        session = next((key for key, saved in sessions.items() if (saved.get("srp") or {}).get("block") == block), None)
    saved = sessions.get(session) if isinstance(session, str) else None
    if saved is None or saved.get("challenge") != "PASSWORD_VERIFIER":
        raise error("NotAuthorizedException", WRONG)
    del sessions[session]  # one answer per challenge, right or wrong
    if not hmac.compare_digest(saved["srp"]["block"].encode(), block.encode()):
        raise error("NotAuthorizedException", WRONG)
    return saved  # type: ignore[no-any-return]


def verify(backend: Any, client_id: Any, session: Any, responses: Any) -> dict[str, Any]:
    """RespondToAuthChallenge PASSWORD_VERIFIER: check the claim, then go on as moto does after a password."""
    import uuid

    client, pool = passwordless.client_and_pool(backend, client_id)
    responses = responses if isinstance(responses, dict) else {}
    saved = _take_state(pool, session, responses.get("PASSWORD_CLAIM_SECRET_BLOCK"))
    if saved["client_id"] != client.id:
        raise error("NotAuthorizedException", WRONG)
    if saved["expires"] < time.time():
        raise error("NotAuthorizedException", "Invalid session for the user, session is expired.")
    username = responses.get("USERNAME")
    if not isinstance(username, str) or not username:
        raise error("InvalidParameterException", "Missing required parameter USERNAME")
    passwordless._check_secret(client, username, responses.get("SECRET_HASH"))
    check_timestamp(responses.get("TIMESTAMP"))
    state, user = saved["srp"], find_user(pool, username)
    if user is None or user.username != state["user_id"] or not user.password:
        raise error("NotAuthorizedException", WRONG)
    try:
        block = base64.b64decode(state["block"], validate=True)
    except binascii.Error:  # ours, so never; a clear refusal all the same
        raise error("NotAuthorizedException", WRONG) from None
    key = session_key(int(state["A"], 16), int(state["b"], 16), int(state["B"], 16), int(state["v"], 16))
    expected = signature(key, pool.id, state["user_id"], block, responses["TIMESTAMP"])
    given = responses.get("PASSWORD_CLAIM_SIGNATURE")
    if not isinstance(given, str) or not hmac.compare_digest(expected.encode(), given.encode()):
        raise error("NotAuthorizedException", WRONG)
    if not user.enabled:
        raise error("NotAuthorizedException", "User is disabled.")
    moto_session = str(uuid.uuid4())  # moto's flow after a password reads its own session table
    backend.sessions[moto_session] = (user.username, pool)
    claim = {"USERNAME": user.username, "TIMESTAMP": responses["TIMESTAMP"], "PASSWORD_CLAIM_SIGNATURE": given}
    claim["PASSWORD_CLAIM_SECRET_BLOCK"] = moto_session
    answer = backend.respond_to_auth_challenge(moto_session, client.id, "PASSWORD_VERIFIER", claim)
    answer.setdefault("ChallengeParameters", {})
    return answer  # type: ignore[no-any-return]


def _initiate(backend: Any, client: Any, pool: Any, parameters: Any, moto_checks: Any) -> dict[str, Any]:
    """InitiateAuth USER_SRP_AUTH: moto's checks (SECRET_HASH, a confirmed and enabled user), then a real challenge."""
    parameters = parameters if isinstance(parameters, dict) else {}
    given, srp_a = parameters.get("USERNAME"), parameters.get("SRP_A")
    if not isinstance(given, str) or not given:
        raise error("InvalidParameterException", "Missing required parameter USERNAME")
    if not isinstance(srp_a, str) or not srp_a:  # moto answers ResourceNotFoundException with no message
        raise error("InvalidParameterException", "Missing required parameter SRP_A")
    # Checked here too: moto's refusal names the hash given as its message, Cognito's names the client.
    passwordless._check_secret(client, given, parameters.get("SECRET_HASH"))
    try:
        answer = moto_checks()
    except Exception as refused:  # moto finds no user by an alias of AliasAttributes or by the sub
        if getattr(refused, "error_type", None) != "UserNotFoundException":
            raise
        user = find_user(pool, given)
        if user is None and client.extended_config.get("PreventUserExistenceErrors") == "ENABLED":
            return begin(pool, client, None, given, srp_a)  # a challenge like any other; its answer always fails
        if user is None:
            raise
        if not user.enabled:
            raise error("NotAuthorizedException", "User is disabled.") from None
        if str(getattr(user.status, "value", user.status)) == "UNCONFIRMED":
            raise error("UserNotConfirmedException", "User is not confirmed.") from None
        return begin(pool, client, user, given, srp_a)
    backend.sessions.pop(answer.get("Session"), None)  # moto's fake challenge: nothing may answer it
    return begin(pool, client, find_user(pool, given), given, srp_a)


def teach() -> None:
    """Patch real SRP into moto's InitiateAuth, AdminInitiateAuth and (Admin)RespondToAuthChallenge (once)."""
    from moto.cognitoidp.exceptions import ResourceNotFoundError
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult

    if getattr(CognitoIdpResponse.respond_to_auth_challenge, "knows_srp", False):
        return
    initiate_auth, admin_initiate_auth = CognitoIdpResponse.initiate_auth, CognitoIdpResponse.admin_initiate_auth
    respond, admin_respond = (
        CognitoIdpResponse.respond_to_auth_challenge,
        CognitoIdpResponse.admin_respond_to_auth_challenge,
    )

    def backend_for(self: Any) -> Any:
        return self._get_region_agnostic_backend()._find_backend_for_clientid(self._get_param("ClientId"))

    def admin_pool(self: Any) -> tuple[Any, Any, Any]:
        backend = backend_for(self)
        client, pool = passwordless.client_and_pool(backend, self._get_param("ClientId"))
        if pool.id != self._get_param("UserPoolId"):
            raise ResourceNotFoundError(self._get_param("ClientId"))
        return backend, client, pool

    def initiate(self: Any) -> Any:
        if self._get_param("AuthFlow") != "USER_SRP_AUTH":
            return initiate_auth(self)
        backend = backend_for(self)
        client, pool = passwordless.client_and_pool(backend, self._get_param("ClientId"))
        parameters = self._get_param("AuthParameters")
        return ActionResult(_initiate(backend, client, pool, parameters, lambda: initiate_auth(self).result))

    def admin_initiate(self: Any) -> Any:
        # moto refuses USER_SRP_AUTH here; Cognito answers it as InitiateAuth does (PROTOCOLS-2.md section 1).
        if self._get_param("AuthFlow") != "USER_SRP_AUTH":
            return admin_initiate_auth(self)
        backend, client, pool = admin_pool(self)
        parameters = self._get_param("AuthParameters")
        checks = lambda: backend.initiate_auth(client.id, "USER_SRP_AUTH", parameters)  # noqa: E731
        return ActionResult(_initiate(backend, client, pool, parameters, checks))

    def respond_to(self: Any) -> Any:
        if self._get_param("ChallengeName") != "PASSWORD_VERIFIER":
            return respond(self)
        arguments = (self._get_param(name) for name in ("ClientId", "Session", "ChallengeResponses"))
        return ActionResult(verify(backend_for(self), *arguments))

    def admin_respond_to(self: Any) -> Any:
        if self._get_param("ChallengeName") != "PASSWORD_VERIFIER":
            return admin_respond(self)
        backend, client, _ = admin_pool(self)
        arguments = (self._get_param(name) for name in ("Session", "ChallengeResponses"))
        return ActionResult(verify(backend, client.id, *arguments))

    respond_to.knows_srp = True  # type: ignore[attr-defined]
    CognitoIdpResponse.initiate_auth = initiate
    CognitoIdpResponse.admin_initiate_auth = admin_initiate
    CognitoIdpResponse.respond_to_auth_challenge = respond_to
    CognitoIdpResponse.admin_respond_to_auth_challenge = admin_respond_to
