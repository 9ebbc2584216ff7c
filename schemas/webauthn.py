"""The browser's passkey credentials, as navigator.credentials.create/get produce them in JSON (W3C WebAuthn's
RegistrationResponseJSON and AuthenticationResponseJSON, the shapes Cognito takes): binary fields base64url.

The field names are the W3C's own (camelCase), so the JSON passes to Cognito as the browser wrote it. Sizes:
a credential is a few KB (an attestation with its certificates the largest part), within MAX_BODY_BYTES.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from schemas.fields import Body, text

B64URL_PATTERN = r"^[A-Za-z0-9_-]+={0,2}$"


def b64url(max_chars: int) -> Any:
    """A base64url string (padding tolerated) of 1 to `max_chars` characters."""
    return Annotated[str, Field(min_length=1, max_length=max_chars, pattern=B64URL_PATTERN)]


CredentialId = b64url(1366)  # WebAuthn's credential ids are at most 1023 bytes
Transport = Literal["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"]


class _Credential(Body):
    id: CredentialId
    rawId: CredentialId
    type: Literal["public-key"]
    authenticatorAttachment: Literal["platform", "cross-platform"] | None = None
    clientExtensionResults: dict[str, Any] = Field(default_factory=dict, max_length=16)

    def as_cognito(self) -> dict[str, Any]:
        """The credential as Cognito takes it: the browser's JSON, unset optional fields left out."""
        return self.model_dump(exclude_none=True)


class AssertionResponse(Body):
    clientDataJSON: b64url(4096)
    authenticatorData: b64url(4096)
    signature: b64url(1024)
    userHandle: b64url(128) | None = None  # at most 64 bytes


class AuthenticationCredential(_Credential):
    """What navigator.credentials.get answers, as JSON (the WEB_AUTHN challenge's answer)."""

    response: AssertionResponse


class AttestationResponse(Body):
    clientDataJSON: b64url(4096)
    attestationObject: b64url(12288)
    transports: list[Transport] = Field(default_factory=list, max_length=8)
    authenticatorData: b64url(4096) | None = None
    publicKey: b64url(2048) | None = None
    publicKeyAlgorithm: int | None = None


class RegistrationCredential(_Credential):
    """What navigator.credentials.create answers, as JSON (CompleteWebAuthnRegistration's Credential)."""

    response: AttestationResponse


class PasskeyFinish(Body):
    credential: RegistrationCredential


PasskeyId = text(1366)
