"""The outside world: Cognito, the JWKS and token verification. No Flask here."""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def after_fork_in_child(owner: T, reset: Callable[[T], None]) -> None:
    """Run `reset(owner)` in every child process forked from now on, for as long as `owner` lives."""
    ref = weakref.ref(owner)

    def hook() -> None:
        target = ref()
        if target is not None:
            reset(target)

    os.register_at_fork(after_in_child=hook)
