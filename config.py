"""Settings: defaults, then the environment, then explicit overrides; types converted and checked once."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from limits import parse_many

TOKEN_USES = frozenset({"id", "access"})
REGISTRATION_MODES = ("self", "auto_confirm", "admin")
LOGIN_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH")
_POOL_ID = re.compile(r"^(?P<region>[a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+$")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    user_pool_id: str
    client_id: str
    region: str
    client_secret: str | None = field(default=None, repr=False)  # never printed
    endpoint_url: str | None = None
    jwks_url: str = ""
    token_leeway: float = 5.0
    accepted_token_uses: frozenset[str] = TOKEN_USES
    cors_origins: tuple[str, ...] = ("*",)
    port: int = 5000
    cognito_timeout: float = 5.0
    jwks_timeout: float = 3.0
    jwks_max_age: float = 3600.0
    jwks_refetch_cooldown: float = 30.0
    totp_issuer: str = "Cognito"
    registration_mode: str = "self"
    login_flow: str = "USER_PASSWORD_AUTH"
    token_cache_entries: int = 4096
    token_cache_bytes: int = 16 * 1024 * 1024
    max_body_bytes: int = 16 * 1024
    log_format: str = "text"
    trusted_proxies: int = 0
    rate_limit_storage_uri: str = "memory://"
    rate_limit_register: str = "10/minute"
    rate_limit_confirm: str = "10/minute"
    rate_limit_login: str = "30/minute"
    rate_limit_login_username: str = "5/minute"
    rate_limit_validate: str = "300/minute"

    @property
    def issuer(self) -> str:
        """The `iss` every token of this pool carries (the AWS form, also under the emulator)."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None) -> Settings:
        """Build settings from the environment, with `overrides` (already typed) taking precedence."""
        values = _from_environ(os.environ if environ is None else environ)
        values.update(overrides or {})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        for name, env in (("user_pool_id", "COGNITO_USER_POOL_ID"), ("client_id", "COGNITO_CLIENT_ID")):
            if not values.get(name):
                raise ConfigError(f"{env} is required (no user pool is configured)")
        match = _POOL_ID.match(values["user_pool_id"])
        if not match:
            raise ConfigError("COGNITO_USER_POOL_ID must look like 'us-east-1_AbC123'")
        values.setdefault("region", match["region"])
        if values["region"] != match["region"]:
            raise ConfigError("COGNITO_REGION does not match the region in COGNITO_USER_POOL_ID")
        settings = cls(**values)
        if not settings.jwks_url:
            settings = cls(**{**values, "jwks_url": f"{settings.issuer}/.well-known/jwks.json"})
        settings._check()
        return settings

    def _check(self) -> None:
        if not self.accepted_token_uses or not self.accepted_token_uses <= TOKEN_USES:
            raise ConfigError("ACCEPTED_TOKEN_USES must name 'id', 'access' or both")
        if not 0 <= self.token_leeway <= 300:
            raise ConfigError("TOKEN_LEEWAY_SECONDS must be between 0 and 300")
        if self.log_format not in ("text", "json"):
            raise ConfigError("LOG_FORMAT must be 'text' or 'json'")
        if self.registration_mode not in REGISTRATION_MODES:
            raise ConfigError(f"REGISTRATION_MODE must be one of {', '.join(REGISTRATION_MODES)}")
        if self.login_flow not in LOGIN_FLOWS:
            raise ConfigError(f"LOGIN_FLOW must be one of {', '.join(LOGIN_FLOWS)}")
        if self.token_cache_entries < 0 or self.token_cache_bytes < 0:
            raise ConfigError("TOKEN_CACHE_MAX_ENTRIES and TOKEN_CACHE_MAX_BYTES must be 0 (off) or more")
        if not 0 <= self.trusted_proxies <= 5:
            raise ConfigError("TRUSTED_PROXIES must be between 0 and 5")
        for name in ("register", "confirm", "login", "login_username", "validate"):
            try:
                parse_many(getattr(self, f"rate_limit_{name}"))
            except ValueError:
                raise ConfigError(f"RATE_LIMIT_{name.upper()} must look like '10/minute'") from None
        scheme = urlsplit(self.jwks_url).scheme
        if scheme != "https" and not (scheme == "http" and is_loopback_url(self.jwks_url)):
            raise ConfigError("COGNITO_JWKS_URL must be https (plain http only on loopback, for the emulator)")


def is_loopback_url(url: str) -> bool:
    """True when the URL's host is localhost or a loopback address."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# (environment variable, setting, converter)
_ENVIRONMENT = (
    ("COGNITO_USER_POOL_ID", "user_pool_id", str),
    ("COGNITO_CLIENT_ID", "client_id", str),
    ("COGNITO_CLIENT_SECRET", "client_secret", str),
    ("COGNITO_REGION", "region", str),
    ("COGNITO_ENDPOINT_URL", "endpoint_url", str),
    ("COGNITO_JWKS_URL", "jwks_url", str),
    ("TOKEN_LEEWAY_SECONDS", "token_leeway", float),
    ("ACCEPTED_TOKEN_USES", "accepted_token_uses", lambda v: frozenset(_split(v))),
    ("CORS_ORIGINS", "cors_origins", lambda v: tuple(_split(v))),
    ("PORT", "port", int),
    ("COGNITO_TIMEOUT_SECONDS", "cognito_timeout", float),
    ("JWKS_TIMEOUT_SECONDS", "jwks_timeout", float),
    ("JWKS_MAX_AGE_SECONDS", "jwks_max_age", float),
    ("JWKS_REFETCH_COOLDOWN_SECONDS", "jwks_refetch_cooldown", float),
    ("TOTP_ISSUER", "totp_issuer", str),
    ("REGISTRATION_MODE", "registration_mode", str),
    ("LOGIN_FLOW", "login_flow", str),
    ("TOKEN_CACHE_MAX_ENTRIES", "token_cache_entries", int),
    ("TOKEN_CACHE_MAX_BYTES", "token_cache_bytes", int),
    ("LOG_FORMAT", "log_format", str),
    ("TRUSTED_PROXIES", "trusted_proxies", int),
    ("RATE_LIMIT_STORAGE_URI", "rate_limit_storage_uri", str),
    ("RATE_LIMIT_REGISTER", "rate_limit_register", str),
    ("RATE_LIMIT_CONFIRM", "rate_limit_confirm", str),
    ("RATE_LIMIT_LOGIN", "rate_limit_login", str),
    ("RATE_LIMIT_LOGIN_USERNAME", "rate_limit_login_username", str),
    ("RATE_LIMIT_VALIDATE", "rate_limit_validate", str),
)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for env, name, convert in _ENVIRONMENT:
        raw = environ.get(env, "").strip()
        if not raw:
            continue
        try:
            values[name] = convert(raw)
        except ValueError:
            raise ConfigError(f"{env} has an invalid value: {raw!r}") from None
    return values
