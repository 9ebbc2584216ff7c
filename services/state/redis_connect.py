"""The Redis client behind every piece of shared state, and the write a failover cannot lose.

Three kinds of deployment (docs/deployment.md): one Redis at REDIS_URL; a Redis Cluster (ElastiCache cluster
mode) reached through REDIS_URL as its seed node (REDIS_CLUSTER); a primary found through Sentinel
(REDIS_SENTINELS, REDIS_SENTINEL_MASTER; REDIS_URL then gives only the scheme, credentials and database).
`rediss://` is TLS in all three, for the sentinels too; its query options (`ssl_cert_reqs`, `ssl_ca_certs`, ...)
are passed to redis-py as they are.

In a cluster a command or script with several keys works only if they all hash to one slot. None here has
several: each script (attempts.py's count, session_leases.py's release) is given its one key in KEYS and
builds none; the aliases' pipeline is not a transaction (the cluster client sends each SET to its node); a
sign-out's WAIT goes with its SET (below). A step that ever needs several keys must hash-tag them alike
(`auth:x:{<id>}` and `auth:y:{<id>}`).

`replicated_set` writes a sign-out so that a failover cannot lose it: WAIT for REDIS_MIN_REPLICAS replicas
on the very connection, and in a cluster on the very node, that wrote it (WAIT counts the writes of its own
connection; redis-py's cluster client would send a bare WAIT to its default node).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)
CONNECT_SECONDS, READ_SECONDS = 0.5, 0.5  # every shared-state call is short: a slow Redis is a down one


@dataclass(frozen=True)
class RedisTarget:
    """Where the shared state lives and how sure a sign-out's write must be (config: REDIS_*)."""

    url: str
    cluster: bool = False
    sentinels: tuple[tuple[str, int], ...] = ()
    sentinel_master: str = ""
    wait_ms: int = 100
    min_replicas: int = 0  # 0: a sign-out does not wait for replicas

    def __bool__(self) -> bool:
        return bool(self.url)


Where = str | RedisTarget  # a bare URL: one Redis, no replica awaited


def target_of(where: Where) -> RedisTarget:
    """`where` as a RedisTarget (a bare URL: one Redis)."""
    return where if isinstance(where, RedisTarget) else RedisTarget(str(where))


def connection_options(target: RedisTarget) -> dict[str, Any]:
    """The keyword arguments of every connection: short timeouts (a sign-out's WAIT fits in), TLS as the URL says."""
    return {
        "socket_connect_timeout": CONNECT_SECONDS,
        "socket_timeout": READ_SECONDS + target.wait_ms / 1000 * (1 if target.min_replicas else 0),
    }


def connect(where: Where) -> Any:
    """A client of the Redis, Cluster or Sentinel-watched primary `where` names (redis is imported only now).

    A cluster's client reads the slot map from the seed at once, so this may raise while the cluster is down."""
    import redis

    target = target_of(where)
    options = connection_options(target)
    if target.cluster:
        from redis.cluster import RedisCluster

        return RedisCluster.from_url(target.url, **options)
    if target.sentinels:
        from redis.sentinel import Sentinel

        primary = _sentinel_kwargs(target.url)
        tls = {name: value for name, value in primary.items() if name == "ssl" or name.startswith("ssl_")}
        sentinel = Sentinel(list(target.sentinels), sentinel_kwargs={**options, **tls}, **options)  # type: ignore[no-untyped-call]
        return sentinel.master_for(target.sentinel_master, **primary)  # type: ignore[no-untyped-call]
    return redis.Redis.from_url(target.url, **options)


def _sentinel_kwargs(url: str) -> dict[str, Any]:
    """The URL's credentials, database and TLS options for the primary (its host and port come from Sentinel)."""
    from redis.connection import SSLConnection, parse_url

    kwargs: dict[str, Any] = parse_url(url)  # type: ignore[no-untyped-call]
    kwargs.pop("host", None), kwargs.pop("port", None)
    if kwargs.pop("connection_class", None) is SSLConnection:
        kwargs["ssl"] = True  # SentinelConnectionPool picks its TLS connection class from this flag
    return kwargs


def replicated_set(client: Any, target: RedisTarget, key: str, value: str, seconds: int) -> bool:
    """SET `key` (expiring in `seconds`); with `min_replicas`, then WAIT on the same connection of the key's
    node. Whether enough replicas confirmed it (True when none are asked for)."""
    if not target.min_replicas:
        client.set(key, value, ex=seconds)
        return True
    if not target.cluster:
        return _set_and_wait(client, target, key, value, seconds) >= target.min_replicas
    from redis.exceptions import AskError, MovedError

    node = client.get_node_from_key(key)
    for _ in range(3):  # the slot moved (MOVED), or is moving (ASK): follow it, as the cluster client does
        try:
            node_client = client.get_redis_connection(node)
            return _set_and_wait(node_client, target, key, value, seconds, asking=False) >= target.min_replicas
        except MovedError:
            client.nodes_manager.initialize()  # the slot map, read again
            node = client.get_node_from_key(key)
        except AskError as err:  # the key is on its way to another node: ASKING there, on the same connection
            ask_node = client.get_node(host=err.host, port=int(err.port))
            if ask_node is None:
                raise
            node_client = client.get_redis_connection(ask_node)
            return _set_and_wait(node_client, target, key, value, seconds, asking=True) >= target.min_replicas
    raise RuntimeError("the key's slot kept moving")


def _set_and_wait(client: Any, target: RedisTarget, key: str, value: str, seconds: int, *, asking: bool = False) -> int:
    """SET then WAIT in one pipeline without MULTI: one connection, and WAIT blocks (it would not in MULTI)."""
    with client.pipeline(transaction=False) as pipe:
        if asking:
            pipe.execute_command("ASKING")
        pipe.set(key, value, ex=seconds)
        pipe.wait(target.min_replicas, target.wait_ms)
        acknowledged: int = pipe.execute()[-1]
    return acknowledged
