"""A signed-in user's passkeys: Cognito's four WebAuthn operations, each authorized by the access token.

Cognito checks the WebAuthn ceremony itself (challenge, origin, relying party, attestation); its refusals
become the API's `webauthn_*` errors (services/cognito/error_map.py), a refused token `RevokedToken`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

import errors
from services.cognito.client import CognitoCalls
from services.cognito.error_map import BEARER_CALL, translated

# A credential id as WebAuthn makes them (base64url of at most 1023 bytes): anything else is no passkey of anyone's.
_CREDENTIAL_ID = re.compile(r"[A-Za-z0-9_-]{1,1364}={0,2}")
# Deleting a credential the user does not have.
_UNKNOWN_PASSKEY = {**BEARER_CALL, "ResourceNotFoundException": errors.PasskeyNotFound}


class Passkeys(CognitoCalls):
    """StartWebAuthnRegistration, CompleteWebAuthnRegistration, ListWebAuthnCredentials, DeleteWebAuthnCredential."""

    def start_registration(self, access_token: str) -> dict[str, Any]:
        """The PublicKeyCredentialCreationOptions for navigator.credentials.create (binary fields base64url)."""
        with translated("StartWebAuthnRegistration", BEARER_CALL):
            result = self.client.start_web_authn_registration(AccessToken=access_token)
        options = result.get("CredentialCreationOptions")
        if not isinstance(options, dict):
            raise errors.ApiError("The identity provider answered no passkey creation options.")
        return options

    def complete_registration(self, access_token: str, credential: Mapping[str, Any]) -> None:
        """Register the browser's new credential (RegistrationResponseJSON) as the user's passkey."""
        with translated("CompleteWebAuthnRegistration", BEARER_CALL):
            self.client.complete_web_authn_registration(AccessToken=access_token, Credential=dict(credential))

    def passkeys(self, access_token: str) -> list[dict[str, Any]]:
        """Every passkey of the user (all pages of ListWebAuthnCredentials), in the API's words."""
        found: list[dict[str, Any]] = []
        page: dict[str, Any] = {}
        while True:
            with translated("ListWebAuthnCredentials", BEARER_CALL):
                result = self.client.list_web_authn_credentials(AccessToken=access_token, MaxResults=20, **page)
            found += [_passkey(credential) for credential in result.get("Credentials", [])]
            if not result.get("NextToken") or len(found) > 1000:  # Cognito keeps at most 20 per user
                return found
            page = {"NextToken": result["NextToken"]}

    def delete_passkey(self, access_token: str, credential_id: str) -> None:
        """Delete one of the user's passkeys (PasskeyNotFound when the user has none with that id)."""
        if not _CREDENTIAL_ID.fullmatch(credential_id):
            raise errors.PasskeyNotFound()
        with translated("DeleteWebAuthnCredential", _UNKNOWN_PASSKEY):
            self.client.delete_web_authn_credential(AccessToken=access_token, CredentialId=credential_id)


def _passkey(credential: Mapping[str, Any]) -> dict[str, Any]:
    created = credential.get("CreatedAt")
    # botocore parses the epoch seconds into a datetime; the API answers epoch seconds, as Cognito sends them.
    if isinstance(created, datetime.datetime):
        created = created.timestamp()
    return {
        "credential_id": credential.get("CredentialId"),
        "name": credential.get("FriendlyCredentialName"),
        "relying_party_id": credential.get("RelyingPartyId"),
        "attachment": credential.get("AuthenticatorAttachment"),
        "transports": list(credential.get("AuthenticatorTransports", [])),
        "created_at": created,
    }
