"""The embedded emulator's front door: only this process's own clients get through, and every change is on disk
before its answer leaves.

moto's server echoes any Origin into CORS headers and serves `/moto-api/data.json`, which holds every user's
plaintext password: a page on any other local origin could read both from a browser. So, in front of it:
no CORS headers ever, a request carrying `Origin` (only browsers send one; boto3 never does) refused with 403,
all of `/moto-api` a 404, and any Host but the emulator's own loopback host:port refused (DNS rebinding):
`127.0.0.1:PORT`, or `localhost:PORT` (the name the local pages use; a browser resolves it to loopback itself,
never through DNS, so a rebinding page cannot pose as it).

The exceptions: Cognito's OAuth endpoints (oauth), which browsers navigate to: their paths go to that app,
with Origin allowed and still no CORS headers (a page elsewhere can send a user there, never read an answer);
and the origins named by `--cors-origin` (cors.py), whose pages may call the API and read the answers of the
endpoints Cognito lets browsers read, never the rest. They too answer on the emulator's own Host only.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import make_server

from cognito_emulator import cors
from cognito_emulator.oauth.app import serves

StartResponse = Callable[..., Any]


def _refuse(start_response: StartResponse, status: str, error: str, message: str) -> list[bytes]:
    body = json.dumps({"__type": error, "message": message}).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class Gate:
    """WSGI middleware around moto's app: the checks above, then `after_call()` before the answer is sent."""

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        after_call: Callable[[], None] = lambda: None,
        oauth: Callable[..., Iterable[bytes]] | None = None,
        cors_origins: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.after_call = after_call
        self.oauth = oauth
        self.cors_origins = frozenset(cors_origins)  # normalised by cors.origin_of
        self.hosts: frozenset[str] = frozenset()  # "127.0.0.1:PORT" and "localhost:PORT", once the port is bound
        # One call at a time: the state written after a call is exactly the state that call left.
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("HTTP_HOST") not in self.hosts:
            return _refuse(start_response, "403 Forbidden", "Forbidden", "Unknown Host: local clients only")
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        oauth = self.oauth is not None and serves(path)
        origin = environ.get("HTTP_ORIGIN")
        allowed = origin in self.cors_origins and cors.readable(path, method)
        if allowed and path == "/" and method == "POST" and not cors.public_operation(environ.get("HTTP_X_AMZ_TARGET")):
            allowed = False  # an administrative operation: on AWS it needs credentials no page holds
        if origin is not None and not oauth and not allowed:
            return _refuse(start_response, "403 Forbidden", "Forbidden", "Browsers may not call the emulator")
        if path.startswith("/moto-api"):
            return _refuse(start_response, "404 Not Found", "NotFound", "Not found")
        if method == "OPTIONS" and origin is not None:  # a preflight: answered here, never by moto
            return self._preflight(environ, start_response, origin if allowed else None)
        answer: list[Any] = []

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            answer[:] = [status, [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]]
            return lambda data: answer.append(data)  # moto never uses write(); kept for WSGI's sake

        with self._lock:
            chunks = (self.oauth if oauth and self.oauth else self.app)(environ, keep)
            try:
                body = b"".join([*answer[2:], *chunks])
            finally:
                getattr(chunks, "close", lambda: None)()
            if oauth or environ.get("REQUEST_METHOD") != "GET":  # a federated sign-in (a GET) makes a user
                self.after_call()  # written before the answer below goes out
        if allowed and origin:  # moto's own `Vary: Origin` (from its echoing CORS) gives way to ours
            answer[1] = [(k, v) for k, v in answer[1] if k.lower() != "vary"] + cors.headers(origin)
        start_response(answer[0], answer[1])
        return [body]

    def _preflight(self, environ: dict[str, Any], start_response: StartResponse, origin: str | None) -> list[bytes]:
        """A CORS preflight: 200 with the headers for an allowed origin and request, else 403 with none."""
        method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD", "")
        answer = (
            cors.preflight(origin, method, environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")) if origin else None
        )
        if answer is None:
            return _refuse(start_response, "403 Forbidden", "Forbidden", "This origin may not call this endpoint")
        start_response("200 OK", [*answer, ("Content-Length", "0")])
        return [b""]


class GatedServer:
    """moto's Cognito app behind a Gate, served by werkzeug on 127.0.0.1 in a thread, with no access log."""

    def __init__(
        self,
        port: int,
        after_call: Callable[[], None],
        oauth: Callable[..., Iterable[bytes]] | None = None,
        cors_origins: Iterable[str] = (),
    ) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args: Any) -> None:  # the access log would carry whole query strings
                pass

        self.gate = Gate(DomainDispatcherApplication(create_backend_app), after_call, oauth, cors_origins)
        self._server = make_server("127.0.0.1", port, self.gate, threaded=True, request_handler=QuietHandler)
        self.port = self._server.server_address[1]
        self.gate.hosts = frozenset({f"127.0.0.1:{self.port}", f"localhost:{self.port}"})
        self._thread = threading.Thread(target=self._server.serve_forever, name="emulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and wait for the serving thread."""
        self._server.shutdown()
        self._thread.join()
