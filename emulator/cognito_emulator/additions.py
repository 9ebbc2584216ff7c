"""Cognito operations moto 5.2.5 lacks, taught to this process's moto so the emulator answers them as Cognito does.

Without them moto logs a 45-line traceback and answers an HTML 500 for each call (ResendConfirmationCode at
`/auth/resend-code`, RevokeToken at every sign-out with a refresh token, GetTokensFromRefreshToken from
Amplify 6.15+). moto is imported inside `teach()` only, so a production install does not need it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any


def _is_jwt(token: Any) -> bool:
    """Whether a token is one of the JWTs (access or ID), which RevokeToken refuses, not an opaque refresh token."""
    return isinstance(token, str) and token.count(".") == 2


def _secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def teach() -> None:
    """Patch ResendConfirmationCode, RevokeToken and GetTokensFromRefreshToken into moto's Cognito responses, and
    have moto parse its signing key once."""
    from moto.cognitoidp.exceptions import (
        InvalidParameterException,
        NotAuthorizedError,
        ResourceNotFoundError,
        UserNotFoundError,
    )
    from moto.cognitoidp.models import UserStatus
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.exceptions import JsonRESTError
    from moto.core.responses import ActionResult, EmptyResult

    def client_and_pool(self: CognitoIdpResponse) -> tuple[Any, Any, Any]:
        client_id = self._get_param("ClientId")
        backend = self._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
        pool = next((p for p in backend.user_pools.values() if client_id in p.clients), None)
        if pool is None:
            raise ResourceNotFoundError(client_id)
        return backend, pool, pool.clients[client_id]

    def get_tokens_from_refresh_token(self: CognitoIdpResponse) -> ActionResult:
        # As REFRESH_TOKEN_AUTH answers, as Cognito does for a client without refresh-token rotation.
        from cognito_emulator.client_checks import _refresh_user

        _, pool, client = client_and_pool(self)
        if client.generate_secret and self._get_param("ClientSecret") != client.secret:
            raise NotAuthorizedError(f"Unable to verify secret hash for client {client.id}")
        # revoked, expired, another client's, a device's without its key, ...
        _refresh_user(pool, client, self._get_param("RefreshToken"), self._get_param("DeviceKey"))
        access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(self._get_param("RefreshToken"))
        tokens = {"AccessToken": access_token, "IdToken": id_token, "ExpiresIn": expires_in, "TokenType": "Bearer"}
        return ActionResult({"AuthenticationResult": tokens})

    def resend_confirmation_code(self: CognitoIdpResponse) -> ActionResult:
        backend, pool, client = client_and_pool(self)
        username = self._get_param("Username")
        secret_hash = self._get_param("SecretHash")
        if client.generate_secret and secret_hash != _secret_hash(client.secret, username, client.id):
            raise NotAuthorizedError(f"Unable to verify secret hash for client {client.id}")
        user = pool._get_user(username)
        hides_users = client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"
        if user is None and not hides_users:
            raise UserNotFoundError("Username/client id combination not found.")
        if user is not None and user.status == UserStatus.CONFIRMED:
            raise InvalidParameterException("User is already confirmed.")
        if user is None:  # a client that hides users answers a made-up delivery, as Cognito does
            from cognito_emulator.client_rules import fake_delivery

            verified = pool.extended_config.get("AutoVerifiedAttributes") or ["email"]
            medium = "EMAIL" if "email" in verified else "SMS"
            return ActionResult({"CodeDeliveryDetails": fake_delivery(pool, username, medium)})
        recovery = pool.extended_config.get("AccountRecoverySetting")
        details = backend._get_code_delivery_details(recovery_settings=recovery, user=user, username=username)
        return ActionResult({"CodeDeliveryDetails": details})

    def revoke_token(self: CognitoIdpResponse) -> EmptyResult:
        _, pool, client = client_and_pool(self)
        if client.generate_secret and self._get_param("ClientSecret") != client.secret:
            raise NotAuthorizedError(f"Unable to verify secret hash for client {client.id}")
        if not client.extended_config.get("EnableTokenRevocation", True):
            raise JsonRESTError("UnsupportedOperationException", "Token revocation is not enabled for this client.")
        token = self._get_param("Token")
        if token in pool.access_tokens or token in pool.id_tokens or _is_jwt(token):
            raise JsonRESTError("UnsupportedTokenTypeException", "Only refresh tokens can be revoked.")
        issued = pool.refresh_tokens.get(token)
        # An unknown or already revoked token answers success (RFC 7009); another client's token stays valid.
        if issued and issued[0] == client.id:
            from cognito_emulator.tokens import revoke_family

            del pool.refresh_tokens[token]
            revoke_family(pool, issued[2], issued[1])  # its access tokens: "Access Token has been revoked"
        return EmptyResult()

    CognitoIdpResponse.get_tokens_from_refresh_token = get_tokens_from_refresh_token
    CognitoIdpResponse.resend_confirmation_code = resend_confirmation_code
    CognitoIdpResponse.revoke_token = revoke_token
    parse_the_signing_key_once()


def parse_the_signing_key_once() -> None:
    """moto parses its one fixed RSA signing key again for every pool it creates (about 0.16 s each): parse it
    once, and hand every pool the same key object. A key moto is given otherwise is parsed as before."""
    from types import SimpleNamespace

    import moto.cognitoidp.models as models
    from joserfc import jwk
    from moto.utilities.utils import load_resource

    fixed = load_resource("cognitoidp/resources/jwks-private.json")
    parsed = jwk.RSAKey.import_key(fixed)

    def import_key(data: Any, *args: Any, **kwargs: Any) -> Any:
        return parsed if data == fixed and not args and not kwargs else jwk.RSAKey.import_key(data, *args, **kwargs)

    models.jwk = SimpleNamespace(RSAKey=SimpleNamespace(import_key=import_key))  # type: ignore[attr-defined]
