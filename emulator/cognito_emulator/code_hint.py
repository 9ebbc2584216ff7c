"""The page's code hint under `make run`: the code the embedded emulator just sent, so a newcomer finishes sign-up,
reset and MFA without a terminal (the codes are on the console and in `.local-cognito/codes.json` too).

`GET /local/sent-code?username=…&medium=EMAIL|SMS` → `{"code": "123456"}` (404 when none was sent). It exists only
when server.py runs the embedded emulator (registered there, never by app.py), and answers only:
- a loopback peer (the server listens on 127.0.0.1, but a proxy in front could forward others),
- a Host that is a loopback name (a DNS-rebinding page's same-origin request names its own host),
- a same-origin fetch: the `X-Code-Hint: 1` header, which a cross-origin page cannot send without a CORS preflight
  this route never answers (no CORS headers at all), and, when the browser says, `Sec-Fetch-Site: same-origin`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, jsonify, request

PATH = "/local/sent-code"
HEADER = "X-Code-Hint"
LOOPBACK_PEERS = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]"}


def _refused(status: int, error: str, message: str) -> Response:
    response = jsonify({"error": error, "message": message})
    response.status_code = status
    return response


def _host_name(host: str) -> str:
    return host.rsplit(":", 1)[0] if not host.endswith("]") else host


def register_code_hint(app: Flask, last_code: Callable[[str, str], str | None]) -> None:
    """Add the code-hint route to `app`, reading codes with `last_code(username, medium)`."""

    def sent_code() -> Response:
        if request.remote_addr not in LOOPBACK_PEERS:
            return _refused(403, "forbidden", "The code hint answers this machine only.")
        if _host_name(request.host.lower()) not in LOOPBACK_HOSTS:
            return _refused(403, "forbidden", "The code hint answers at localhost only.")
        fetch_site = request.headers.get("Sec-Fetch-Site")
        if request.headers.get(HEADER) != "1" or fetch_site not in (None, "same-origin"):
            return _refused(403, "forbidden", "The code hint answers this page's own requests only.")
        username, medium = request.args.get("username", ""), request.args.get("medium", "EMAIL")
        if not username or len(username) > 128 or medium not in ("EMAIL", "SMS"):
            return _refused(400, "invalid_request", "'username' (1 to 128 characters) and 'medium' (EMAIL or SMS).")
        code = last_code(username, medium)
        if code is None:
            return _refused(404, "not_found", "The emulator has sent this user no code.")
        response = jsonify({"code": code})
        response.headers["Cache-Control"] = "no-store"
        return response

    app.add_url_rule(PATH, "local_sent_code", sent_code, methods=["GET"])
