"""The generic layer of token verification: a compact JWS read strictly, and its signature checked (RS256
for Cognito's tokens, ES256 for a load balancer's).

Nothing here knows Cognito: that policy (issuers, token types, clients, times) is services/tokens/verifier.py (and
services/tokens/alb.py for ALB tokens), which sits between `read` and `check_signature` so every cheap check runs
before the signature's.
"""

from __future__ import annotations

import binascii
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from errors import TokenAlgorithmRefused, TokenMalformed, TokenMissing, TokenSignatureInvalid
from services.common import strictjson

MAX_TOKEN_CHARS = 8 * 1024
MAX_KID_CHARS = 256
# base64url -> base64 for binascii's strict decoder; "+", "/" and "=" become invalid: only unpadded base64url passes.
_FROM_B64URL = bytes.maketrans(b"-_+/=", b"+/!!!")
_PADDING = (b"", b"", b"==", b"=")
_B64URL_VALUE = {
    char: index for index, char in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}
# Unpadded base64url of n bytes ends with 2 or 3 characters for the last 1 or 2 bytes; the bits of the
# last character beyond the data must be zero, or the same token would have several spellings.
_UNUSED_BITS = {2: 0b1111, 3: 0b11}
_PKCS1V15 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())
ALGORITHMS = ("RS256", "ES256")
_MAX_HEADERS_REMEMBERED = 32

# What `read` hands to `check_signature`: the token, as bytes, translated for the base64 decoder, where
# its dots are, and its header. A plain tuple: the path is hot.
Signed = tuple[str, bytes, bytes, int, int, dict[str, Any]]


class CompactJws:
    """Reads `header.payload.signature` tokens signed with `algorithm`, refusing every other spelling.

    `padded`: segments may end in `=` padding, exactly as much as their length needs (ALB sends it so).
    """

    def __init__(self, algorithm: str = "RS256", *, padded: bool = False) -> None:
        if algorithm not in ALGORITHMS:
            raise ValueError(f"unsupported algorithm {algorithm!r}")
        self.algorithm, self.padded = algorithm, padded
        # Header segments already seen with a good signature -> their header (never changed once read).
        self._headers: dict[str, dict[str, Any]] = {}

    def read(self, token: Any) -> tuple[dict[str, Any], dict[str, Any], Signed]:
        """The header (its `kid` checked), the payload (a JSON object), and what `check_signature` needs.

        The header is shared between reads of the same header segment: read it, never change it."""
        if not isinstance(token, str) or not token:
            raise TokenMissing("token is missing")
        if len(token) > MAX_TOKEN_CHARS:
            raise TokenMalformed("token is too large")
        if not token.isascii() or token.count(".") != 2:
            raise TokenMalformed("token is not a JWS in compact form")
        # Translated once for binascii's strict base64 decoder; the dots stay put.
        encoded = token.encode("ascii")
        translated = encoded.translate(_FROM_B64URL)
        first, second = token.index("."), token.rindex(".")
        header = self._headers.get(token[:first])
        if header is None:
            header = self._check_header(self._decode_json(token, translated, 0, first, "header"))
        payload = self._decode_json(token, translated, first + 1, second, "payload")
        return header, payload, (token, encoded, translated, first, second, header)

    def check_signature(self, signed: Signed, key: Any) -> None:
        """The signature over `header.payload`, by `key`; remembers a header that proved good."""
        token, encoded, translated, first, second, header = signed
        signature = self._b64decode(token, translated, second + 1, len(token), "signature")
        try:
            if self.algorithm == "RS256":
                if len(signature) != key.key_size // 8:
                    raise InvalidSignature
                key.verify(signature, encoded[:second], _PKCS1V15, _SHA256)
            else:  # ES256: the signature is r || s, 32 bytes each (RFC 7518 3.4), not DER
                if len(signature) != 64:
                    raise InvalidSignature
                r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
                key.verify(encode_dss_signature(r, s), encoded[:second], _ECDSA_SHA256)
        except InvalidSignature:
            raise TokenSignatureInvalid("token signature is invalid") from None
        if len(self._headers) < _MAX_HEADERS_REMEMBERED:
            self._headers[token[:first]] = header

    def _check_header(self, header: dict[str, Any]) -> dict[str, Any]:
        if header.get("alg") != self.algorithm:
            raise TokenAlgorithmRefused(f"token algorithm must be {self.algorithm}")
        if "crit" in header:
            raise TokenMalformed("token names critical extensions this server does not support")
        kid = header.get("kid")
        if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_CHARS:
            raise TokenMalformed("token key id is missing or malformed")
        return header

    def _b64decode(self, token: str, translated: bytes, start: int, end: int, what: str) -> bytes:
        if self.padded:
            end = _unpadded_end(token, start, end, what)
        return _b64decode(token, translated, start, end, what)

    def _decode_json(self, token: str, translated: bytes, start: int, end: int, what: str) -> dict[str, Any]:
        try:
            value = strictjson.loads_exact(self._b64decode(token, translated, start, end, what))
        except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise TokenMalformed(f"token {what} is not a JSON object") from None
        if not isinstance(value, dict):
            raise TokenMalformed(f"token {what} is not a JSON object")
        return value


def _unpadded_end(token: str, start: int, end: int, what: str) -> int:
    """Where token[start:end] ends without its `=` padding, which must be none or exactly what its length needs."""
    pad = len(token[start:end]) - len(token[start:end].rstrip("="))
    if pad and (pad > 2 or (end - pad - start) % 4 + pad != 4):
        raise TokenMalformed(f"token {what} is not base64url")
    return end - pad


def _b64decode(token: str, translated: bytes, start: int, end: int, what: str) -> bytes:
    """Decode token[start:end] as unpadded base64url, strictly: only its alphabet, one spelling per value."""
    remainder = (end - start) % 4
    try:
        data = binascii.a2b_base64(translated[start:end] + _PADDING[remainder], strict_mode=True)
    except binascii.Error:
        raise TokenMalformed(f"token {what} is not base64url") from None
    if not data or _B64URL_VALUE[token[end - 1]] & _UNUSED_BITS.get(remainder, 0):
        raise TokenMalformed(f"token {what} is not canonical base64url")
    return data
