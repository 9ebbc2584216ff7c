"""A software passkey authenticator: real WebAuthn attestations (packed self-attestation or none) and assertions
with an EC P-256 key (cryptography, cbor2), shaped as the browser's RegistrationResponseJSON and
AuthenticationResponseJSON, so the emulator's checks can be tested without a browser.

Every field a test may want wrong is a keyword: the origin, the relying party id, the challenge, the sign
count, the user-verified flag, the signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

ORIGIN = "http://localhost:5000"
UP, UV, AT = 0x01, 0x04, 0x40  # authenticator data flags: user present, user verified, attested credential data


def b64url(data: bytes) -> str:
    """Base64url without padding, as WebAuthn's JSON forms carry bytes."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    """The bytes of a base64url string (padding optional)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Passkey:
    """One credential the authenticator holds."""

    credential_id: bytes
    key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0

    @property
    def id(self) -> str:
        return b64url(self.credential_id)


@dataclass
class Authenticator:
    """Holds passkeys; makes registration and authentication responses for given options."""

    passkeys: list[Passkey] = field(default_factory=list)
    aaguid: bytes = bytes(16)

    def _cose_key(self, key: ec.EllipticCurvePrivateKey) -> bytes:
        numbers = key.public_key().public_numbers()
        x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: x, -3: y})  # EC2, ES256, P-256

    def create(
        self,
        options: dict[str, Any],
        *,
        origin: str = ORIGIN,
        rp_id: str | None = None,
        challenge: str | None = None,
        fmt: str = "packed",
        verified: bool = True,
    ) -> dict[str, Any]:
        """navigator.credentials.create(): a RegistrationResponseJSON for CredentialCreationOptions `options`."""
        rp_id = rp_id or options["rp"]["id"]
        passkey = Passkey(
            os.urandom(32), ec.generate_private_key(ec.SECP256R1()), rp_id, unb64url(options["user"]["id"])
        )
        client_data = self._client_data("webauthn.create", challenge or options["challenge"], origin)
        flags = UP | AT | (UV if verified else 0)
        attested = self.aaguid + len(passkey.credential_id).to_bytes(2, "big") + passkey.credential_id
        auth_data = self._auth_data(rp_id, flags, 0) + attested + self._cose_key(passkey.key)
        statement: dict[str, Any] = {}
        if fmt == "packed":  # self attestation: signed by the credential's own key
            signed = auth_data + hashlib.sha256(client_data).digest()
            statement = {"alg": -7, "sig": passkey.key.sign(signed, ec.ECDSA(hashes.SHA256()))}
        attestation = cbor2.dumps({"fmt": fmt, "attStmt": statement, "authData": auth_data})
        self.passkeys.append(passkey)
        return {
            "id": passkey.id,
            "rawId": passkey.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    def get(
        self,
        request_options: str | dict[str, Any],
        *,
        passkey: Passkey | None = None,
        origin: str = ORIGIN,
        rp_id: str | None = None,
        challenge: str | None = None,
        sign_count: int | None = None,
        verified: bool = True,
        tamper: bool = False,
    ) -> str:
        """navigator.credentials.get(): an AuthenticationResponseJSON, as the string Cognito's CREDENTIAL takes.
        `request_options` is CREDENTIAL_REQUEST_OPTIONS (the JSON string or its object)."""
        options = json.loads(request_options) if isinstance(request_options, str) else request_options
        passkey = passkey or self.passkeys[-1]
        passkey.sign_count = passkey.sign_count + 1 if sign_count is None else sign_count
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        auth_data = self._auth_data(rp_id or passkey.rp_id, UP | (UV if verified else 0), passkey.sign_count)
        signature = passkey.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        if tamper:  # the same challenge and origin, but not the bytes that were signed
            client_data = client_data.replace(b"{", b"{ ", 1)
        return json.dumps(
            {
                "id": passkey.id,
                "rawId": passkey.id,
                "type": "public-key",
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "authenticatorData": b64url(auth_data),
                    "signature": b64url(signature),
                    "userHandle": b64url(passkey.user_handle),
                },
                "authenticatorAttachment": "platform",
                "clientExtensionResults": {},
            }
        )

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    @staticmethod
    def _auth_data(rp_id: str, flags: int, sign_count: int) -> bytes:
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + sign_count.to_bytes(4, "big")
