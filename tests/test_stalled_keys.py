"""A key endpoint that sends its headers and then stalls mid-body: the documented 503 (JwksUnavailable), never
a 500, for the pool's JWKS (COGNITO_JWKS_URL) and for the load balancer's key endpoint (ALB_KEY_URL); the
failure is remembered (no second fetch within the retry interval) and counted as a failed key fetch."""

from __future__ import annotations

import socket
import threading

from errors import JwksUnavailable
from tests.support.alb import ARN, AlbMinter, KeyEndpoint, alb_header
from tests.support.helpers import Minter, bearer
from tests.support.metrics import Scrapes, metered

TIMEOUT = 0.3  # JWKS_TIMEOUT_SECONDS in these tests: the stall outlasts it


class StallingServer:
    """Answers every request with `200` headers announcing a body, sends a few bytes of it, then stalls."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.requests = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.socket.settimeout(0.1)
        held = []
        while not self.stopped.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            connection.recv(65536)
            self.requests += 1
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{")
            held.append(connection)  # kept open, silent, until the test stops the server
        for connection in held:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.socket.close()


def test_a_stalled_jwks_answers_503_and_is_remembered_and_counted(pool):
    server = StallingServer()
    try:
        app, client = metered(pool, jwks_url=server.url + "/jwks.json", jwks_timeout=TIMEOUT)
        settings = app.extensions["cognito_auth"].settings
        token = Minter(settings.issuer, settings.client_id).token()
        scrapes = Scrapes(client)
        for _ in range(2):
            answer = client.get("/hello", headers=bearer(token))
            assert answer.status_code == 503 and answer.json["message"] == JwksUnavailable.message, answer.json
        assert server.requests == 1  # the failure is remembered for the retry interval
        assert scrapes.delta("auth_jwks_fetches_total", outcome="failed") == 1
    finally:
        server.stop()


def test_a_stalled_alb_key_endpoint_answers_503_and_is_remembered_and_counted(pool):
    server = StallingServer()
    try:
        settings = {"alb_arns": (ARN,), "alb_key_url": server.url + "/{kid}", "jwks_timeout": TIMEOUT}
        app, client = metered(pool, **settings)
        config = app.extensions["cognito_auth"].settings
        token = AlbMinter(config.issuer, config.client_id, KeyEndpoint().key).token()
        scrapes = Scrapes(client)
        for _ in range(2):
            answer = client.get("/hello", headers=alb_header(token))
            assert answer.status_code == 503 and answer.json["message"] == JwksUnavailable.message, answer.json
        assert server.requests == 1
        assert scrapes.delta("auth_jwks_fetches_total", outcome="failed") == 1
    finally:
        server.stop()
