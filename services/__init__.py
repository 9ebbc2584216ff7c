"""The outside world: Cognito, the JWKS and token verification. No Flask here."""

from __future__ import annotations

import os
import random
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_RESETS: list[Callable[[], None]] = []  # every hook after_fork_in_child registered, for restart_process


def after_fork_in_child(owner: T, reset: Callable[[T], None]) -> None:
    """Run `reset(owner)` in every child process forked from now on, and on `restart_process()`, for as long as
    `owner` lives."""
    ref = weakref.ref(owner)

    def hook() -> None:
        target = ref()
        if target is not None:
            reset(target)

    os.register_at_fork(after_in_child=hook)
    _RESETS.append(hook)


def restart_process() -> None:
    """Do what a fork does for a child: every `after_fork_in_child` reset, and `random` seeded afresh.

    For a process restored from a snapshot (Lambda SnapStart): it resumes with the connections, locks and
    random state of the one that took the snapshot, which may be restored many times over, hours later.
    """
    random.seed()  # as Python does in a forked child; botocore's retry jitter draws from it
    for hook in tuple(_RESETS):
        hook()


def redis_client(where: Any) -> Any:
    """A client for REDIS_URL (a URL, or services/state/redis_connect.py's RedisTarget): that module's `connect`."""
    from services.state.redis_connect import connect

    return connect(where)


def redis_answers(client: Callable[[], Any]) -> bool:
    """Whether the Redis behind `client()` answers a ping (any failure means: it does not)."""
    try:
        return bool(client().ping())
    except Exception:  # refused, timed out, misconfigured: not available
        return False
