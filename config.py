"""Settings: defaults, then the environment, then explicit overrides; types converted and checked once.

Each setting is declared once, as a field of `Settings`: its environment variable, how the text is read,
its default and its check. What depends on several settings (the pool id and the region, the JWKS URL)
is checked in `Settings.load`.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from limits import parse_many

from pool_settings import ANY_POOL_ID as _ANY_POOL_ID
from pool_settings import CLIENT_ID as _CLIENT_ID
from pool_settings import (
    DEFAULT_ALB_KEY_URL,
    PoolSettings,
    SettingError,
    alb_region,
    aws_issuer,
    is_fetchable,
    is_loopback_url,
    read_alb_arns,
    read_pools,
)
from pool_settings import POOL_ID as _POOL_ID
from pool_settings import REGION as _REGION
from pool_settings import is_url as _is_url

TOKEN_USES = frozenset({"id", "access"})
REGISTRATION_MODES = ("self", "auto_confirm", "admin")
LOGIN_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH")
# Cognito's patterns: a scope (`openid`, `<resource server>/<scope>`), an identity provider's name.
_SCOPE = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]{1,256}$")
_PROVIDER = re.compile(r"^[^\x00-\x1f\x7f,]{1,32}$")
_REDIRECT_HOST = re.compile(r"^\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _boolean(value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)


def _is_rate(value: str) -> bool:
    try:
        return bool(parse_many(value))
    except ValueError:
        return False


def _is_app_url(value: str) -> bool:
    """An absolute https URL with no fragment (plain http only on loopback, for local runs)."""
    parts = urlsplit(value)
    secure = parts.scheme == "https" or (parts.scheme == "http" and is_loopback_url(value))
    return _is_url(value) and secure and not parts.fragment and not parts.username and not parts.password


def _is_origin(value: str) -> bool:
    """An app URL with nothing after the host (and port): where /oauth2/authorize and /logout are."""
    parts = urlsplit(value)
    return _is_app_url(value) and not parts.path and not parts.query and not value.endswith("?")


def setting(
    env: str,
    default: Any = None,
    read: Callable[[str], Any] = str,
    check: Callable[[Any], bool] | None = None,
    must: str = "",
    *,
    secret: bool = False,
) -> Any:
    """A field of Settings: read from `env` with `read`; `check(value)` false stops start-up: '{env} must {must}'."""
    metadata = {"env": env, "read": read, "check": check, "must": must}
    return field(default=default, repr=not secret, metadata=metadata)


@dataclass(frozen=True)
class Settings:
    user_pool_id: str = setting("COGNITO_USER_POOL_ID")
    client_id: str = setting("COGNITO_CLIENT_ID")
    region: str = setting("COGNITO_REGION")
    client_secret: str | None = setting("COGNITO_CLIENT_SECRET", secret=True)  # never printed
    accepted_client_ids: frozenset[str] = setting(
        "COGNITO_ACCEPTED_CLIENT_IDS",
        frozenset(),
        lambda v: frozenset(_split(v)),
        lambda ids: all(_CLIENT_ID.match(client) for client in ids),
        "list app client ids",
    )
    endpoint_url: str | None = setting("COGNITO_ENDPOINT_URL", check=_is_url, must="be a URL")
    issuer_override: str | None = setting(
        "COGNITO_ISSUER", check=_is_url, must="be the exact issuer URL, such as 'http://localhost:9229/local_AbC123'"
    )
    jwks_url: str = setting("COGNITO_JWKS_URL", "")
    token_leeway: float = setting("TOKEN_LEEWAY_SECONDS", 5.0, float, lambda v: 0 <= v <= 300, "be 0 to 300")
    accepted_token_uses: frozenset[str] = setting(
        "ACCEPTED_TOKEN_USES",
        TOKEN_USES,
        lambda v: frozenset(_split(v)),
        lambda v: bool(v) and v <= TOKEN_USES,
        "name 'id', 'access' or both",
    )
    cors_origins: tuple[str, ...] = setting("CORS_ORIGINS", ("*",), lambda v: tuple(_split(v)))
    # Browser sessions (a cookie; the tokens stay on the server): where a sign-in may send the browser back to
    # (an exact host, `.example.com` for it and its subdomains; `host:port` for that port only), and how long
    # a session may last at most (Cognito's refresh tokens live 30 days by default).
    session_redirect_hosts: tuple[str, ...] = setting(
        "SESSION_REDIRECT_HOSTS",
        (),
        lambda v: tuple(host.lower() for host in _split(v)),
        lambda hosts: all(_REDIRECT_HOST.match(host) for host in hosts),
        "list hosts such as 'app.example.com', '.example.com' or 'localhost:8080'",
    )
    session_lifetime: float = setting(
        "SESSION_LIFETIME_SECONDS", 30 * 86400.0, float, lambda v: 60 <= v <= 3650 * 86400, "be 60 s to 10 years"
    )
    # How often a session asks Cognito about its user (GetUser): a disabled, deleted or signed-out user's session
    # ends at the next check. 0: never (a session then lasts while its refresh token does).
    session_recheck: float = setting(
        "SESSION_RECHECK_SECONDS", 300.0, float, lambda v: 0 <= v <= 86400, "be 0 (off) to 86400 seconds"
    )
    # Managed login (the OAuth 2.0 code flow with PKCE at the pool's domain): off unless COGNITO_DOMAIN is set.
    # The redirect (callback) and logout URIs must be among the app client's CallbackURLs and LogoutURLs; unset,
    # they are this server's own as each request names it (set them in production: behind a proxy that ends
    # TLS, the request's scheme is http).
    cognito_domain: str | None = setting(
        "COGNITO_DOMAIN",
        read=lambda v: v.rstrip("/"),
        check=lambda v: _is_origin(v),
        must="be https://<prefix>.auth.<region>.amazoncognito.com or a custom https domain (http only on loopback)",
    )
    oauth_redirect_uri: str | None = setting(
        "OAUTH_REDIRECT_URI", check=lambda v: _is_app_url(v), must="be this server's https URL of /auth/oauth/callback"
    )
    oauth_logout_uri: str | None = setting(
        "OAUTH_LOGOUT_URI", check=lambda v: _is_app_url(v), must="be an https URL (http only on loopback)"
    )
    oauth_scopes: tuple[str, ...] = setting(
        "OAUTH_SCOPES",
        ("openid", "email", "profile"),
        lambda v: tuple(dict.fromkeys(v.replace(",", " ").split())),
        lambda scopes: "openid" in scopes and all(_SCOPE.match(scope) for scope in scopes),
        "list scopes separated by spaces, 'openid' among them",
    )
    oauth_identity_providers: tuple[str, ...] = setting(
        "OAUTH_IDENTITY_PROVIDERS",
        (),
        lambda v: tuple(_split(v)),
        lambda names: all(_PROVIDER.match(name) for name in names),
        "list identity provider names (1 to 32 characters each) separated by commas",
    )
    port: int = setting("PORT", 5000, int, lambda v: 0 < v < 65536, "be a port number")
    cognito_timeout: float = setting("COGNITO_TIMEOUT_SECONDS", 3.0, float, lambda v: 0 < v <= 60, "be 0 to 60")
    cognito_budget: float = setting("COGNITO_BUDGET_SECONDS", 6.0, float, lambda v: 0 < v <= 120, "be 0 to 120")
    # Below the server's threads per process (gunicorn.conf.py: 16), so some are always free for token checks.
    cognito_max_calls: int = setting("COGNITO_MAX_CONCURRENT_CALLS", 8, int, lambda v: 1 <= v <= 256, "be 1 to 256")
    cognito_slot_wait: float = setting("COGNITO_SLOT_WAIT_SECONDS", 0.0, float, lambda v: 0 <= v <= 10, "be 0 to 10")
    jwks_timeout: float = setting("JWKS_TIMEOUT_SECONDS", 3.0, float, lambda v: 0 < v <= 60, "be 0 to 60")
    jwks_max_age: float = setting("JWKS_MAX_AGE_SECONDS", 3600.0, float, lambda v: v >= 0, "be 0 or more")
    jwks_refetch_cooldown: float = setting(
        "JWKS_REFETCH_COOLDOWN_SECONDS", 30.0, float, lambda v: v >= 0, "be 0 or more"
    )
    totp_issuer: str = setting("TOTP_ISSUER", "Cognito")
    # The sign-in page at `/`: on under `make run` (the emulator), off against a real pool unless asked for.
    demo_page: bool = setting("DEMO_PAGE", False, lambda v: _boolean(v))
    registration_mode: str = setting(
        "REGISTRATION_MODE", "self", check=REGISTRATION_MODES.__contains__, must=f"be one of {REGISTRATION_MODES}"
    )
    login_flow: str = setting(
        "LOGIN_FLOW", "USER_PASSWORD_AUTH", check=LOGIN_FLOWS.__contains__, must=f"be one of {LOGIN_FLOWS}"
    )
    token_cache_entries: int = setting("TOKEN_CACHE_MAX_ENTRIES", 4096, int, lambda v: v >= 0, "be 0 (off) or more")
    token_cache_bytes: int = setting("TOKEN_CACHE_MAX_BYTES", 16 * 1024 * 1024, int, lambda v: v >= 0, "be 0 or more")
    max_body_bytes: int = setting("MAX_BODY_BYTES", 16 * 1024, int, lambda v: 1024 <= v <= 1 << 20, "be 1 KiB to 1 MiB")
    log_format: str = setting("LOG_FORMAT", "text", check=("text", "json").__contains__, must="be 'text' or 'json'")
    trusted_proxies: int = setting("TRUSTED_PROXIES", 0, int, lambda v: 0 <= v <= 5, "be 0 to 5")
    # Shared state for several instances: the rate-limit counters, the names of users and the revocation list.
    redis_url: str | None = setting(
        "REDIS_URL", check=lambda v: urlsplit(v).scheme in ("redis", "rediss", "unix"), must="be a redis:// URL"
    )
    # Without REDIS_URL, the workers of one host share sign-outs and failed-attempt counts in a SQLite file
    # here (default: a private folder under the system's temporary directory; `python server.py`: .local-cognito/).
    shared_state_dir: str = setting("SHARED_STATE_DIR", "")
    rate_limit_register: str = setting("RATE_LIMIT_REGISTER", "10/minute", check=_is_rate, must="look like '10/minute'")
    rate_limit_confirm: str = setting("RATE_LIMIT_CONFIRM", "10/minute", check=_is_rate, must="look like '10/minute'")
    rate_limit_login: str = setting("RATE_LIMIT_LOGIN", "30/minute", check=_is_rate, must="look like '30/minute'")
    rate_limit_login_username: str = setting(
        "RATE_LIMIT_LOGIN_USERNAME", "5/minute", check=_is_rate, must="look like '5/minute'"
    )
    rate_limit_validate: str = setting(
        "RATE_LIMIT_VALIDATE", "300/minute", check=_is_rate, must="look like '300/minute'"
    )
    # Several pools and ALB tokens (pool_settings.py reads them): more pools whose tokens are
    # accepted, the load balancers whose `x-amzn-oidc-data` is believed, and where their keys are.
    additional_pools: tuple[PoolSettings, ...] = setting("COGNITO_ADDITIONAL_POOLS", (), read_pools)
    alb_arns: tuple[str, ...] = setting("ALB_ARNS", (), read_alb_arns)
    alb_key_url: str = setting(
        "ALB_KEY_URL",
        DEFAULT_ALB_KEY_URL,
        check=lambda v: "{kid}" in v and is_fetchable(v.replace("{region}", "r").replace("{kid}", "k")),
        must="be an https URL with '{kid}' (and optionally '{region}'); plain http only on loopback",
    )
    # /metrics: off unless asked for, and then only to these client networks (after TRUSTED_PROXIES).
    metrics_enabled: bool = setting("METRICS_ENABLED", False, lambda v: _boolean(v))
    metrics_allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = setting(
        "METRICS_ALLOWED_NETWORKS",
        (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")),
        lambda v: tuple(ipaddress.ip_network(part, strict=False) for part in _split(v)),
    )

    @property
    def issuer(self) -> str:
        """The pool's issuer: `COGNITO_ISSUER` when set, else AWS's original form (moto issues that too)."""
        return self.issuer_override or aws_issuer(self.region, self.user_pool_id)

    @property
    def issuers(self) -> frozenset[str]:
        """Every `iss` accepted from the primary pool: exactly `COGNITO_ISSUER`, or both of AWS's forms."""
        return self.pools[0].issuers

    @property
    def pools(self) -> tuple[PoolSettings, ...]:
        """Every pool whose tokens are accepted: the primary one (the sign-in endpoints') first."""
        primary = PoolSettings(self.user_pool_id, self.region, self.client_ids, self.issuer_override, self.jwks_url)
        return (primary, *self.additional_pools)

    @property
    def alb_keys_url(self) -> str:
        """ALB_KEY_URL with the load balancers' region filled in; `{kid}` stays for each key."""
        region = alb_region(self.alb_arns[0]) if self.alb_arns else ""
        return self.alb_key_url.replace("{region}", region)

    @property
    def client_ids(self) -> frozenset[str]:
        """App clients whose tokens are accepted: the server's own and `COGNITO_ACCEPTED_CLIENT_IDS`."""
        return self.accepted_client_ids | {self.client_id}

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
        _check_pool(values)
        settings = cls(**values)
        if not settings.jwks_url:
            settings = cls(**{**values, "jwks_url": f"{settings.issuer}/.well-known/jwks.json"})
        settings._check()
        return settings

    def _check(self) -> None:
        for spec in fields(self):
            value, check = getattr(self, spec.name), spec.metadata["check"]
            if check is not None and value is not None and not check(value):
                raise ConfigError(f"{spec.metadata['env']} must {spec.metadata['must']}")
        if not _CLIENT_ID.match(self.client_id):
            raise ConfigError("COGNITO_CLIENT_ID must be an app client id")
        if not is_fetchable(self.jwks_url):
            raise ConfigError("COGNITO_JWKS_URL must be https (plain http only on loopback, for the emulator)")
        ids = [pool.pool_id for pool in self.pools]
        repeated = next((pool_id for pool_id in ids if ids.count(pool_id) > 1), None)
        if repeated is not None:  # even with issuers told apart (COGNITO_ISSUER): /ready and `pool` name pools by id
            raise ConfigError(f"COGNITO_ADDITIONAL_POOLS: the pool {repeated!r} is the primary pool too")
        seen: dict[str, int] = {}
        for index, pool in enumerate(self.pools):
            for issuer in pool.issuers:
                if seen.setdefault(issuer, index) != index:
                    names = f"{self.pools[seen[issuer]].pool_id!r} and {pool.pool_id!r}"
                    raise ConfigError(f"COGNITO_ADDITIONAL_POOLS: pools {names} share an issuer")


def _check_pool(values: dict[str, Any]) -> None:
    """An AWS pool id names its region; another endpoint's (an emulator's) need not, but then the region is given."""
    match = _POOL_ID.match(values["user_pool_id"])
    if match:
        values.setdefault("region", match["region"])
        if values["region"] != match["region"]:
            raise ConfigError("COGNITO_REGION does not match the region in COGNITO_USER_POOL_ID")
        return
    if not values.get("endpoint_url"):
        raise ConfigError(
            "COGNITO_USER_POOL_ID must look like 'us-east-1_AbC123' (another form only with COGNITO_ENDPOINT_URL)"
        )
    if not _ANY_POOL_ID.match(values["user_pool_id"]):
        raise ConfigError("COGNITO_USER_POOL_ID must look like 'local_AbC123' (letters, digits, '-', one '_')")
    if not values.get("region"):
        raise ConfigError("COGNITO_REGION is required when the pool id does not name a region")
    if not _REGION.match(values["region"]):
        raise ConfigError("COGNITO_REGION must look like 'us-east-1'")


def _from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in fields(Settings):
        env = spec.metadata["env"]
        raw = environ.get(env, "").strip()
        if not raw:
            continue
        try:
            values[spec.name] = spec.metadata["read"](raw)
        except SettingError as err:
            raise ConfigError(f"{env} {err}") from None
        except ValueError:
            raise ConfigError(f"{env} has an invalid value: {raw!r}") from None
    return values
