"""The settings of shared state and limits: where workers and instances share state (Redis: one, a cluster or
through Sentinel; else a SQLite file per host), and the rate limits."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from limits import parse_many

from config_areas import _boolean, _split, setting


def _host_ports(value: str) -> tuple[tuple[str, int], ...]:
    """`host:port,host:port` (an IPv6 host in brackets) as pairs; a part without a port is refused."""
    pairs = []
    for part in _split(value):
        host, _, port = part.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(part)
        pairs.append((host.strip("[]"), int(port)))
    return tuple(pairs)


def _is_rate(value: str) -> bool:
    try:
        return bool(parse_many(value))
    except ValueError:
        return False


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
    # REDIS_URL as a Redis Cluster's seed node, or the primary found through Sentinel (docs/deployment.md).
    redis_cluster: bool = setting("REDIS_CLUSTER", False, lambda v: _boolean(v))
    redis_sentinels: tuple[tuple[str, int], ...] = setting("REDIS_SENTINELS", (), lambda v: _host_ports(v))
    redis_sentinel_master: str = setting("REDIS_SENTINEL_MASTER", "")
    # A sign-out waits this long for REDIS_MIN_REPLICAS replicas to confirm it (0 replicas: it does not wait).
    redis_wait_ms: int = setting("REDIS_WAIT_MS", 100, int, lambda v: 1 <= v <= 2000, "be 1 to 2000 (milliseconds)")
    redis_min_replicas: int = setting("REDIS_MIN_REPLICAS", 0, int, lambda v: 0 <= v <= 5, "be 0 to 5")


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
