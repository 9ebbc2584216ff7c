"""Cognito's threat protection: who is really signing in, added to every Cognito call that takes it.

Threat protection (Plus plan) judges a sign-in by the user's address and device. Called from this server,
every call would look like it comes from the server, so each call whose input (botocore's service model)
has `UserContextData` (the public calls: SignUp, InitiateAuth, RespondToAuthChallenge, ForgotPassword, ...)
or `ContextData` (AdminInitiateAuth, AdminRespondToAuthChallenge) is given the request's `ThreatContext`.

One botocore hook on the client, not a parameter at each call site: every call made now or added later is
covered, and a call whose input lacks both members (botocore would refuse them) is given nothing. The
context is asked for only when such a call is made, so a route that calls no Cognito pays nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MEMBERS = ("UserContextData", "ContextData")
_MEMBER_OF: dict[str, str | None] = {}  # operation name -> its member (one service model per process)


@dataclass(frozen=True)
class ThreatContext:
    """What the request tells of the user: already bounded and cleaned by whoever built it."""

    ip_address: str
    server_name: str = ""
    server_path: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    encoded_data: str | None = None  # the advanced-security script's output, when the front end sent it

    def user_context_data(self) -> dict[str, str]:
        """`UserContextData` of the public calls: the address and the device data."""
        data = {"IpAddress": self.ip_address}
        if self.encoded_data:
            data["EncodedData"] = self.encoded_data
        return data

    def context_data(self) -> dict[str, Any]:
        """`ContextData` of the admin calls: the address, this server's name and path, and the headers."""
        data: dict[str, Any] = {
            "IpAddress": self.ip_address,
            "ServerName": self.server_name,
            "ServerPath": self.server_path,
            "HttpHeaders": [{"headerName": name, "headerValue": value} for name, value in self.headers],
        }
        if self.encoded_data:
            data["EncodedData"] = self.encoded_data
        return data


Provider = Callable[[], ThreatContext | None]  # the request's context, or None outside one


def add_threat_context(client: Any, provider: Provider) -> None:
    """Give every call of the boto3 `cognito-idp` client that takes it the context `provider()` returns."""
    # The client's own event emitter: the hook runs for its calls only, before botocore checks the parameters.
    client.meta.events.register("before-parameter-build.cognito-identity-provider", functools.partial(_add, provider))


def _member(model: Any) -> str | None:
    """Which of MEMBERS the operation's input has, if any (looked up once per operation)."""
    if model.name not in _MEMBER_OF:
        members = model.input_shape.members if model.input_shape is not None else {}
        _MEMBER_OF[model.name] = next((name for name in MEMBERS if name in members), None)
    return _MEMBER_OF[model.name]


def _add(provider: Provider, params: dict[str, Any], model: Any, **_: Any) -> None:
    member = _member(model)
    if member is None or member in params:  # a call site that sets its own context keeps it
        return
    context = provider()
    if context is None:  # no request (a background call): nothing to tell
        return
    params[member] = context.user_context_data() if member == "UserContextData" else context.context_data()
