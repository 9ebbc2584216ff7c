"""The request's threat-protection context (services/cognito/threat_context.py), read when a Cognito call needs it.

The address is `request.remote_addr`: the one the rate limits count, from `X-Forwarded-For` only through
`TRUSTED_PROXIES` (app.py's ProxyFix) or, on Lambda, the source AWS saw (lambda_function.py). The device
data is the front end's `X-Cognito-Context-Data` header (the output of Amplify's or Cognito's
advanced-security script), kept only when it is printable ASCII of at most 8 KiB; an odd one is dropped,
not refused, since the sign-in itself is still good. Only the headers named below are forwarded, so an
`Authorization`, a cookie or any other secret never leaves for Cognito.
"""

from __future__ import annotations

import ipaddress
import logging

from flask import has_request_context, request

from services.cognito.threat_context import ThreatContext

log = logging.getLogger(__name__)

ENCODED_DATA_HEADER = "X-Cognito-Context-Data"
MAX_ENCODED_DATA = 8192  # the script's output is a few KiB; gunicorn refuses a header over 8190 bytes anyway
MAX_VALUE = 1024  # a forwarded header, the server name or path: longer is dropped
# What tells about the device and is no secret (never Authorization, Cookie, X-CSRF-Token, or a proxy's own).
FORWARDED_HEADERS = (
    "User-Agent",
    "Accept",
    "Accept-Language",
    "Accept-Encoding",
    "Origin",
    "Sec-CH-UA",
    "Sec-CH-UA-Mobile",
    "Sec-CH-UA-Platform",
)
# Read straight from the WSGI environ: several times faster than `request.headers.get` for each name.
_ENVIRON_KEYS = tuple((name, "HTTP_" + name.upper().replace("-", "_")) for name in FORWARDED_HEADERS)
_ENCODED_DATA_KEY = "HTTP_" + ENCODED_DATA_HEADER.upper().replace("-", "_")


def request_threat_context() -> ThreatContext | None:
    """The current request's context, or None outside a request or without a usable client address."""
    if not has_request_context():
        return None
    address = request.remote_addr or ""
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    environ = request.environ
    forwarded = tuple((name, value) for name, key in _ENVIRON_KEYS if (value := environ.get(key)) and _clean(value))
    return ThreatContext(
        ip_address=address,
        server_name=_clean(request.host),
        server_path=_clean(request.path),
        headers=forwarded,
        encoded_data=_encoded_data(environ.get(_ENCODED_DATA_KEY)),
    )


def _clean(value: str) -> str:
    """`value` when it is printable ASCII (spaces too) of at most MAX_VALUE characters, else ""."""
    return value if len(value) <= MAX_VALUE and value.isascii() and value.isprintable() else ""


def _encoded_data(value: str | None) -> str | None:
    """The header's value when it is well-formed; absent, empty or odd, None."""
    if not value:
        return None
    if len(value) <= MAX_ENCODED_DATA and value.isascii() and value.isprintable() and " " not in value:
        return value
    log.info("%s dropped: not printable ASCII of at most %d characters", ENCODED_DATA_HEADER, MAX_ENCODED_DATA)
    return None
