"""Passkey ceremonies for the emulator, verified by py_webauthn: creation and request options, and the checks on
the browser's attestation and assertion (challenge, origin, relying party, user presence and verification,
signature, sign count). Each failure is a `Refusal` naming Cognito's error, turned into moto's by the caller.

Allowed origins, the rule this emulator uses (Cognito's own list is not documented in detail):
- relying party id `localhost`: `http://localhost` or `https://localhost`, any port (browsers treat both as
  secure contexts; `make run` serves the page at http://localhost:5000);
- any other relying party id D: `https://D` or `https://<sub>.D`, any port (a page may use a passkey of a
  registrable parent domain, as WebAuthn allows). Never plain http, never an IP address.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any
from urllib.parse import urlsplit

from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    bytes_to_base64url,
    options_to_json_dict,
    parse_attestation_object,
    parse_authenticator_data,
    parse_client_data_json,
)
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

TIMEOUT_MS = 180_000  # what Cognito's options say; a pending registration lasts as long
ALGORITHMS = [COSEAlgorithmIdentifier.ECDSA_SHA_256, COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256]
MAX_PASSKEYS = 20  # per user


class Refusal(Exception):
    """A ceremony refused: Cognito's error code and a message saying which check failed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def origin_allowed(origin: str, rp_id: str) -> bool:
    """Whether a page at `origin` may use passkeys of `rp_id` (the rule in this module's docstring)."""
    try:
        parts = urlsplit(origin)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a bad port raises ValueError here
    except ValueError:
        return False
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        return False
    if rp_id == "localhost":
        return parts.scheme in ("http", "https") and host == "localhost"
    return parts.scheme == "https" and (host == rp_id or host.endswith("." + rp_id))


def _bytes(encoded: Any, name: str) -> bytes:
    try:
        return base64url_to_bytes(encoded)
    except Exception as err:  # not a string, or not base64url: several kinds
        raise Refusal("InvalidParameterException", f"{name} is not base64url") from err


def _client_data(encoded: Any, kind: str) -> Any:
    try:
        data = parse_client_data_json(_bytes(encoded, "clientDataJSON"))
    except Refusal:
        raise
    except Exception as err:  # the library raises several kinds for a malformed field
        raise Refusal("InvalidParameterException", f"clientDataJSON is malformed ({type(err).__name__})") from err
    if data.type != kind:
        raise Refusal("InvalidParameterException", f"clientDataJSON type is {data.type!r}, not {kind!r}")
    return data


def _check_origin(data: Any, rp_id: str, code: str) -> None:
    if not origin_allowed(data.origin, rp_id):
        raise Refusal(code, f"Origin {data.origin} is not allowed for relying party {rp_id}.")


def _check_rp(rp_id_hash: bytes, rp_id: str, code: str) -> None:
    if rp_id_hash != hashlib.sha256(rp_id.encode()).digest():
        raise Refusal(code, f"The credential is for another relying party than {rp_id}.")


def creation_options(rp_id: str, user: Any, passkeys: list[dict[str, Any]], verification: str) -> dict[str, Any]:
    """StartWebAuthnRegistration's CredentialCreationOptions (a JSON object, binary fields base64url)."""
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=rp_id,
        user_id=user.id.encode(),
        user_name=user.username,
        user_display_name=user.attribute_lookup.get("email") or user.username,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement(verification),
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(p["id"])) for p in passkeys],
        supported_pub_key_algs=ALGORITHMS,
    )
    return options_to_json_dict(options)


def request_options(rp_id: str, passkeys: list[dict[str, Any]], verification: str) -> dict[str, Any]:
    """The WEB_AUTHN challenge's CREDENTIAL_REQUEST_OPTIONS (before json.dumps)."""
    options = generate_authentication_options(
        rp_id=rp_id,
        timeout=TIMEOUT_MS,
        allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(p["id"])) for p in passkeys],
        user_verification=UserVerificationRequirement(verification),
    )
    return options_to_json_dict(options)


def register(credential: Any, challenge: str, rp_id: str, verification: str) -> dict[str, Any]:
    """Verify a RegistrationResponseJSON against the pending challenge; return the passkey to keep."""
    if not isinstance(credential, dict) or not isinstance(credential.get("response"), dict):
        raise Refusal("InvalidParameterException", "Credential is not a RegistrationResponseJSON object.")
    response = credential["response"]
    data = _client_data(response.get("clientDataJSON"), "webauthn.create")
    if bytes_to_base64url(data.challenge) != challenge:
        raise Refusal("WebAuthnChallengeNotFoundException", "The credential answers no pending challenge.")
    _check_origin(data, rp_id, "WebAuthnOriginNotAllowedException")
    try:
        attestation = parse_attestation_object(_bytes(response.get("attestationObject"), "attestationObject"))
    except Refusal:
        raise
    except Exception as err:  # malformed CBOR raises several kinds
        raise Refusal("InvalidParameterException", f"attestationObject is malformed ({type(err).__name__})") from err
    _check_rp(attestation.auth_data.rp_id_hash, rp_id, "WebAuthnRelyingPartyMismatchException")
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=data.challenge,
            expected_rp_id=rp_id,
            expected_origin=data.origin,  # already checked against the rule above
            require_user_verification=verification == "required",
            supported_pub_key_algs=ALGORITHMS,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError) as err:  # every malformed field
        raise Refusal("WebAuthnCredentialNotSupportedException", f"The credential was refused: {err}") from err
    transports = response.get("transports")
    return {
        "id": bytes_to_base64url(verified.credential_id),
        "public_key": bytes_to_base64url(verified.credential_public_key),
        "sign_count": verified.sign_count,
        "transports": [t for t in transports if isinstance(t, str)] if isinstance(transports, list) else [],
        "attachment": credential.get("authenticatorAttachment"),
        "rp_id": rp_id,
        "created_at": int(time.time()),
        "aaguid": verified.aaguid,
    }


def assert_passkey(
    text: Any, challenge: str, rp_id: str, passkeys: list[dict[str, Any]], user_handle: bytes, verification: str
) -> dict[str, Any]:
    """Verify an AuthenticationResponseJSON (a string, as Cognito takes it) for one of `passkeys`; return the
    passkey it used, its sign count updated."""
    try:
        credential = json.loads(text) if isinstance(text, str) else None
    except json.JSONDecodeError:
        credential = None
    if not isinstance(credential, dict) or not isinstance(credential.get("response"), dict):
        raise Refusal("InvalidParameterException", "CREDENTIAL is not an AuthenticationResponseJSON string.")
    passkey = next((p for p in passkeys if p["id"] == credential.get("id")), None)
    if passkey is None:
        raise Refusal("NotAuthorizedException", "The passkey is not one of this user's.")
    response = credential["response"]
    data = _client_data(response.get("clientDataJSON"), "webauthn.get")
    if bytes_to_base64url(data.challenge) != challenge:
        raise Refusal("NotAuthorizedException", "The passkey answered another challenge than this session's.")
    _check_origin(data, rp_id, "NotAuthorizedException")  # RespondToAuthChallenge has no WebAuthn errors
    try:
        auth_data = parse_authenticator_data(_bytes(response.get("authenticatorData"), "authenticatorData"))
    except Refusal:
        raise
    except Exception as err:  # malformed bytes raise several kinds
        raise Refusal("InvalidParameterException", f"authenticatorData is malformed ({type(err).__name__})") from err
    _check_rp(auth_data.rp_id_hash, rp_id, "NotAuthorizedException")
    handle = response.get("userHandle")
    if handle and _bytes(handle, "userHandle") != user_handle:
        raise Refusal("NotAuthorizedException", "The passkey belongs to another user.")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=data.challenge,
            expected_rp_id=rp_id,
            expected_origin=data.origin,
            credential_public_key=base64url_to_bytes(passkey["public_key"]),
            credential_current_sign_count=passkey["sign_count"],
            require_user_verification=verification == "required",
        )
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError) as err:  # every malformed field
        raise Refusal("NotAuthorizedException", f"The passkey was refused: {err}") from err
    passkey["sign_count"] = verified.new_sign_count
    return passkey
