"""Fixtures that start the server for a test (`python server.py`, or gunicorn) and stop it when the test, or the
module, is done: loaded for every test module by tests/conftest.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.servers import ServerProcess, gunicorn


def _serving(starter: Callable[..., ServerProcess] = ServerProcess) -> Iterator[Callable[..., ServerProcess]]:
    started: list[ServerProcess] = []

    def start(*args: Any, **options: Any) -> ServerProcess:
        server = starter(*args, **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def serve() -> Iterator[Callable[..., ServerProcess]]:
    """`serve(env, **options)`: `python server.py` as `make run` starts it (or `command=`) on a free loopback
    port, waited for, and stopped when the test ends; `server.stop()` sooner returns what it printed."""
    yield from _serving()


@pytest.fixture(scope="module")
def serve_module() -> Iterator[Callable[..., ServerProcess]]:
    """`serve` for a module's fixture: the server is stopped when the module's tests are done."""
    yield from _serving()


@pytest.fixture
def serve_gunicorn() -> Iterator[Callable[..., ServerProcess]]:
    """`serve_gunicorn(env, *options, workers=2)`: `gunicorn server:app` on a free loopback port, every worker
    up, stopped when the test ends (tests/support/servers.py gunicorn)."""
    yield from _serving(gunicorn)


@pytest.fixture(scope="module")
def serve_gunicorn_module() -> Iterator[Callable[..., ServerProcess]]:
    """`serve_gunicorn` for a module's fixture: stopped when the module's tests are done."""
    yield from _serving(gunicorn)
