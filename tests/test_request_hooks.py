"""The per-request work every answer gets, now done at the WSGI level (middleware/requestlog.py's RequestHooks)
and with flask-cors's hook skipped on paths it cannot match: the same headers, request ids and log lines."""

from __future__ import annotations

import logging

from werkzeug.test import Client
from werkzeug.wrappers import Response

from middleware.requestlog import RequestHooks

ORIGIN = {"Origin": "https://app.example"}


def _wrapped(response: Response) -> Client:
    """RequestHooks around a WSGI app that always gives `response`."""
    return Client(RequestHooks(response))


def test_every_answer_gets_nosniff_and_a_request_id_kept_or_made(client):
    kept = client.get("/hello", headers={"X-Request-ID": "trace.1_a-B"})  # a 401 from the token check
    assert kept.status_code == 401
    assert kept.headers["X-Request-ID"] == "trace.1_a-B" and kept.headers["X-Content-Type-Options"] == "nosniff"
    first, second = (client.get("/nowhere").headers["X-Request-ID"] for _ in range(2))  # a 404 from routing
    assert first != second and len(first) == 32 and int(first, 16) >= 0
    too_long = client.get("/health", headers={"X-Request-ID": "a" * 65}).headers["X-Request-ID"]
    assert too_long != "a" * 65 and len(too_long) == 32
    assert client.get("/health").headers.getlist("X-Content-Type-Options") == ["nosniff"]


def test_an_html_answer_cannot_be_framed_and_keeps_a_policy_of_its_own():
    bare = _wrapped(Response("<p>x</p>", mimetype="text/html")).get("/")
    assert bare.headers["X-Frame-Options"] == "DENY"
    assert bare.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"

    own = Response("<p>x</p>", mimetype="text/html")
    own.headers["Content-Security-Policy"] = "default-src 'self'"
    own.headers["X-Frame-Options"] = "SAMEORIGIN"
    answer = _wrapped(own).get("/")
    assert answer.headers.getlist("Content-Security-Policy") == ["default-src 'self'"]
    assert answer.headers.getlist("X-Frame-Options") == ["DENY"]  # replaced, not doubled

    json_answer = _wrapped(Response("{}", mimetype="application/json")).get("/")
    assert "X-Frame-Options" not in json_answer.headers and "Content-Security-Policy" not in json_answer.headers


def test_one_log_line_per_request_with_the_status_the_client_got(client, caplog):
    caplog.set_level(logging.INFO, logger="request")
    client.get("/health", headers={"X-Request-ID": "r-1"})
    client.get("/h%C3%A9llo?token=secret")  # a 404; the path as Werkzeug decodes it, never the query
    client.get("/a%0aGET /forged")
    lines = [record for record in caplog.records if record.name == "request"]
    assert [(r.method, r.path, r.status, r.request_id) for r in lines[:2]] == [
        ("GET", "/health", 200, "r-1"),
        ("GET", "/h\u00e9llo", 404, lines[1].request_id),
    ]
    assert lines[2].path == "/a\\u000aGET /forged" and "\n" not in lines[2].getMessage()
    assert all(r.duration_ms >= 0 and "secret" not in r.getMessage() for r in lines)


def test_cors_still_answers_on_every_auth_and_hello_answer_and_nowhere_else(client):
    for method, path in (("get", "/hello"), ("post", "/auth/login"), ("get", "/auth/nowhere"), ("get", "/auth")):
        answer = getattr(client, method)(path, headers=ORIGIN)
        assert answer.headers.get("Access-Control-Allow-Origin") == "*", path  # errors included (401, 400, 404)
    for path in ("/health", "/ready", "/docs", "/hellos", "/nowhere"):
        assert "Access-Control-Allow-Origin" not in client.get(path, headers=ORIGIN).headers, path
    # flask-cors matches the unquoted path; so does the filter in front of it
    assert client.get("/%2561uth/nowhere", headers=ORIGIN).headers.get("Access-Control-Allow-Origin") == "*"
