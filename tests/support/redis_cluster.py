"""A real Redis Cluster (three primaries, three replicas) and a real Sentinel setup (a primary, a replica, one
sentinel), each on free loopback ports, started by the test from Debian's redis-server and redis-cli, nothing
saved to disk, stopped at the end."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.support.servers import free_port

HOST = "127.0.0.1"
MASTER = "mymaster"


def _binary(name: str) -> str:
    found = shutil.which(name) or f"/usr/bin/{name}"
    if not os.path.exists(found):
        pytest.fail(f"these tests need Debian's {name}: `make test` installs it", pytrace=False)
    return found


def until(check: Callable[[], Any], seconds: float = 20.0, what: str = "the Redis setup") -> Any:
    """Poll `check()` until it answers something true (connection errors count as not yet); that answer."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            answer = check()
            if answer:
                return answer
        except (redis.RedisError, OSError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} was not ready in {seconds} s")
        time.sleep(0.1)


class _Nodes:
    """redis-server processes in one temporary folder."""

    def __init__(self, prefix: str) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix=prefix)
        self.processes: dict[int, subprocess.Popen] = {}

    def start(self, port: int, *options: str) -> None:
        folder = Path(self.folder.name) / str(port)
        folder.mkdir(exist_ok=True)
        command = [_binary("redis-server"), *options, "--port", str(port), "--bind", HOST, "--dir", str(folder)]
        command += ["--save", "", "--appendonly", "no"]
        self.processes[port] = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        until(lambda: self.client(port).ping(), 10, f"redis-server on {port}")

    def client(self, port: int) -> redis.Redis:
        return redis.Redis(HOST, port, socket_timeout=5, socket_connect_timeout=0.5)

    def pause(self, port: int, paused: bool) -> None:
        """Stop (SIGSTOP) or resume a node: a replica that receives nothing and acknowledges nothing."""
        self.processes[port].send_signal(signal.SIGSTOP if paused else signal.SIGCONT)

    def close(self) -> None:
        for process in self.processes.values():
            process.send_signal(signal.SIGCONT)
            process.terminate()
        for process in self.processes.values():
            process.wait(timeout=10)
        self.folder.cleanup()


class RedisClusterNodes(_Nodes):
    """Three primaries with a replica each; `url` is a seed node's."""

    def __init__(self) -> None:
        super().__init__("redis-cluster-")
        try:
            self._create()
        except BaseException:
            self.close()
            raise

    def _create(self) -> None:
        self.ports = [free_port() for _ in range(6)]
        for port in self.ports:
            options = ["--cluster-enabled", "yes", "--cluster-config-file", f"nodes-{port}.conf"]
            self.start(port, *options, "--cluster-port", str(free_port()), "--cluster-node-timeout", "3000")
        nodes = [f"{HOST}:{port}" for port in self.ports]
        create = [_binary("redis-cli"), "--cluster", "create", *nodes, "--cluster-replicas", "1", "--cluster-yes"]
        subprocess.run(create, check=True, capture_output=True, timeout=60)
        until(self._settled, 30, "the cluster")
        self.url = f"redis://{HOST}:{self.ports[0]}/0"

    def _settled(self) -> bool:
        if not all(self.client(port).cluster("INFO")["cluster_state"] == "ok" for port in self.ports):
            return False
        return all(self.client(port).info("replication").get("master_link_status", "up") == "up" for port in self.ports)

    def primaries(self) -> list[int]:
        return [port for port in self.ports if self.client(port).info("replication")["role"] == "master"]

    def node_id(self, port: int) -> str:
        return self.client(port).execute_command("CLUSTER MYID").decode()

    def owner(self, key: str) -> int:
        """The port of the primary serving `key`'s slot (as the slot map says)."""
        slot = self.client(self.ports[0]).cluster("KEYSLOT", key)
        for start, end, primary, *_ in self.client(self.ports[0]).execute_command("CLUSTER SLOTS"):
            if start <= slot <= end:
                return int(primary[1])
        raise AssertionError(f"no node serves slot {slot}")

    def replica_of(self, primary: int) -> int:
        info = self.client(primary).info("replication")
        return int(info["slave0"]["port"])

    def flush(self) -> None:
        for port in self.primaries():
            self.client(port).flushall()

    def begin_migration(self, key: str) -> tuple[int, int, int]:
        """Mark `key`'s slot MIGRATING on its owner and IMPORTING on another primary: (slot, source, target).
        Keys already there are still served by the source; a key it lacks is answered ASK."""
        slot, source = self.client(self.ports[0]).cluster("KEYSLOT", key), self.owner(key)
        target = next(port for port in self.primaries() if port != source)
        self.client(target).execute_command("CLUSTER SETSLOT", slot, "IMPORTING", self.node_id(source))
        self.client(source).execute_command("CLUSTER SETSLOT", slot, "MIGRATING", self.node_id(target))
        return slot, source, target

    def finish_migration(self, slot: int, source: int, target: int) -> None:
        """MIGRATE the slot's keys to the target and give it the slot: from now on, MOVED."""
        while keys := self.client(source).execute_command("CLUSTER GETKEYSINSLOT", slot, 100):
            self.client(source).execute_command("MIGRATE", HOST, target, "", 0, 5000, "KEYS", *keys)
        target_id = self.node_id(target)
        for port in (target, source, *self.primaries()):
            self.client(port).execute_command("CLUSTER SETSLOT", slot, "NODE", target_id)

    def migrate(self, key: str) -> int:
        """Move `key`'s slot to another primary, whole; the new owner's port."""
        slot, source, target = self.begin_migration(key)
        self.finish_migration(slot, source, target)
        return target


class SentinelNodes(_Nodes):
    """A primary, its replica and one sentinel watching them as `mymaster`."""

    def __init__(self) -> None:
        super().__init__("redis-sentinel-")
        try:
            self._create()
        except BaseException:
            self.close()
            raise

    def _create(self) -> None:
        self.primary, self.replica, self.sentinel = free_port(), free_port(), free_port()
        self.start(self.primary)
        self.start(self.replica, "--replicaof", HOST, str(self.primary))
        config = Path(self.folder.name) / "sentinel.conf"  # Sentinel rewrites its file: one of its own
        config.write_text(
            f"port {self.sentinel}\nbind {HOST}\ndir {self.folder.name}\n"
            f"sentinel monitor {MASTER} {HOST} {self.primary} 1\n"
            f"sentinel down-after-milliseconds {MASTER} 2000\nsentinel failover-timeout {MASTER} 10000\n"
        )
        command = [_binary("redis-server"), str(config), "--sentinel"]
        self.processes[self.sentinel] = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        until(lambda: self.client(self.replica).info("replication")["master_link_status"] == "up", 20)
        until(self._replica_known, 20, "the sentinel's view of the replica")

    def _replica_known(self) -> bool:
        replicas = self.client(self.sentinel).sentinel_slaves(MASTER)
        return any(not replica["is_sdown"] and replica["master-link-status"] == "ok" for replica in replicas)

    def master_port(self) -> int:
        _, port = self.client(self.sentinel).execute_command("SENTINEL GET-MASTER-ADDR-BY-NAME", MASTER)
        return int(port)

    def failover(self) -> int:
        """SENTINEL FAILOVER, then wait until the sentinel names the new primary and it takes writes: its port."""
        old = self.master_port()
        self.client(self.sentinel).execute_command("SENTINEL FAILOVER", MASTER)
        new: int = until(lambda: self.master_port() != old and self.master_port(), 30, "the failover")
        until(lambda: self.client(new).info("replication")["role"] == "master", 30, "the new primary")
        return new
