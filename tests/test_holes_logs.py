"""Every logged line is one line, whoever logged it: the app's formatters escape control characters (and
U+2028/U+2029) and scrub tokens in every message, as the request line's path always was."""

from __future__ import annotations

import json
import logging
import sys

import pytest
import requests

from middleware.requestlog import _Formatter, _JsonFormatter
from tests.support.helpers import PASSWORD, cognito_error

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImR1bW15In0.eyJzdWIiOiJhbGljZSIsInRva2VuX3VzZSI6ImFjY2VzcyJ9.c2lnbmF0dXJl"
# What a library might log with a value from the request in it: each of these would start a forged line.
FORGED = "al\nice\r2026-01-01 INFO request: GET /forged 200\u2028more\u2029end\x85"


def _record(*, exc_info=None) -> logging.LogRecord:
    args = ("5 per 1 minute", f"user:{FORGED} {JWT}", "api.login")
    return logging.LogRecord("lib", logging.WARNING, __file__, 1, "ratelimit %s (%s) exceeded at %s", args, exc_info)


def test_a_record_with_line_breaks_in_its_arguments_is_one_line_in_either_format():
    text = _Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s").format(_record())
    entry = _JsonFormatter().format(_record())
    for line in (text, entry):
        assert len(line.splitlines()) == 1, line
        assert JWT not in line and JWT.split(".")[1] not in line and "[token]" in line
    assert "al\\u000aice\\u000d2026" in text and "\\u2028more\\u2029end\\u0085" in text
    assert json.loads(entry)["message"] == json.loads(entry)["message"].encode("ascii").decode()
    assert "\\u000a" in json.loads(entry)["message"]

    try:
        raise ValueError("boom")
    except ValueError:
        with_traceback = _Formatter("%(message)s").format(_record(exc_info=sys.exc_info()))
    message, _, traceback = with_traceback.partition("\n")
    assert len(message.splitlines()) == 1 and traceback.startswith("Traceback")  # a traceback keeps its lines


@pytest.mark.subprocess
def test_a_line_logged_with_cognitos_echo_of_the_request_is_one_line(pool, proxy, serve):
    """Cognito's InvalidParameter message echoes the request's values; the server logs it, as one line."""
    proxy.answers["SignUp"] = cognito_error("InvalidParameterException", message=f"Value '{FORGED}' is invalid")
    env = {
        "COGNITO_USER_POOL_ID": pool["user_pool_id"],
        "COGNITO_CLIENT_ID": pool["client_id"],
        "COGNITO_ENDPOINT_URL": proxy.url,
        "AWS_ACCESS_KEY_ID": "emulator",
        "AWS_SECRET_ACCESS_KEY": "emulator",
    }
    server = serve(env)
    try:
        body = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}
        answer = requests.post(f"{server.url}/auth/register", json=body, timeout=10)
    finally:
        output = server.stop()
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_parameter"
    logged = [line for line in output.splitlines() if "refused a parameter" in line]
    assert len(logged) == 1, output[-2000:]
    assert "al\\u000aice\\u000d2026-01-01" in logged[0] and "\\u2028more" in logged[0]
    assert not any(line.startswith(("ice", "2026-01-01", "more", "end")) for line in output.splitlines())
