"""A bulkhead around Cognito: at most N calls in flight per process, and no waiting in line for long.

When Cognito is slow, every call holds a worker thread for its whole timeout. Without a bound, a burst of
sign-ins takes every thread and requests that need no Cognito call at all (a token check on /hello) wait
behind them. With it, the calls beyond N get a 503 at once, and the other threads stay free.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from errors import CognitoBusy
from services.common import metrics


class Bulkhead:
    """`slots` concurrent holders; a caller who finds none free within `wait` seconds is refused."""

    def __init__(self, slots: int, wait: float) -> None:
        self.slots, self.wait = slots, wait
        self._free = threading.BoundedSemaphore(slots)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the duration; raise CognitoBusy (503) when none frees up in time."""
        if not self._free.acquire(timeout=self.wait):
            metrics.bulkhead_refused()
            raise CognitoBusy()
        try:
            yield
        finally:
            self._free.release()


class BoundedClient:
    """A boto3 client whose every operation holds one of the bulkhead's slots while it runs (retries included).

    Everything else (`meta`, `exceptions`, as botocore's Stubber uses them) is the client's own.
    """

    def __init__(self, client: Any, bulkhead: Bulkhead) -> None:
        self._client, self._bulkhead = client, bulkhead

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name.startswith("_") or not callable(attribute) or name in ("meta", "exceptions"):
            return attribute
        return self._bounded(self._client.meta.method_to_api_mapping.get(name, name), attribute)

    def _bounded(self, name: str, operation: Callable[..., Any]) -> Callable[..., Any]:

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._bulkhead.slot(), metrics.cognito_call(name, self._error_codes):
                return operation(*args, **kwargs)

        return call

    def _error_codes(self) -> frozenset[str]:
        """The error codes Cognito's service model names: the only ones a metric's label may carry."""
        return frozenset(shape.name for shape in self._client.meta.service_model.error_shapes)
