"""Signing in with a device (devices.py keeps the devices): NewDeviceMetadata for a sign-in from an unknown
device, and DEVICE_SRP_AUTH then DEVICE_PASSWORD_VERIFIER for one from a confirmed device, which replaces MFA when
the device is remembered (../shared/PROTOCOLS-2.md section 2; Amplify's handleDeviceSRPAuth.ts, pycognito's
process_device_challenge).

Every sign-in answer passes through `settle` whatever flow made it (SRP, password, MFA, USER_AUTH, admin flows):
- tokens, and the request named no device: the pool tracks devices → NewDeviceMetadata with them;
- tokens, and the request (or its sign-in session) named a confirmed device of the user: the tokens are withdrawn
  unseen and DEVICE_SRP_AUTH is answered instead; the device's proof gives fresh tokens;
- an MFA challenge, and the device is remembered in a pool with ChallengeRequiredOnNewDevice: DEVICE_SRP_AUTH in
  its place (MFA skipped); a device known but not remembered answers MFA first, then DEVICE_SRP_AUTH;
- a DEVICE_KEY that is no confirmed device of the user: ResourceNotFoundException "Device does not exist.", on
  which Amplify forgets the device and signs in again without it.
The device proof is the user SRP with poolName → DeviceGroupKey and USER_ID_FOR_SRP → DeviceKey, against the verifier
ConfirmDevice stored. Uncertain (Cognito documents no table): the order for a device not remembered, and that an
SMS code already sent stays sent when a remembered device skips SMS MFA.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any

from cognito_emulator import devices, factors, passwordless, tokens
from cognito_emulator.srp import find_user
from cognito_emulator.srp_math import WRONG, G, K, N, check_timestamp, session_key
from cognito_emulator.webauthn_ops import error

MFA_CHALLENGES = ("SOFTWARE_TOKEN_MFA", "SMS_MFA", "SELECT_MFA_TYPE")
REFRESH_FLOWS = ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
EXPIRED = "Invalid session for the user, session is expired."


def _hints(pool: Any) -> dict[str, dict[str, Any]]:
    """The DEVICE_KEY each open sign-in session was started with: {session: {key, expires}}."""
    return factors.extras(pool).setdefault("device_sessions", {})  # type: ignore[no-any-return]


def _bind(pool: Any, result: Any, key: str) -> None:
    """The tokens' refresh token bound to the device: a refresh must name it (client_checks.py), as Cognito's
    "You must provide the confirmed device key" (GetTokensFromRefreshToken's DeviceKey) wants."""
    issued = pool.refresh_tokens.get(result.get("RefreshToken")) if isinstance(result, dict) else None
    record = tokens.family(pool, issued[2]) if issued else None
    if record is not None:
        record["device_key"] = key


def _challenge(pool: Any, client: Any, username: str, key: str) -> dict[str, Any]:
    session = factors.open_session(pool, client, username, challenge="DEVICE_SRP_AUTH", device_key=key)
    return {"ChallengeName": "DEVICE_SRP_AUTH", "Session": session, "ChallengeParameters": {"USERNAME": username}}


def _device(pool: Any, username: str, key: str) -> dict[str, Any]:
    device = devices.confirmed_device(pool, username, key)
    if device is None:
        raise error("ResourceNotFoundException", devices.NO_DEVICE)
    return device


def settle(backend: Any, pool: Any, client: Any, key: Any, answer: dict[str, Any]) -> dict[str, Any]:
    """A sign-in answer as Cognito gives it with devices (see the module's docstring); `key`, the DEVICE_KEY."""
    key = key if isinstance(key, str) and key else None
    result = answer.get("AuthenticationResult")
    if isinstance(result, dict) and result.get("AccessToken") in pool.access_tokens:
        username = pool.access_tokens[result["AccessToken"]][1]
        if key is None:
            if devices.configuration(pool) is not None:
                result["NewDeviceMetadata"] = devices.new_device(pool, username)
                _bind(pool, result, result["NewDeviceMetadata"]["DeviceKey"])
            return answer
        tokens.withdraw(pool, result)
        _device(pool, username, key)
        return _challenge(pool, client, username, key)
    session = answer.get("Session")
    if key is None or not isinstance(session, str):
        return answer
    now = time.time()
    hints = _hints(pool)
    for old in [old for old, hint in hints.items() if hint["expires"] < now]:
        del hints[old]
    if answer.get("ChallengeName") in MFA_CHALLENGES and session in backend.sessions:
        user = pool._get_user(backend.sessions[session][0])
        device = _device(pool, user.username, key) if user is not None else None
        if device is not None and devices.skips_mfa(pool, device):
            backend.sessions.pop(session, None)
            factors.extras(pool).get("sms_mfa", {}).pop(session, None)
            return _challenge(pool, client, user.username, key)
    hints[session] = {"key": key, "expires": now + 60 * factors.session_minutes(client)}
    return answer


def _saved(pool: Any, client: Any, session: Any, challenge: str, match: tuple[str, Any]) -> tuple[str, dict[str, Any]]:
    """The open session of this device step, taken once: by Session, or (pycognito sends none) by `match`."""
    sessions = factors.extras(pool)["sessions"]
    if not isinstance(session, str) or not session:
        field, value = match
        found = (k for k, s in sessions.items() if s.get("challenge") == challenge and s.get(field) == value)
        session = next(found, None) if isinstance(value, str) and value else None
    saved = sessions.get(session) if isinstance(session, str) else None
    if saved is None or saved.get("challenge") != challenge or saved["client_id"] != client.id:
        raise error("NotAuthorizedException", "Invalid session for the user.")
    del sessions[session]  # one answer per step, right or wrong
    if saved["expires"] < time.time():
        raise error("NotAuthorizedException", EXPIRED)
    return session, saved


def _user(pool: Any, saved: dict[str, Any], responses: dict[str, Any]) -> Any:
    username = responses.get("USERNAME")
    if not isinstance(username, str) or not username:
        raise error("InvalidParameterException", "Missing required parameter USERNAME")
    user = find_user(pool, username)
    if user is None or user.username != saved["username"]:
        raise error("NotAuthorizedException", WRONG)
    if not user.enabled:
        raise error("NotAuthorizedException", "User is disabled.")
    if responses.get("DEVICE_KEY") != saved["device_key"]:
        raise error("ResourceNotFoundException", devices.NO_DEVICE)
    return user


def device_srp_auth(backend: Any, client_id: Any, session: Any, responses: Any) -> dict[str, Any]:
    """RespondToAuthChallenge DEVICE_SRP_AUTH {USERNAME, DEVICE_KEY, SRP_A}: the device's SRP challenge."""
    client, pool = passwordless.client_and_pool(backend, client_id)
    responses = responses if isinstance(responses, dict) else {}
    _, saved = _saved(pool, client, session, "DEVICE_SRP_AUTH", ("device_key", responses.get("DEVICE_KEY")))
    user = _user(pool, saved, responses)
    device = _device(pool, user.username, saved["device_key"])
    srp_a = responses.get("SRP_A")
    try:
        a_value = int(srp_a, 16) if isinstance(srp_a, str) and srp_a else None
    except ValueError:
        a_value = None
    if a_value is None:
        raise error("InvalidParameterException", "Missing required parameter SRP_A")
    if a_value % N == 0 or not device["verifier"]:  # SRP-6a's abort; a device confirmed with no verifier
        raise error("NotAuthorizedException", WRONG)
    v = int(device["verifier"], 16)
    b_secret = secrets.randbits(1024) % N
    b_value = (K * v + pow(G, b_secret, N)) % N
    block = base64.b64encode(secrets.token_bytes(1024)).decode()
    state = {"A": format(a_value, "x"), "b": format(b_secret, "x"), "B": format(b_value, "x"), "block": block}
    fields = {"challenge": "DEVICE_PASSWORD_VERIFIER", "device_key": saved["device_key"], "srp": state}
    new = factors.open_session(pool, client, user.username, **fields)
    factors.extras(pool)["sessions"][new]["expires"] = saved["expires"]  # the sign-in's time, not a new one
    parameters = {"SRP_B": format(b_value, "x"), "SALT": device["salt"], "SECRET_BLOCK": block}
    parameters.update(USERNAME=user.username, DEVICE_KEY=saved["device_key"])
    return {"ChallengeName": "DEVICE_PASSWORD_VERIFIER", "Session": new, "ChallengeParameters": parameters}


def device_password_verifier(backend: Any, client_id: Any, session: Any, responses: Any) -> dict[str, Any]:
    """RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER: check the device's claim, then the sign-in's tokens."""
    client, pool = passwordless.client_and_pool(backend, client_id)
    responses = responses if isinstance(responses, dict) else {}
    block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK")
    if not isinstance(block, str) or not block:
        raise error("InvalidParameterException", "Missing required parameter PASSWORD_CLAIM_SECRET_BLOCK")
    sessions = factors.extras(pool)["sessions"]
    if not isinstance(session, str) or not session:  # pycognito sends none: the block names the step
        session = next((k for k, s in sessions.items() if (s.get("srp") or {}).get("block") == block), None)
    _, saved = _saved(pool, client, session, "DEVICE_PASSWORD_VERIFIER", ("", None))
    user = _user(pool, saved, responses)
    state = saved["srp"]
    if not hmac.compare_digest(state["block"].encode(), block.encode()):
        raise error("NotAuthorizedException", WRONG)
    check_timestamp(responses.get("TIMESTAMP"))
    key = saved["device_key"]
    device = _device(pool, user.username, key)
    if not device["verifier"]:
        raise error("NotAuthorizedException", WRONG)
    secret = session_key(int(state["A"], 16), int(state["b"], 16), int(state["B"], 16), int(device["verifier"], 16))
    message = device["group_key"].encode() + key.encode() + base64.b64decode(block) + responses["TIMESTAMP"].encode()
    expected = base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode()
    given = responses.get("PASSWORD_CLAIM_SIGNATURE")
    if not isinstance(given, str) or not hmac.compare_digest(expected.encode(), given.encode()):
        raise error("NotAuthorizedException", WRONG)
    device["last"] = time.time()
    answer: dict[str, Any] = backend._log_user_in(pool, client, user.username)
    _bind(pool, answer.get("AuthenticationResult"), key)
    return answer


def teach() -> None:
    """Wrap moto's (and the other modules') sign-in handlers with `settle`, and answer the device steps."""
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult

    if getattr(CognitoIdpResponse.initiate_auth, "knows_devices", False):
        return
    steps = {"DEVICE_SRP_AUTH": device_srp_auth, "DEVICE_PASSWORD_VERIFIER": device_password_verifier}

    def with_devices(handler: Any, parameters: str) -> Any:
        def handle(self: Any) -> Any:
            client_id = self._get_param("ClientId")
            backend = self._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
            step = steps.get(self._get_param("ChallengeName")) if parameters == "ChallengeResponses" else None
            if step is not None:
                arguments = (self._get_param(name) for name in ("Session", "ChallengeResponses"))
                if self._get_param("UserPoolId") is not None:
                    _, pool = passwordless.client_and_pool(backend, client_id)
                    if pool.id != self._get_param("UserPoolId"):
                        raise error("ResourceNotFoundException", f"User pool client {client_id} does not exist.")
                return ActionResult(step(backend, client_id, *arguments))
            answer = handler(self)
            if self._get_param("AuthFlow") in REFRESH_FLOWS or not isinstance(answer.result, dict):
                return answer
            client, pool = passwordless.client_and_pool(backend, client_id)
            given = self._get_param(parameters)
            key = given.get("DEVICE_KEY") if isinstance(given, dict) else None
            hint = _hints(pool).pop(self._get_param("Session"), None) if parameters == "ChallengeResponses" else None
            key = key or (hint or {}).get("key")
            return ActionResult(settle(backend, pool, client, key, dict(answer.result)))

        handle.knows_devices = True  # type: ignore[attr-defined]
        return handle

    CognitoIdpResponse.initiate_auth = with_devices(CognitoIdpResponse.initiate_auth, "AuthParameters")
    CognitoIdpResponse.admin_initiate_auth = with_devices(CognitoIdpResponse.admin_initiate_auth, "AuthParameters")
    CognitoIdpResponse.respond_to_auth_challenge = with_devices(
        CognitoIdpResponse.respond_to_auth_challenge, "ChallengeResponses"
    )
    CognitoIdpResponse.admin_respond_to_auth_challenge = with_devices(
        CognitoIdpResponse.admin_respond_to_auth_challenge, "ChallengeResponses"
    )
