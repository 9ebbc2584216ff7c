"""Settings: defaults, then the environment, then explicit overrides; types converted and checked once.

Each setting is declared once, as a field of one area of `Settings` (config_areas.py): its environment
variable, how the text is read, its default and its check. What depends on several settings (the pool id
and the region, the JWKS URL) is checked in `Settings.load`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from config_areas import (
    BrowserSessions,
    ManagedLogin,
    Metrics,
    MorePools,
    Pool,
    Server,
)
from config_gateway import Assertion, Portal, RoutePolicy
from config_state import RateLimits, SharedState
from pool_settings import ANY_POOL_ID as _ANY_POOL_ID
from pool_settings import CLIENT_ID as _CLIENT_ID
from pool_settings import POOL_ID as _POOL_ID
from pool_settings import REGION as _REGION
from pool_settings import (
    PoolSettings,
    SettingError,
    alb_region,
    aws_issuer,
    is_fetchable,
)


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


# The areas' fields follow in the order of their classes from the last base to the first (dataclass order):
# the primary pool's first, /metrics' last.
@dataclass(frozen=True)
class Settings(
    RoutePolicy,
    Portal,
    Metrics,
    Assertion,
    MorePools,
    RateLimits,
    SharedState,
    Server,
    ManagedLogin,
    BrowserSessions,
    Pool,
):
    """Every setting, by area (config_areas.py), and what depends on several of them."""

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
        self._check_redis()
        ids = [pool.pool_id for pool in self.pools]
        repeated = next((pool_id for pool_id in ids if ids.count(pool_id) > 1), None)
        if repeated is not None:  # even with issuers told apart (COGNITO_ISSUER): /ready and `pool` name pools by id
            raise ConfigError(f"COGNITO_ADDITIONAL_POOLS: the pool {repeated!r} is the primary pool too")
        if self.assertion_key_file and not self.assertion_issuer:
            raise ConfigError(
                "ASSERTION_ISSUER (this server's public URL, the assertions' `iss`) is required with ASSERTION_KEY_FILE"
            )
        if self.assertion_previous_key_files and not self.assertion_key_file:
            raise ConfigError("ASSERTION_KEY_FILE_PREVIOUS is published beside ASSERTION_KEY_FILE: set that too")
        seen: dict[str, int] = {}
        for index, pool in enumerate(self.pools):
            for issuer in pool.issuers:
                if seen.setdefault(issuer, index) != index:
                    names = f"{self.pools[seen[issuer]].pool_id!r} and {pool.pool_id!r}"
                    raise ConfigError(f"COGNITO_ADDITIONAL_POOLS: pools {names} share an issuer")

    def _check_redis(self) -> None:
        """Cluster or Sentinel: each with REDIS_URL (TLS, credentials), never both (docs/deployment.md)."""
        url = urlsplit(self.redis_url or "")
        if self.redis_cluster and self.redis_sentinels:
            raise ConfigError("REDIS_CLUSTER and REDIS_SENTINELS exclude each other: a cluster has no Sentinel")
        if bool(self.redis_sentinels) != bool(self.redis_sentinel_master):
            raise ConfigError("REDIS_SENTINELS and REDIS_SENTINEL_MASTER go together (the sentinels and the name)")
        if (self.redis_cluster or self.redis_sentinels) and url.scheme not in ("redis", "rediss"):
            which = "REDIS_CLUSTER" if self.redis_cluster else "REDIS_SENTINELS"
            raise ConfigError(f"{which} needs REDIS_URL, redis:// or rediss:// (its TLS and credentials)")
        if self.redis_cluster and url.path.strip("/") not in ("", "0"):
            raise ConfigError("REDIS_URL: a Redis Cluster has database 0 only (REDIS_CLUSTER is set)")


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
