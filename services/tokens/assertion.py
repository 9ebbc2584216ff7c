"""The signed identity `/auth/check` hands the app (`X-Auth-Request-Assertion`): a short-lived ES256 JWT.

The upstream cannot tell an identity header from this server from one a client slipped past the proxy; a
signature it checks against `/.well-known/jwks.json` it can. The keys are EC P-256 PEM files: the current one
signs, the previous ones (during a rotation) are only published. An assertion is signed once per (credential,
audience, issuer) and handed out again for a few seconds, so its `exp` is always at most LIFETIME after its
`iat` and at least LIFETIME - REUSE after the moment it is handed out.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

LIFETIME = 60  # seconds from iat to exp: the bound, and a replayed copy is soon worthless
REUSE = 5.0  # seconds one signed assertion is handed out again for the same credential and audience
_CACHE_ENTRIES = 4096  # past this many, the cache starts over (a burst of distinct tokens: signed afresh)


class KeyFileError(ValueError):
    """A key file cannot be read as an EC P-256 key; the message says which and why (never the key)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The key as a JWK, `kid` its RFC 7638 thumbprint (SHA-256 of the required members, in order, no spaces)."""
    numbers = key.public_numbers()
    members = {
        "crv": "P-256",
        "kty": "EC",
        "x": _b64(numbers.x.to_bytes(32, "big")),
        "y": _b64(numbers.y.to_bytes(32, "big")),
    }
    thumbprint = hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest()
    return {**members, "kid": _b64(thumbprint), "use": "sig", "alg": "ES256"}


def read_key(path: str, *, private: bool) -> ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey:
    """An EC P-256 key from a PEM file: a private key, or (`private=False`) a private or a public one."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as err:
        raise KeyFileError(f"{path!r} cannot be read ({err.strerror})") from None
    key: Any
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, NotImplementedError):
        key = None
        if not private:
            try:
                key = serialization.load_pem_public_key(data)
            except (ValueError, TypeError, NotImplementedError):
                key = None
    if key is None:
        kind = "an unencrypted PEM private key" if private else "a PEM key (private or public)"
        raise KeyFileError(f"{path!r} is not {kind}")
    if not isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise KeyFileError(f"{path!r} is not an EC P-256 key (ES256)")
    return key


def write_new_key(path: str) -> None:
    """A new EC P-256 private key in `path` (PKCS#8 PEM), readable by its owner only."""
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)


@dataclass(frozen=True)
class Identity:
    """Who the assertion is about: what `/auth/check` already established."""

    sub: str
    username: str | None
    email: str | None  # a verified one only
    groups: tuple[str, ...]
    auth_time: int | None
    client_id: str | None = None  # a machine's token
    expires: int | None = None  # the credential's own exp: an assertion never outlives it


class Signer:
    """Signs assertions with the current key; publishes it and the previous ones as a JWKS."""

    def __init__(self, key_file: str, previous_files: Iterable[str] = ()) -> None:
        key = read_key(key_file, private=True)
        assert isinstance(key, ec.EllipticCurvePrivateKey)  # read_key(private=True) answers nothing else
        self._key = key
        current = public_jwk(key.public_key())
        jwks = [current]
        for path in previous_files:
            jwk = public_jwk(_public(read_key(path, private=False)))
            if all(jwk["kid"] != seen["kid"] for seen in jwks):
                jwks.append(jwk)
        self.kid = current["kid"]
        self.jwks_json = json.dumps({"keys": jwks}, separators=(",", ":")).encode()
        header = {"alg": "ES256", "kid": self.kid, "typ": "JWT"}
        self._header = _b64(json.dumps(header, separators=(",", ":")).encode()) + "."
        self._cache: dict[tuple[str, str, str], tuple[float, str]] = {}
        self._lock = threading.Lock()

    def assertion(
        self, credential: str, identity: Callable[[], Identity], audience: str, issuer: str, now: float | None = None
    ) -> str:
        """The signed assertion for `identity()` at `audience`: the one signed for the same credential less than
        REUSE seconds ago, else a new one (`identity` is called only then: most checks reuse one)."""
        now = time.time() if now is None else now
        key = (credential, audience, issuer)
        cached = self._cache.get(key)
        if cached is not None and 0 <= now - cached[0] < REUSE:
            return cached[1]
        token = self.sign(_claims(identity(), audience, issuer, int(now)))
        with self._lock:
            if len(self._cache) >= _CACHE_ENTRIES:
                self._cache.clear()
            self._cache[key] = (now, token)
        return token

    def sign(self, claims: Mapping[str, Any]) -> str:
        """`claims` as an ES256 JWT under the current key (the signature as JWS wants it: r and s, 32 bytes each)."""
        signing_input = self._header + _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
        r, s = decode_dss_signature(self._key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256())))
        return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _public(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> ec.EllipticCurvePublicKey:
    return key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key


def _claims(identity: Identity, audience: str, issuer: str, now: int) -> dict[str, Any]:
    claims: dict[str, Any] = {"iss": issuer, "aud": audience, "sub": identity.sub}
    if identity.username is not None:
        claims["username"] = identity.username
    if identity.email is not None:
        claims["email"] = identity.email
    claims["groups"] = list(identity.groups)
    if identity.client_id is not None:
        claims["client_id"] = identity.client_id
    if identity.auth_time is not None:
        claims["auth_time"] = identity.auth_time
    expires = now + LIFETIME if identity.expires is None else min(now + LIFETIME, identity.expires)
    claims.update(iat=now, exp=expires)
    return claims


def signer(key_file: str | None, previous_files: Sequence[str]) -> Signer | None:
    """The signer of ASSERTION_KEY_FILE (and ASSERTION_KEY_FILE_PREVIOUS), or None when no key is configured."""
    return Signer(key_file, previous_files) if key_file else None
