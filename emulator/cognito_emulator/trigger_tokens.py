"""The pre token generation trigger: one event per sign-in (or refresh), its answer applied to the ID and access
tokens it makes.

Event version: the pool's LambdaConfig.PreTokenGenerationConfig.LambdaVersion when it names one (V1_0, V2_0,
V3_0), else V2_0 (the event with access token customisation: `claimsAndScopeOverrideDetails`). Shapes and rules
([DG] "Pre token generation Lambda trigger"; ../shared/PROTOCOLS-2.md section 3):
- request: userAttributes, groupConfiguration {groupsToOverride (the user's groups), iamRolesToOverride,
  preferredRole}, clientMetadata, and (V2/V3) scopes, the access token's.
- V2/V3 response `claimsAndScopeOverrideDetails`: idTokenGeneration {claimsToAddOrOverride, claimsToSuppress},
  accessTokenGeneration {claimsToAddOrOverride, claimsToSuppress, scopesToAdd, scopesToSuppress},
  groupOverrideDetails {groupsToOverride, iamRolesToOverride, preferredRole}. Claim values may be strings,
  numbers, booleans, arrays of these, or JSON objects.
- V1 response `claimsOverrideDetails` {claimsToAddOrOverride (strings), claimsToSuppress, groupOverrideDetails}:
  the ID token only, but its group override applies to both tokens.
- Suppressing wins over adding. groupOverrideDetails replaces `cognito:groups` (an empty list removes it) and sets
  `cognito:roles` / `cognito:preferred_role` in the ID token.
- triggerSource: TokenGeneration_Authentication, _RefreshTokens (a refresh), _NewPasswordChallenge (tokens after
  NEW_PASSWORD_REQUIRED).
Uncertain: the claims Cognito refuses to change and what it answers when a function tries (the page lists them;
not verified here): such claims (`RESERVED`) are left as Cognito made them, silently. Tokens of the OAuth token
endpoint (local/oauth) are made elsewhere and do not run the trigger yet (TokenGeneration_HostedAuth).
"""

from __future__ import annotations

import threading
from typing import Any

from cognito_emulator import triggers
from cognito_emulator.trigger_events import event, metadata
from cognito_emulator.webauthn_ops import error

RESERVED = {
    "acr", "amr", "at_hash", "auth_time", "aud", "azp", "c_hash", "client_id", "cognito:username", "event_id",
    "exp", "iat", "identities", "iss", "jti", "nbf", "nonce", "origin_jti", "scope", "sub", "token_use",
    "username", "version", "device_key",
}  # fmt: skip
_last = threading.local()  # the answer of this thread's last event: (key, response, token kinds it was used for)


def version(pool: Any) -> str:
    """The event version the pool asks for (V2_0 unless its LambdaConfig names another)."""
    config = (pool.extended_config.get("LambdaConfig") or {}).get("PreTokenGenerationConfig") or {}
    return str(config.get("LambdaVersion") or "V2_0")


def _source() -> str:
    action = triggers.action()
    flow = triggers.param("AuthFlow")
    if action == "get_tokens_from_refresh_token" or flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return "TokenGeneration_RefreshTokens"
    if triggers.param("ChallengeName") == "NEW_PASSWORD_REQUIRED":
        return "TokenGeneration_NewPasswordChallenge"
    return "TokenGeneration_Authentication"


def _answer(pool: Any, username: str, claims: dict[str, Any]) -> dict[str, Any]:
    """The trigger's response for this sign-in: asked once, for whichever of its two tokens comes first."""
    key = (pool.id, username, claims.get("origin_jti"))
    last = getattr(_last, "value", None)
    if last is not None and last[0] == key and claims["token_use"] not in last[2]:
        last[2].add(claims["token_use"])
        return last[1]  # type: ignore[no-any-return]
    user = pool._get_user(username)
    groups = sorted(group.group_name for group in user.groups)
    roles = sorted({group.role_arn for group in user.groups if getattr(group, "role_arn", None)})
    request: dict[str, Any] = {
        "groupConfiguration": {"groupsToOverride": groups, "iamRolesToOverride": roles, "preferredRole": None},
        "clientMetadata": metadata(),
    }
    if version(pool) == "V1_0":
        asked = event(pool, _source(), user.username, request, {"claimsOverrideDetails": None}, user=user)
    else:
        scopes = str(claims.get("scope") or "aws.cognito.signin.user.admin").split()
        request["scopes"] = scopes
        response = {"claimsAndScopeOverrideDetails": None}
        asked = event(pool, _source(), user.username, request, response, user=user, version="2")
    answer = triggers.invoke(pool, "pre_token_generation", asked)
    _last.value = (key, answer, {claims["token_use"]})
    return answer


def _object(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise error("InvalidLambdaResponseException", triggers.UNRECOGNIZABLE)
    return value


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise error("InvalidLambdaResponseException", triggers.UNRECOGNIZABLE)
    return value


def _claims(claims: dict[str, Any], generation: dict[str, Any], strings_only: bool) -> None:
    added = _object(generation.get("claimsToAddOrOverride"))
    if strings_only and not all(isinstance(value, str) for value in added.values()):
        raise error("InvalidLambdaResponseException", triggers.UNRECOGNIZABLE)
    claims.update({name: value for name, value in added.items() if name not in RESERVED})
    for name in _names(generation.get("claimsToSuppress")):
        if name not in RESERVED:
            claims.pop(name, None)


def _groups(claims: dict[str, Any], override: Any) -> None:
    if override is None:
        return
    override = _object(override)
    groups = _names(override.get("groupsToOverride"))
    if groups:
        claims["cognito:groups"] = groups
    else:
        claims.pop("cognito:groups", None)
    if claims["token_use"] == "id":  # noqa: S105 (a claim, not a password)
        roles = _names(override.get("iamRolesToOverride"))
        if roles:
            claims["cognito:roles"] = roles
        if isinstance(override.get("preferredRole"), str):
            claims["cognito:preferred_role"] = override["preferredRole"]


def apply(pool: Any, claims: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """`claims` as the trigger's answer changes them (a new dict)."""
    claims, kind = dict(claims), claims["token_use"]
    if version(pool) == "V1_0":
        details = _object(answer.get("claimsOverrideDetails"))
        if kind == "id":
            _claims(claims, details, strings_only=True)
        _groups(claims, details.get("groupOverrideDetails"))
        return claims
    details = _object(answer.get("claimsAndScopeOverrideDetails"))
    generation = _object(details.get("idTokenGeneration" if kind == "id" else "accessTokenGeneration"))
    _claims(claims, generation, strings_only=False)
    if kind == "access":
        scopes = str(claims.get("scope") or "").split()
        suppressed = set(_names(generation.get("scopesToSuppress")))
        for scope in _names(generation.get("scopesToAdd")):
            if scope not in scopes:
                scopes.append(scope)
        claims["scope"] = " ".join(scope for scope in scopes if scope not in suppressed)
    _groups(claims, details.get("groupOverrideDetails"))
    return claims


def teach() -> None:
    """Wrap moto's token minting (after tokens.py's) so the trigger's answer is in each token (once)."""
    from joserfc import jwt
    from moto.cognitoidp.models import CognitoIdpUserPool

    from cognito_emulator.oauth.minting import unverified_claims
    from cognito_emulator.tokens import HEADER

    if getattr(CognitoIdpUserPool.create_jwt, "runs_pre_token_trigger", False):
        return
    create_jwt = CognitoIdpUserPool.create_jwt

    def create_jwt_with_trigger(self: Any, client_id: str, username: str, token_use: str, *args: Any, **kw: Any) -> Any:
        token, expires_in = create_jwt(self, client_id, username, token_use, *args, **kw)
        if token_use not in ("id", "access") or triggers.function(self, "pre_token_generation") is None:
            return token, expires_in
        claims = dict(unverified_claims(token))
        changed = apply(self, claims, _answer(self, username, claims))
        return jwt.encode(HEADER, changed, self.json_web_key), expires_in

    create_jwt_with_trigger.runs_pre_token_trigger = True  # type: ignore[attr-defined]
    CognitoIdpUserPool.create_jwt = create_jwt_with_trigger
