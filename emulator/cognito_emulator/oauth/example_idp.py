"""ExampleIdP: the OpenID provider of idp/idp.mjs (npm's oidc-provider) as a process on a loopback port,
and the CreateIdentityProvider arguments that register it in a pool as Cognito registers an OIDC provider.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time

import requests

IDP_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "idp")
SCRIPT = os.path.join(IDP_DIR, "idp.mjs")
NAME = "ExampleIdP"


class IdPUnavailable(Exception):
    """ExampleIdP cannot run here; the message says why."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ExampleIdP:
    """A running ExampleIdP whose one client is the emulator at `redirect_uri` (its /oauth2/idpresponse)."""

    def __init__(self, redirect_uri: str, timeout: float = 20) -> None:
        node = shutil.which("node")
        if node is None:
            raise IdPUnavailable("node is not installed")
        if not os.path.isdir(os.path.join(IDP_DIR, "node_modules", "oidc-provider")):
            raise IdPUnavailable(f"{IDP_DIR}/node_modules is missing (npm ci --prefix {IDP_DIR})")
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_id, self.client_secret = "cognito-emulator", secrets.token_urlsafe(32)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "IDP_PORT": str(self.port),
            "IDP_CLIENT_ID": self.client_id,
            "IDP_CLIENT_SECRET": self.client_secret,
            "IDP_REDIRECT_URI": redirect_uri,
        }
        self._log = tempfile.TemporaryFile(mode="w+")  # a file: a pipe nobody reads would block the IdP
        # Its stdin is a pipe from this process: when this process ends, however abruptly, the IdP ends too.
        self._process = subprocess.Popen(  # noqa: S603 - node and our own script, no outside input
            [node, SCRIPT], cwd=IDP_DIR, env=env, stdin=subprocess.PIPE, stdout=self._log, stderr=subprocess.STDOUT
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise IdPUnavailable(f"node {SCRIPT} did not start: {self.stop()[-500:].strip()}")
            time.sleep(0.1)

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.issuer}/health", timeout=1).ok
        except requests.RequestException:
            return False

    def provider(self) -> dict[str, object]:
        """CreateIdentityProvider's arguments for it: OIDC, its endpoints, and the claims Cognito maps."""
        return {
            "ProviderName": NAME,
            "ProviderType": "OIDC",
            "ProviderDetails": {
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "authorize_scopes": "openid email profile",
                "attributes_request_method": "GET",
                "oidc_issuer": self.issuer,
                "authorize_url": f"{self.issuer}/auth",
                "token_url": f"{self.issuer}/token",
                "attributes_url": f"{self.issuer}/me",
                "jwks_uri": f"{self.issuer}/jwks",
            },
            "AttributeMapping": {
                "username": "sub",
                "email": "email",
                "email_verified": "email_verified",
                "name": "name",
            },
            "IdpIdentifiers": ["example.com"],
        }

    def output(self) -> str:
        """Everything it has printed."""
        fd = self._log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")

    def stop(self) -> str:
        """Stop it (if running); return what it printed."""
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        return self.output()
