"""Rate limits: attempts per client address on the /auth endpoints, and guesses per user.

Both count before the request is served (services/state/attempts.py), so concurrent requests cannot slip past a
count made afterwards. Limits are settings ("10/minute", or several: "10/minute;100/hour"), read from the
app's Settings. A route without a limit (/health, /hello) pays nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import request
from limits import parse_many

import errors
from extensions import services
from services.state.attempts import retry_after

F = TypeVar("F", bound=Callable[..., Any])
# The answers that mean "that password or code was wrong": the guess stays counted. Any other outcome (a
# success, Cognito unreachable, a malformed request) tested nothing and is given back.
WRONG_GUESS = (errors.NotAuthorized, errors.IncorrectPassword, errors.CodeMismatch, errors.ExpiredCode)


@functools.lru_cache(maxsize=64)
def _windows(limit: str) -> tuple[tuple[int, float], ...]:
    """ "10/minute;100/hour" -> ((10, 60.0), (100, 3600.0))."""
    return tuple((item.amount, float(item.get_expiry())) for item in parse_many(limit))


@contextmanager
def _counted(key: str, setting: str, refusal: type[errors.TooManyRequests]) -> Iterator[list[tuple[str, str, str]]]:
    """Count one attempt under `key` in every window of the setting's limit, or refuse with 429."""
    app_services = services()
    attempts = app_services.attempts
    tickets: list[tuple[str, str, str]] = []
    for amount, seconds in _windows(getattr(app_services.settings, setting)):
        ticket, wait = attempts.take(f"{key}:{amount}/{seconds:g}", amount, seconds)
        if ticket is None:
            for taken in tickets:  # refused: the other windows' counts are given back
                attempts.give_back(taken)
            raise refusal(headers={"Retry-After": retry_after(wait)})
        tickets.append(ticket)
    yield tickets


def per_client(setting: str) -> Callable[[F], F]:
    """Limit a route per client address by the named setting, e.g. "10/minute"."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _counted(f"client:{request.endpoint}:{request.remote_addr}", setting, errors.TooManyRequests):
                return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


@contextmanager
def guessing(name: str) -> Iterator[None]:
    """Count a guess at the password or code of the user `name` (username, email or sub: one bucket per user)
    before Cognito checks it; it is given back unless the answer says the guess was wrong."""
    attempts = services().attempts
    with _counted(f"guess:{attempts.user_of(name)}", "rate_limit_login_username", errors.TooManyGuesses) as tickets:
        try:
            yield
        except WRONG_GUESS:
            raise
        except BaseException:
            for ticket in tickets:
                attempts.give_back(ticket)
            raise
        for ticket in tickets:
            attempts.give_back(ticket)


def learn_names(names: set[str], user: str) -> None:
    """After a sign-in that proved the password: every name it used or its tokens carry is `user`."""
    services().attempts.alias(names, user)
