"""The four passkey operations moto lacks (Start/CompleteWebAuthnRegistration, ListWebAuthnCredentials,
DeleteWebAuthnCredential), and the pool's WebAuthnConfiguration in Set/GetUserPoolMfaConfig, taught to moto.

The relying party id is the pool's WebAuthnConfiguration.RelyingPartyId, else its Cognito domain (a custom
domain itself, a prefix domain as `<prefix>.auth.<region>.amazoncognito.com`), else none:
WebAuthnConfigurationMissingException. Passkeys need WEB_AUTHN in the pool's AllowedFirstAuthFactors.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from cognito_emulator import factors, passkeys

ADMIN_SCOPE = "aws.cognito.signin.user.admin"


def error(code: str, message: str) -> Exception:
    """Cognito's JSON error (HTTP 400, as Cognito answers every one of these)."""
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def _claims(token: str) -> dict[str, Any]:
    # Only tokens the emulator issued reach here (looked up first), so reading the payload is enough.
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def signed_in(backend: Any, token: Any) -> tuple[Any, Any, str]:
    """The pool, user and client id of a valid access token with the user-admin scope, else NotAuthorized."""
    for pool in backend.user_pools.values():
        if isinstance(token, str) and token in pool.access_tokens:
            client_id, username = pool.access_tokens[token]
            claims = _claims(token)
            if claims.get("exp", 0) < time.time():
                raise error("NotAuthorizedException", "Access Token has expired")
            if ADMIN_SCOPE not in str(claims.get("scope", "")).split():
                raise error("NotAuthorizedException", "Access Token does not have required scopes")
            user = pool._get_user(username)
            if user is None or not user.enabled:
                raise error("NotAuthorizedException", "User is disabled.")
            return pool, user, client_id
    raise error("NotAuthorizedException", "Invalid Access Token")


def relying_party(pool: Any) -> tuple[str, str]:
    """The pool's relying party id and its UserVerification (required or preferred)."""
    config = factors.extras(pool)["webauthn"] or {}
    verification = config.get("UserVerification") or "preferred"
    if config.get("RelyingPartyId"):
        return config["RelyingPartyId"], verification
    domain = pool.domain
    if domain is not None:
        custom = domain.custom_domain_config
        return (domain.domain if custom else f"{domain.domain}.auth.{pool.region}.amazoncognito.com"), verification
    raise error("WebAuthnConfigurationMissingException", "The user pool has no relying party id and no domain.")


def _enabled(pool: Any) -> tuple[str, str]:
    if "WEB_AUTHN" not in factors.allowed_first_factors(pool):
        raise error("WebAuthnNotEnabledException", "Passkeys are not enabled for this user pool.")
    return relying_party(pool)


def _description(passkey: dict[str, Any]) -> dict[str, Any]:
    found = {
        "CredentialId": passkey["id"],
        "FriendlyCredentialName": passkey.get("name") or "Passkey",
        "RelyingPartyId": passkey["rp_id"],
        "AuthenticatorTransports": passkey.get("transports") or [],
        "CreatedAt": passkey["created_at"],
    }
    if passkey.get("attachment") in ("platform", "cross-platform"):
        found["AuthenticatorAttachment"] = passkey["attachment"]
    return found


def teach() -> None:
    """Patch the passkey operations and the WebAuthnConfiguration into moto's Cognito responses."""
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult, EmptyResult

    backend_of = CognitoIdpResponse._get_region_agnostic_backend
    set_mfa, get_mfa = CognitoIdpResponse.set_user_pool_mfa_config, CognitoIdpResponse.get_user_pool_mfa_config
    if getattr(set_mfa, "knows_webauthn", False):
        return  # taught already (every LocalCognito calls teach)

    def token_owner(self: Any) -> tuple[Any, Any, str]:
        token = self._get_param("AccessToken")
        return signed_in(backend_of(self)._find_backend_by_access_token(token), token)

    def start_web_authn_registration(self: Any) -> ActionResult:
        pool, user, client_id = token_owner(self)
        rp_id, verification = _enabled(pool)
        keys = factors.extras(pool)["passkeys"].get(user.username, [])
        if len(keys) >= passkeys.MAX_PASSKEYS:
            raise error("LimitExceededException", f"A user may have at most {passkeys.MAX_PASSKEYS} passkeys.")
        options = passkeys.creation_options(rp_id, user, keys, verification)
        expires = time.time() + passkeys.TIMEOUT_MS / 1000
        pending = {"challenge": options["challenge"], "client_id": client_id, "expires": expires}
        factors.extras(pool)["registrations"][user.username] = pending
        return ActionResult({"CredentialCreationOptions": options})

    def complete_web_authn_registration(self: Any) -> EmptyResult:
        pool, user, client_id = token_owner(self)
        rp_id, verification = _enabled(pool)
        data = factors.extras(pool)
        pending = data["registrations"].get(user.username)
        if pending is None or pending["expires"] < time.time():
            raise error("WebAuthnChallengeNotFoundException", "No registration is pending, or it expired.")
        if pending["client_id"] != client_id:
            raise error("WebAuthnClientMismatchException", "The registration was started by another app client.")
        try:
            passkey = passkeys.register(self._get_param("Credential"), pending["challenge"], rp_id, verification)
        except passkeys.Refusal as refused:
            raise error(refused.code, refused.message) from refused
        if any(p["id"] == passkey["id"] for keys in data["passkeys"].values() for p in keys):
            raise error("WebAuthnCredentialNotSupportedException", "This passkey is registered already.")
        del data["registrations"][user.username]
        data["passkeys"].setdefault(user.username, []).append(passkey)
        return EmptyResult()

    def list_web_authn_credentials(self: Any) -> ActionResult:
        pool, user, _ = token_owner(self)
        keys = factors.extras(pool)["passkeys"].get(user.username, [])
        limit, token = self._get_param("MaxResults"), self._get_param("NextToken")
        limit = 20 if limit in (None, 0) else limit
        if not isinstance(limit, int) or not 0 < limit <= 20:
            raise error("InvalidParameterException", "MaxResults must be between 0 and 20.")
        if token is not None and not (isinstance(token, str) and token.isdigit() and int(token) < len(keys)):
            raise error("InvalidParameterException", "Invalid NextToken.")
        start = int(token or 0)
        answer: dict[str, Any] = {"Credentials": [_description(p) for p in keys[start : start + limit]]}
        if start + limit < len(keys):
            answer["NextToken"] = str(start + limit)
        return ActionResult(answer)

    def delete_web_authn_credential(self: Any) -> EmptyResult:
        pool, user, _ = token_owner(self)
        keys = factors.extras(pool)["passkeys"].get(user.username, [])
        kept = [p for p in keys if p["id"] != self._get_param("CredentialId")]
        if len(kept) == len(keys):
            raise error("ResourceNotFoundException", "Credential not found.")
        factors.extras(pool)["passkeys"][user.username] = kept
        return EmptyResult()

    def with_webauthn(self: Any, answer: ActionResult) -> ActionResult:
        pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
        config = factors.extras(pool)["webauthn"] or {}
        answer.result["WebAuthnConfiguration"] = {"UserVerification": "preferred", **config}  # type: ignore[index]
        return answer

    def set_user_pool_mfa_config(self: Any) -> ActionResult:
        pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
        config = self._get_param("WebAuthnConfiguration")
        if config is not None:
            rp_id, verification = config.get("RelyingPartyId"), config.get("UserVerification", "preferred")
            if rp_id is not None and not (isinstance(rp_id, str) and 1 <= len(rp_id) <= 127):
                raise error("InvalidParameterException", "RelyingPartyId must be 1 to 127 characters.")
            if verification not in ("required", "preferred"):
                raise error("InvalidParameterException", "UserVerification must be required or preferred.")
            factors.extras(pool)["webauthn"] = {
                **({"RelyingPartyId": rp_id} if rp_id else {}),
                "UserVerification": verification,
            }
        if self._get_param("MfaConfiguration") is None and config is not None:
            return with_webauthn(self, get_mfa(self))  # only the passkey settings changed
        return with_webauthn(self, set_mfa(self))

    set_user_pool_mfa_config.knows_webauthn = True  # type: ignore[attr-defined]
    CognitoIdpResponse.set_user_pool_mfa_config = set_user_pool_mfa_config
    CognitoIdpResponse.get_user_pool_mfa_config = lambda self: with_webauthn(self, get_mfa(self))
    CognitoIdpResponse.start_web_authn_registration = start_web_authn_registration
    CognitoIdpResponse.complete_web_authn_registration = complete_web_authn_registration
    CognitoIdpResponse.list_web_authn_credentials = list_web_authn_credentials
    CognitoIdpResponse.delete_web_authn_credential = delete_web_authn_credential
