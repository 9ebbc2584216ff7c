"""TOTP secrets as authenticator apps take them."""

from __future__ import annotations

from urllib.parse import quote


def totp_secret(secret: str, label: str, issuer: str) -> dict[str, str]:
    """The secret, also as an otpauth:// URI (Key URI format: `issuer:account` label, issuer parameter)."""
    account = quote(f"{issuer}:{label}", safe=":@")
    return {"secret": secret, "otpauth_uri": f"otpauth://totp/{account}?secret={secret}&issuer={quote(issuer)}"}
