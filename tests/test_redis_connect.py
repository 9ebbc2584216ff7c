"""services/state/redis_connect.py and the REDIS_* settings: start-up errors that name the setting, and TLS
(`rediss://`) reaching the client of each kind of deployment (no server needed: clients connect on use)."""

from __future__ import annotations

import pytest
from redis.cluster import NodesManager
from redis.connection import SSLConnection
from redis.sentinel import SentinelManagedSSLConnection

from config import ConfigError, Settings
from services.state.redis_connect import RedisTarget, connect

POOL = {"COGNITO_USER_POOL_ID": "us-east-1_AbC123", "COGNITO_CLIENT_ID": "a" * 26}


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"REDIS_CLUSTER": "true"}, "REDIS_CLUSTER needs REDIS_URL"),
        ({"REDIS_SENTINELS": "h:26379"}, "REDIS_SENTINELS and REDIS_SENTINEL_MASTER go together"),
        ({"REDIS_SENTINEL_MASTER": "m", "REDIS_URL": "redis://h"}, "go together"),
        ({"REDIS_SENTINELS": "h", "REDIS_SENTINEL_MASTER": "m"}, "REDIS_SENTINELS has an invalid value"),
        ({"REDIS_SENTINELS": "h:1", "REDIS_SENTINEL_MASTER": "m"}, "REDIS_SENTINELS needs REDIS_URL"),
        ({"REDIS_CLUSTER": "1", "REDIS_SENTINELS": "h:1", "REDIS_SENTINEL_MASTER": "m"}, "exclude each other"),
        ({"REDIS_CLUSTER": "yes", "REDIS_URL": "redis://h:6379/3"}, "database 0 only"),
        ({"REDIS_CLUSTER": "yes", "REDIS_URL": "unix:///tmp/r.sock"}, "redis:// or rediss://"),
        ({"REDIS_WAIT_MS": "0"}, "REDIS_WAIT_MS must be 1 to 2000"),
        ({"REDIS_MIN_REPLICAS": "-1"}, "REDIS_MIN_REPLICAS must be 0 to 5"),
    ],
)
def test_a_misconfigured_redis_stops_start_up_naming_the_setting(environ, message):
    with pytest.raises(ConfigError, match=message):
        Settings.load({**POOL, **environ})


def test_the_settings_read():
    environ = {"REDIS_URL": "rediss://h/0", "REDIS_SENTINELS": "a:26379, [::1]:26380", "REDIS_SENTINEL_MASTER": "m"}
    settings = Settings.load({**POOL, **environ, "REDIS_MIN_REPLICAS": "1", "REDIS_WAIT_MS": "250"})
    assert settings.redis_sentinels == (("a", 26379), ("::1", 26380))
    assert (settings.redis_min_replicas, settings.redis_wait_ms, settings.redis_cluster) == (1, 250, False)


def test_tls_reaches_a_single_redis_and_a_sentinel_primary_and_the_sentinels():
    single = connect("rediss://:secret@h:6380/0?ssl_cert_reqs=required&ssl_ca_certs=/ca.pem")
    assert single.connection_pool.connection_class is SSLConnection
    assert single.connection_pool.connection_kwargs["ssl_ca_certs"] == "/ca.pem"
    target = RedisTarget(
        "rediss://:secret@ignored/2?ssl_ca_certs=/ca.pem", sentinels=(("s", 26379),), sentinel_master="m"
    )
    primary = connect(target)
    assert primary.connection_pool.connection_class is SentinelManagedSSLConnection
    kwargs = primary.connection_pool.connection_kwargs
    assert (kwargs["password"], kwargs["db"], kwargs["ssl_ca_certs"]) == ("secret", 2, "/ca.pem")
    sentinel = primary.connection_pool.sentinel_manager.sentinels[0]
    assert sentinel.connection_pool.connection_class is SSLConnection  # the sentinels over TLS too
    plain = connect(RedisTarget("redis://ignored/0", sentinels=(("s", 26379),), sentinel_master="m"))
    assert plain.connection_pool.connection_class is not SentinelManagedSSLConnection


def test_tls_reaches_a_cluster_s_nodes(monkeypatch):
    seen: list[dict] = []

    def nodes_manager(self, startup_nodes, **kwargs):  # the options every node's connection gets; no seed asked
        seen.append(kwargs)
        raise LookupError("stopped before connecting")

    monkeypatch.setattr(NodesManager, "__init__", nodes_manager)
    with pytest.raises(LookupError):
        connect(RedisTarget("rediss://:secret@seed:6379/0?ssl_ca_certs=/ca.pem", cluster=True))
    (options,) = seen
    assert options["connection_class"] is SSLConnection  # TLS to every node, found from the seed too
    assert options["ssl_ca_certs"] == "/ca.pem" and options["password"] == "secret"
    assert options["socket_timeout"] >= 0.5 and options["socket_connect_timeout"] == 0.5
