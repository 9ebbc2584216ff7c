"""The generic layer of token verification: a compact JWS read strictly, and its RS256 signature checked.

Nothing here knows Cognito: that policy (issuers, token types, clients, times) is services/tokens.py,
which sits between `read` and `check_signature` so every cheap check runs before the RSA operation.
"""

from __future__ import annotations

import binascii
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from errors import TokenError
from services import strictjson

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
_MAX_HEADERS_REMEMBERED = 32

# What `read` hands to `check_signature`: the token, as bytes, translated for the base64 decoder, where
# its dots are, and its kid. A plain tuple: the path is hot.
Signed = tuple[str, bytes, bytes, int, int, str]


class CompactJws:
    """Reads `header.payload.signature` tokens signed with RS256, refusing every other spelling."""

    def __init__(self) -> None:
        self._kids: dict[str, str] = {}  # header segments already seen with a good signature -> their kid

    def read(self, token: Any) -> tuple[str, dict[str, Any], Signed]:
        """The header's `kid`, the payload (a JSON object), and what `check_signature` needs."""
        if not isinstance(token, str) or not token:
            raise TokenError("token is missing")
        if len(token) > MAX_TOKEN_CHARS:
            raise TokenError("token is too large")
        if not token.isascii() or token.count(".") != 2:
            raise TokenError("token is not a JWS in compact form")
        # Translated once for binascii's strict base64 decoder; the dots stay put.
        encoded = token.encode("ascii")
        translated = encoded.translate(_FROM_B64URL)
        first, second = token.index("."), token.rindex(".")
        kid = self._kids.get(token[:first])
        if kid is None:
            kid = _check_header(_decode_json(token, translated, 0, first, "header"))
        payload = _decode_json(token, translated, first + 1, second, "payload")
        return kid, payload, (token, encoded, translated, first, second, kid)

    def check_signature(self, signed: Signed, key: Any) -> None:
        """The RS256 signature over `header.payload`, by `key`; remembers a header that proved good."""
        token, encoded, translated, first, second, kid = signed
        signature = _b64decode(token, translated, second + 1, len(token), "signature")
        if len(signature) != key.key_size // 8:
            raise TokenError("token signature is invalid")
        try:
            key.verify(signature, encoded[:second], _PKCS1V15, _SHA256)
        except InvalidSignature:
            raise TokenError("token signature is invalid") from None
        if len(self._kids) < _MAX_HEADERS_REMEMBERED:
            self._kids[token[:first]] = kid


def _check_header(header: dict[str, Any]) -> str:
    if header.get("alg") != "RS256":
        raise TokenError("token algorithm must be RS256")
    if "crit" in header:
        raise TokenError("token names critical extensions this server does not support")
    kid = header.get("kid")
    if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_CHARS:
        raise TokenError("token key id is missing or malformed")
    return kid


def _b64decode(token: str, translated: bytes, start: int, end: int, what: str) -> bytes:
    """Decode token[start:end] as unpadded base64url, strictly: only its alphabet, one spelling per value."""
    remainder = (end - start) % 4
    try:
        data = binascii.a2b_base64(translated[start:end] + _PADDING[remainder], strict_mode=True)
    except binascii.Error:
        raise TokenError(f"token {what} is not base64url") from None
    if not data or _B64URL_VALUE[token[end - 1]] & _UNUSED_BITS.get(remainder, 0):
        raise TokenError(f"token {what} is not canonical base64url")
    return data


def _decode_json(token: str, translated: bytes, start: int, end: int, what: str) -> dict[str, Any]:
    try:
        value = strictjson.loads_exact(_b64decode(token, translated, start, end, what))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise TokenError(f"token {what} is not a JSON object") from None
    if not isinstance(value, dict):
        raise TokenError(f"token {what} is not a JSON object")
    return value
