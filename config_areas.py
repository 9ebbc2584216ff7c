"""The settings, declared once each by area: a frozen dataclass of `setting(...)` fields per area.

`config.Settings` joins the areas and checks what depends on several settings; each field names its
environment variable, how the text is read, its default and its check.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from limits import parse_many

from pool_settings import CLIENT_ID as _CLIENT_ID
from pool_settings import (
    DEFAULT_ALB_KEY_URL,
    PoolSettings,
    is_app_url,
    is_fetchable,
    is_origin,
    read_alb_arns,
    read_pools,
)
from pool_settings import is_url as _is_url

TOKEN_USES = frozenset({"id", "access"})
REGISTRATION_MODES = ("self", "auto_confirm", "admin")
LOGIN_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH")
# Cognito's patterns: a scope (`openid`, `<resource server>/<scope>`), an identity provider's name.
_SCOPE = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]{1,256}$")
_PROVIDER = re.compile(r"^[^\x00-\x1f\x7f,]{1,32}$")
_REDIRECT_HOST = re.compile(r"^\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$")


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
class Pool:
    """The primary pool, its app clients and the tokens accepted from it; CORS."""

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


@dataclass(frozen=True)
class BrowserSessions:
    """Browser sessions: where a sign-in may return to, how long a session lasts, how often it is rechecked."""

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


@dataclass(frozen=True)
class ManagedLogin:
    """Managed login: the pool's domain, the redirect and logout URIs, the scopes and identity providers."""

    # Managed login (the OAuth 2.0 code flow with PKCE at the pool's domain): off unless COGNITO_DOMAIN is set.
    # The redirect (callback) and logout URIs must be among the app client's CallbackURLs and LogoutURLs; unset,
    # they are this server's own as each request names it (set them in production: behind a proxy that ends
    # TLS, the request's scheme is http).
    cognito_domain: str | None = setting(
        "COGNITO_DOMAIN",
        read=lambda v: v.rstrip("/"),
        check=lambda v: is_origin(v),
        must="be https://<prefix>.auth.<region>.amazoncognito.com or a custom https domain (http only on loopback)",
    )
    oauth_redirect_uri: str | None = setting(
        "OAUTH_REDIRECT_URI", check=lambda v: is_app_url(v), must="be this server's https URL of /auth/oauth/callback"
    )
    oauth_logout_uri: str | None = setting(
        "OAUTH_LOGOUT_URI", check=lambda v: is_app_url(v), must="be an https URL (http only on loopback)"
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


@dataclass(frozen=True)
class Server:
    """The server: its port, its time for Cognito and the JWKS, the sign-in page and flows, caches, limits, logs."""

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
    # The per-route policy file of /auth/check (YAML; read and checked by middleware/route_policy.py at start-up).
    policy_file: str | None = setting("POLICY_FILE")


@dataclass(frozen=True)
class SharedState:
    """State shared between workers and instances: Redis, or a SQLite file per host."""

    # Shared state for several instances: the rate-limit counters, the names of users and the revocation list.
    redis_url: str | None = setting(
        "REDIS_URL", check=lambda v: urlsplit(v).scheme in ("redis", "rediss", "unix"), must="be a redis:// URL"
    )
    # Without REDIS_URL, the workers of one host share sign-outs and failed-attempt counts in a SQLite file
    # here (default: a private folder under the system's temporary directory; `python server.py`: .local-cognito/).
    shared_state_dir: str = setting("SHARED_STATE_DIR", "")


@dataclass(frozen=True)
class RateLimits:
    """Rate limits, per client address (and per username for sign-ins)."""

    rate_limit_register: str = setting("RATE_LIMIT_REGISTER", "10/minute", check=_is_rate, must="look like '10/minute'")
    rate_limit_confirm: str = setting("RATE_LIMIT_CONFIRM", "10/minute", check=_is_rate, must="look like '10/minute'")
    rate_limit_login: str = setting("RATE_LIMIT_LOGIN", "30/minute", check=_is_rate, must="look like '30/minute'")
    rate_limit_login_username: str = setting(
        "RATE_LIMIT_LOGIN_USERNAME", "5/minute", check=_is_rate, must="look like '5/minute'"
    )
    rate_limit_validate: str = setting(
        "RATE_LIMIT_VALIDATE", "300/minute", check=_is_rate, must="look like '300/minute'"
    )


@dataclass(frozen=True)
class MorePools:
    """More pools whose tokens are accepted, and the load balancers whose tokens are believed."""

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


@dataclass(frozen=True)
class Metrics:
    """/metrics: whether it is served, and to whom."""

    # /metrics: off unless asked for, and then only to these client networks (after TRUSTED_PROXIES).
    metrics_enabled: bool = setting("METRICS_ENABLED", False, lambda v: _boolean(v))
    metrics_allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = setting(
        "METRICS_ALLOWED_NETWORKS",
        (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")),
        lambda v: tuple(ipaddress.ip_network(part, strict=False) for part in _split(v)),
    )
