"""The app a forward-auth proxy protects, for the tests of deploy/nginx-forward-auth.conf and deploy/Caddyfile.

It answers every request with the headers it received: as JSON, or, for a browser (`Accept: text/html`),
as a small page naming `X-Auth-Request-User` (`<h1 id="user">alice</h1>`) with a sign-out form posting to
`/auth/sign-out`. The page cannot know the session's CSRF token (only `GET /auth/session` answers it, and
the page has no script): its hidden `csrf_token` field is empty, and the browser test fills it in.
Every request it saw is kept in `requests`, so a test can tell what reached it and what never did.
"""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Protected app</title><link rel="icon" href="data:,"></head>
<body>
<p>Signed in as</p>
<h1 id="user">{user}</h1>
<p id="email">{email}</p>
<form method="post" action="/auth/sign-out">
<input type="hidden" name="csrf_token" id="csrf_token" value="">
<input type="hidden" name="rd" value="/">
<button type="submit">Sign out</button>
</form>
</body></html>
"""


class Upstream:
    """A loopback HTTP server on a free port echoing each request's method, path and headers."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a proxy's upstream connections expect
            # Headers and body go in two sends: with Nagle's algorithm on, the proxy's delayed ACK would hold
            # each answer about 40 ms.
            disable_nagle_algorithm = True

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                # Every value of every field, in order: a header sent twice shows up twice.
                seen = {"method": self.command, "path": self.path, "headers": list(self.headers.items())}
                upstream.requests.append(seen)
                if "text/html" in (self.headers.get("Accept") or ""):
                    user = self.headers.get("X-Auth-Request-User") or ""
                    email = self.headers.get("X-Auth-Request-Email") or ""
                    body = PAGE.format(user=html.escape(user), email=html.escape(email)).encode()
                    kind = "text/html; charset=utf-8"
                else:
                    body = json.dumps(seen).encode()
                    kind = "application/json"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def headers_seen(self, name: str) -> list[str]:
        """Every value of header `name` (any case) the upstream has received, over all requests."""
        return [value for seen in self.requests for key, value in seen["headers"] if key.lower() == name.lower()]

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def headers_of(answer: dict[str, Any]) -> dict[str, list[str]]:
    """The upstream's JSON answer's headers, by lower-cased name, each with every value received."""
    fields: dict[str, list[str]] = {}
    for name, value in answer["headers"]:
        fields.setdefault(name.lower(), []).append(value)
    return fields
