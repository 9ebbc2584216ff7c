"""A stand-in for the app a forward-auth proxy protects: it answers every request with the headers it received.

    python3 scripts/echo_app.py 8000

A browser (`Accept: text/html`) gets a page saying who is signed in (`X-Auth-Request-User`) with every
`X-Auth-Request-*` header, and a sign-out link; anything else gets JSON:
`{"method", "path", "identity": {the X-Auth-Request-* headers}, "headers": {every header}}`.
Standard library only; listens on 127.0.0.1. Never deploy it: it shows whatever headers reach it.
"""

from __future__ import annotations

import html
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Protected app</title><link rel="icon" href="data:,"></head>
<body>
<p>Signed in as</p>
<h1 id="user">{user}</h1>
<table>{rows}</table>
<p><a href="/auth/sign-out">Sign out</a></p>
</body></html>
"""


class EchoHandler(BaseHTTPRequestHandler):
    """Answers any method with what it was sent."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the proxies' upstream connections expect

    def answer(self) -> None:
        """The page or the JSON, as the request accepts."""
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        identity = {k: v for k, v in self.headers.items() if k.lower().startswith("x-auth-request-")}
        if "text/html" in (self.headers.get("Accept") or ""):
            rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in identity.items())
            user = html.escape(self.headers.get("X-Auth-Request-User") or "(nobody)")
            body, kind = PAGE.format(user=user, rows=rows).encode(), "text/html; charset=utf-8"
        else:
            seen = {"method": self.command, "path": self.path, "identity": identity, "headers": dict(self.headers)}
            body, kind = json.dumps(seen, indent=2).encode() + b"\n", "application/json"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # a page per user: never cached by the proxy or browser
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = answer


def main() -> None:
    """Serve on 127.0.0.1 at the port given (8000 by default) until Ctrl-C."""
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    server = ThreadingHTTPServer(("127.0.0.1", port), EchoHandler)
    print(f"echo app on http://127.0.0.1:{port} (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
