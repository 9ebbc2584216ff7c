"""The gateway's settings: the sign-in portal (/auth/sign-in: its name and logo, the factors it offers, sign-up),
the per-route policy file /auth/check applies, and the signed identity it hands the app."""

from __future__ import annotations

import os
from dataclasses import dataclass

from config_areas import _boolean, _split, setting
from pool_settings import is_url as _is_url

# The portal's first factors: `password` (a form), `email_code` and `sms_code` (USER_AUTH's one-time codes)
# and `passkey` (USER_AUTH's WEB_AUTHN, the page's only script). The last three need ALLOW_USER_AUTH on the
# app client; only `password` is on by default, since that is all a client allows unless told otherwise.
PORTAL_FACTORS = ("password", "email_code", "sms_code", "passkey")
LOGO_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
LOGO_MAX_BYTES = 256 * 1024


def _is_logo(path: str) -> bool:
    extension = os.path.splitext(path)[1].lower()
    return extension in LOGO_TYPES and os.path.isfile(path) and os.path.getsize(path) <= LOGO_MAX_BYTES


@dataclass(frozen=True)
class Portal:
    """The sign-in portal: its title and logo, its first factors, and whether it offers sign-up."""

    portal_title: str = setting(
        "PORTAL_TITLE", "Sign in", check=lambda v: 0 < len(v) <= 80, must="be 1 to 80 characters"
    )
    portal_logo: str | None = setting(
        "PORTAL_LOGO", check=_is_logo, must="name a readable .png, .svg or .jpg file of at most 256 KiB"
    )
    portal_factors: tuple[str, ...] = setting(
        "PORTAL_FACTORS",
        ("password",),
        lambda v: tuple(dict.fromkeys(_split(v))),
        lambda factors: bool(factors) and set(factors) <= set(PORTAL_FACTORS),
        f"list one or more of {', '.join(PORTAL_FACTORS)}",
    )
    # Off by default: a portal in front of internal apps rarely lets anyone sign up.
    sign_up_enabled: bool = setting("SIGN_UP_ENABLED", False, lambda v: _boolean(v))


@dataclass(frozen=True)
class Assertion:
    """The signed identity /auth/check hands the app (X-Auth-Request-Assertion): its keys and its issuer."""

    assertion_key_file: str | None = setting("ASSERTION_KEY_FILE")  # an EC P-256 PEM private key: it signs
    # Keys of a rotation: published at /.well-known/jwks.json beside the current one, never signing.
    assertion_previous_key_files: tuple[str, ...] = setting(
        "ASSERTION_KEY_FILE_PREVIOUS", (), lambda v: tuple(_split(v))
    )
    assertion_issuer: str | None = setting("ASSERTION_ISSUER", check=_is_url, must="be this server's public URL")


@dataclass(frozen=True)
class RoutePolicy:
    """/auth/check's per-route policy file."""

    # YAML; read and checked by middleware/route_policy.py at start-up (a mistake stops it, naming the line).
    policy_file: str | None = setting("POLICY_FILE")
