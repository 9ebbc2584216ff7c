"""Hostile HTTP against a real server: log lines that cannot be forged or leak a token, chunked bodies over
the limit refused without holding the connection, and readiness that says what is missing."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from app import create_app
from middleware.requestlog import loggable
from tests.support.helpers import json_reply

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImR1bW15In0.eyJzdWIiOiJhbGljZSIsInRva2VuX3VzZSI6ImFjY2VzcyJ9.c2lnbmF0dXJl"


@pytest.fixture(scope="module")
def server(serve_module):
    return serve_module()


def raw(server, request: bytes, *, wait: float = 5) -> bytes:
    """Send bytes as they are; return everything the server answers until it closes or `wait` passes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as sock:
        sock.sendall(request)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except TimeoutError:
            pass
    return answer


@pytest.mark.subprocess
def test_a_newline_in_the_path_cannot_forge_a_log_line(server):
    raw(server, b"GET /hello%0a2026-01-01%20INFO%20request:%20GET%20/forged%20200 HTTP/1.1\r\nHost: x\r\n\r\n", wait=1)
    lines = [line for line in server.output().splitlines() if "forged" in line]
    assert len(lines) == 1 and "\\u000a" in lines[0], lines  # one line, the newline escaped
    assert not any(line.startswith("2026-01-01") for line in server.output().splitlines())


@pytest.mark.subprocess
def test_a_token_in_the_url_path_is_never_logged(server):
    requests.get(f"{server.url}/hello/{JWT}", timeout=5)
    requests.get(f"{server.url}/auth/validate/x.{JWT}.y", timeout=5)
    output = server.output()
    assert JWT not in output and JWT.split(".")[1] not in output
    assert "/hello/[token]" in output


@pytest.mark.parametrize("text", ["/a\rb", "/a\x1bb", "/a\u2028b", "/a\x85b"])
def test_every_control_character_is_escaped(text):
    assert loggable(text).isprintable() and "\\u" in loggable(text)


@pytest.mark.subprocess
def test_a_chunked_body_over_the_limit_is_413_and_the_connection_is_let_go(server):
    head = (
        b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b'{"username": "' + b"a" * 20000 + b'"'
    started = time.monotonic()
    # The client never finishes its body: the server must answer and close rather than wait for the rest.
    answer = raw(server, head + b"%x\r\n" % len(chunk) + chunk + b"\r\n", wait=10)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"error":"request_entity_too_large"' in answer.replace(b" ", b"")
    assert time.monotonic() - started < 5  # closed by the server, not by the test's own timeout


@pytest.mark.subprocess
def test_a_content_length_over_the_limit_is_413_and_closes(server):
    head = b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    started = time.monotonic()
    answer = raw(server, head + b"{", wait=10)
    assert answer.startswith(b"HTTP/1.1 413") and time.monotonic() - started < 5


@pytest.mark.slow  # sleeps or waits out timeouts: seconds
def test_readiness_is_503_without_signing_keys_then_recovers_while_liveness_stays_200(pool, jwks_host):
    client = create_app({**pool, "jwks_url": jwks_host.url, "jwks_max_age": 0}).test_client()
    jwks_host.fault = lambda: json_reply(500, {})
    not_ready = client.get("/ready")
    assert not_ready.status_code == 503
    assert not_ready.json["error"] == "service_unavailable"
    assert not_ready.json["checks"] == {"signing_keys": "unavailable"}
    assert int(not_ready.headers["Retry-After"]) > 0
    assert client.get("/health").status_code == 200
    jwks_host.fault = None
    time.sleep(2.1)  # the JWKS cache retries a failed fetch after 2 s, however often /ready is asked
    ready = client.get("/ready")
    pools = {pool["user_pool_id"]: "ok"}
    assert ready.status_code == 200 and ready.json == {
        "status": "ready",
        "checks": {"signing_keys": "ok"},
        "pools": pools,
    }
