"""API Gateway events for the Lambda handler, and reading its answers."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from config import Settings
from tests.support.helpers import PASSWORD

ENV = {spec.name: spec.metadata["env"] for spec in fields(Settings)}


ALICE = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}


def event(shape: str, method: str = "GET", path: str = "/health", *, headers=None, body=None, encode=False) -> dict:
    """The fixture of `shape` with the method, path, extra headers and body (JSON; base64 with `encode`) given."""
    request = json.loads((EVENTS / f"{shape}.json").read_text())
    headers = dict(headers or {})
    if body is not None:
        headers["Content-Type"] = "application/json"
        raw = json.dumps(body).encode()
        request["body"] = base64.b64encode(raw).decode() if encode else raw.decode()
        request["isBase64Encoded"] = encode
    if shape == "rest-api-v1":
        request.update(path=path, httpMethod=method, pathParameters={"proxy": path.lstrip("/")})
        request["requestContext"].update(path=f"/prod{path}", httpMethod=method)
        request["headers"].update(headers)
        request["multiValueHeaders"].update({name: [value] for name, value in headers.items()})
    elif shape == "alb":
        request.update(path=path, httpMethod=method)
        request["headers"].update({name.lower(): value for name, value in headers.items()})
    else:  # payload 2.0 (HTTP API, function URL): header names arrive in lower case
        request["rawPath"] = path
        request["requestContext"]["http"].update(method=method, path=path)
        request["headers"].update({name.lower(): value for name, value in headers.items()})
    return request


def read(response: dict) -> Answer:
    """A Lambda response of any of the shapes, read back."""
    if "multiValueHeaders" in response:
        headers = {name.lower(): ", ".join(values) for name, values in response["multiValueHeaders"].items()}
    else:
        headers = {name.lower(): value for name, value in response["headers"].items()}
    body = base64.b64decode(response["body"]) if response["isBase64Encoded"] else response["body"].encode()
    return Answer(response["statusCode"], headers, json.loads(body) if body else None)


EVENTS = Path(__file__).resolve().parent.parent / "events"  # tests/events


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    json: Any
