"""Test helpers: a scripted local HTTP server and a token minter using the emulator's public key."""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import hmac
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import moto.cognitoidp

from cognito_emulator.emulator import last_code

# Everything the emulator signs uses this key; its private half ships inside moto.
_MOTO_RESOURCES = os.path.join(os.path.dirname(moto.cognitoidp.__file__), "resources")
with gzip.open(os.path.join(_MOTO_RESOURCES, "jwks-private.json.gz")) as _file:
    EMULATOR_PRIVATE_JWK: dict[str, Any] = json.load(_file)

Reply = tuple[int, dict[str, str], bytes]
PASSWORD = "Passw0rd!"  # meets the test pools' password policy
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class ScriptedServer:
    """A loopback HTTP server whose answer is whatever `reply(request)` returns; counts requests."""

    def __init__(self, reply: Callable[[Request], Reply], port: int = 0) -> None:
        self.reply = reply
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.requests.append((self.command, self.path))
                request = Request(self.command, self.path, dict(self.headers.items()), body)
                status, headers, payload = server.reply(request)
                self.send_response(status)
                for name, value in {"Content-Length": str(len(payload)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first (timeout tests)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_port}"
        # A short poll: stop() waits up to one poll for the loop to notice (the default 0.5 s, per test, adds up).
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def json_reply(status: int, document: Any, headers: dict[str, str] | None = None) -> Reply:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(document).encode()


def cognito_error(code: str, status: int = 400, message: str = "scripted") -> Reply:
    """A reply in Cognito's JSON protocol error format, as botocore parses it."""
    return (
        status,
        {"Content-Type": "application/x-amz-json-1.1"},
        json.dumps({"__type": code, "message": message}).encode(),
    )


def bearer(token: str) -> dict[str, str]:
    """The Authorization header carrying `token`."""
    return {"Authorization": f"Bearer {token}"}


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238: HMAC-SHA1 over the 30-second step, 6 digits."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, int((at or time.time()) // 30).to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(int.from_bytes(digest[offset : offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


def next_totp(secret: str) -> str:
    """The code of the next 30-second step: taken now (Cognito's ±1 step), and not the one just used (a TOTP code is
    taken once)."""
    return totp(secret, time.time() + 30)


def steady_totp(secret: str) -> str:
    """`totp(secret)` still valid two seconds on: the emulator takes the current 30-second step's code only."""
    if time.time() % 30 > 28:
        time.sleep(30 - time.time() % 30)
    return totp(secret)


def b64url(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class JwksHost:
    """Serves a JWKS document (or a scripted fault) over HTTP and counts the fetches."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.fault: Callable[[], Reply] | None = None
        self.delay = 0.0
        self.server = ScriptedServer(self._reply)
        self.url = f"{self.server.url}/jwks.json"

    def _reply(self, request: Request) -> Reply:
        time.sleep(self.delay)
        return self.fault() if self.fault else json_reply(200, self.document)

    @property
    def fetches(self) -> int:
        return len(self.server.requests)


def public_jwk(private_key: Any, kid: str) -> dict[str, Any]:
    """The public JWK of an RSA private key, as a JWKS publishes it."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


@functools.cache
def emulator_private_key() -> Any:
    """The emulator's signing key, parsed once (about 60 ms each time: the JWK's primes are recovered)."""
    return jwt.PyJWK(EMULATOR_PRIVATE_JWK).key


class Minter:
    """Makes tokens shaped like Cognito's for one pool, signed with the emulator's key unless told otherwise."""

    def __init__(self, issuer: str, client_id: str) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.key = emulator_private_key()

    def claims(self, kind: str = "access", **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": "0f3c1d2e-0000-4000-8000-000000000001",
            "token_use": kind,
            "iat": now,
            "auth_time": now,
            "exp": now + 3600,
            "jti": str(uuid.uuid4()),  # every token distinct, as Cognito's are
            "origin_jti": str(uuid.uuid4()),
        }
        if kind == "id":
            claims.update({"aud": self.client_id, "cognito:username": "minted", "email": "minted@example.com"})
        else:
            claims.update({"client_id": self.client_id, "username": "minted", "scope": "aws.cognito.signin.user.admin"})
        for name, value in overrides.items():
            if value is DROP:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def signed(self, header: Any, payload: Any, *, key: Any = None, alg: str = "RS256") -> str:
        """A token from any header and payload (dict, raw JSON text or bytes, or a Segment), properly signed."""
        signing_input = f"{_segment(header)}.{_segment(payload)}"
        signature = jwt.get_algorithm_by_name(alg).sign(signing_input.encode(), key or self.key)
        return f"{signing_input}.{b64url(signature)}"

    def header(self, **overrides: Any) -> dict[str, Any]:
        return {"alg": "RS256", "kid": EMULATOR_PRIVATE_JWK["kid"], **overrides}

    def token(
        self, kind: str = "access", *, headers: dict[str, Any] | None = None, key: Any = None, **claims: Any
    ) -> str:
        """An RS256 token with Cognito's claims, `claims` overriding them (DROP removes one)."""
        header = {"kid": EMULATOR_PRIVATE_JWK["kid"], **(headers or {})}
        return jwt.encode(self.claims(kind, **claims), key or self.key, algorithm="RS256", headers=header)


DROP = object()


class Segment(str):
    """A token segment given exactly as it must appear (already base64url, canonical or not)."""


def _segment(part: Any) -> str:
    if isinstance(part, Segment):
        return part
    if isinstance(part, dict | list):
        return b64url(json.dumps(part))
    return b64url(part)


class Users:
    """Common steps through the API: register, confirm and log in."""

    def __init__(self, client) -> None:
        self.client = client

    def register(self, username: str = "alice", password: str = PASSWORD, email: str | None = None):
        body = {"username": username, "email": email or f"{username}@example.com", "password": password}
        return self.client.post("/auth/register", json=body)

    def confirm(self, username: str = "alice", code: str | None = None):
        """ConfirmSignUp through the API with the code the emulator sent (or `code`)."""
        code = code or last_code(username) or "no code was sent"
        return self.client.post("/auth/confirm", json={"username": username, "code": code})

    def login(self, username: str = "alice", password: str = PASSWORD):
        return self.client.post("/auth/login", json={"username": username, "password": password})

    def tokens(self, username: str = "alice") -> dict[str, Any]:
        """Register, confirm and log in; return the login response body."""
        assert self.register(username).status_code == 201
        assert self.confirm(username).status_code == 200
        response = self.login(username)
        assert response.status_code == 200, response.json
        return response.json
