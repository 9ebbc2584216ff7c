"""Gunicorn with the production configuration: a malformed chunk size is a 400 in the API's shape on every
route that reads a body, never a 500 with a traceback."""

from __future__ import annotations

import json
import socket

import pytest

from tests.support.servers import pool_env

# Every route declared with body=...: (path, needs a bearer token, which the check runs before the body).
BODY_ROUTES = [
    ("/auth/register", False),
    ("/auth/confirm", False),
    ("/auth/login", False),
    ("/auth/challenge", False),
    ("/auth/validate", False),
    ("/auth/resend-code", False),
    ("/auth/forgot-password", False),
    ("/auth/reset-password", False),
    ("/auth/refresh", False),
    ("/auth/change-password", True),
    ("/auth/logout", True),
    ("/auth/mfa/totp/verify", True),
]
CHUNK_SIZES = [b"ZZ", b"-1", b"0x10"]
pytestmark = [pytest.mark.subprocess]


def post_chunked(port: int, path: str, size: bytes, token: str | None) -> tuple[int, dict]:
    """POST a chunked body whose first chunk size is `size`; the status and JSON body of the answer."""
    auth = f"Authorization: Bearer {token}\r\n".encode() if token else b""
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode()
    request = head + auth + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + size + b"\r\n{}\r\n0\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head_bytes, _, body = answer.partition(b"\r\n\r\n")
    return int(head_bytes.split()[1]), json.loads(body) if body.startswith(b"{") else {"raw": body[:200]}


def test_a_malformed_chunk_size_is_400_on_every_body_route_under_gunicorn(pool, jwks_host, minter, serve_gunicorn):
    limits = {f"RATE_LIMIT_{name}": "1000/minute" for name in ("REGISTER", "CONFIRM", "LOGIN", "LOGIN_USERNAME")}
    env = pool_env(pool, COGNITO_JWKS_URL=jwks_host.url, **limits)
    server = serve_gunicorn(env, "-c", "deploy/gunicorn.conf.py")
    token = minter.token()
    answers = {}
    try:
        for path, needs_token in BODY_ROUTES:
            for size in CHUNK_SIZES:
                answers[path, size] = post_chunked(server.port, path, size, token if needs_token else None)
    finally:
        output = server.stop()
    wrong = {key: answer for key, answer in answers.items() if answer[0] != 400 or answer[1].get("error") is None}
    assert not wrong, (wrong, output[-3000:])
    assert all(set(body) == {"error", "message"} for _, body in answers.values())
    assert "Traceback" not in output, output[-3000:]
