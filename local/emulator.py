"""The embedded default: moto's Cognito emulator, in-process on loopback, for local runs and tests.

Anyone can mint tokens the emulator accepts (its signing key ships inside moto), so it only ever
listens on 127.0.0.1 and is never started when a real pool is configured. moto is imported here
only, so a production install does not need it.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

import boto3
import requests

from local.pools import create_pool
from local.state import SavedState

EMULATOR_REGION = "us-east-1"


def _answer_get_tokens_from_refresh_token() -> None:
    """Teach moto GetTokensFromRefreshToken, which it lacks and Amplify (6.15+) refreshes with only.

    It answers as REFRESH_TOKEN_AUTH does, as Cognito does for a client without refresh-token rotation;
    a client with a secret must send it (`ClientSecret`). Local-only: patched into this process's moto.
    """
    from moto.cognitoidp.exceptions import NotAuthorizedError, ResourceNotFoundError
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult

    def get_tokens_from_refresh_token(self: CognitoIdpResponse) -> ActionResult:
        client_id, token = self._get_param("ClientId"), self._get_param("RefreshToken")
        backend = self._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
        pool = next((p for p in backend.user_pools.values() if client_id in p.clients), None)
        if pool is None:
            raise ResourceNotFoundError(client_id)
        client = pool.clients[client_id]
        if client.generate_secret and self._get_param("ClientSecret") != client.secret:
            raise NotAuthorizedError("Unable to verify secret hash for client")
        issued = pool.refresh_tokens.get(token)  # None once revoked or signed out
        if not issued or issued[0] != client_id:
            raise NotAuthorizedError("Invalid Refresh Token")
        access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(token)
        tokens = {"AccessToken": access_token, "IdToken": id_token, "ExpiresIn": expires_in, "TokenType": "Bearer"}
        return ActionResult({"AuthenticationResult": tokens})

    CognitoIdpResponse.get_tokens_from_refresh_token = get_tokens_from_refresh_token


def _backend() -> Any:
    """moto's Cognito state for the emulator's account and region."""
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    return cognitoidp_backends[DEFAULT_ACCOUNT_ID][EMULATOR_REGION]


def _free(port: int) -> bool:
    """Whether a loopback port can be listened on (0: any port, always)."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class LocalCognito:
    """A running emulator: its endpoint, a client for it, and the settings of pools made on it.

    With `state_file`, what it holds is kept in that file and read back at the next start (local/state.py).
    """

    def __init__(self, state_file: str | None = None) -> None:
        from moto.server import ThreadedMotoServer  # local runs and tests only

        _answer_get_tokens_from_refresh_token()
        # boto3 signs every request; the emulator accepts any credentials.
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            os.environ.setdefault(name, "emulator")
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the emulator's per-call access log
        self.state = SavedState(state_file) if state_file else None
        self._saved = self.state.load(_backend()) if self.state else None
        # The same endpoint as last time when it is free: a front end configured against it keeps working.
        port = self._saved.get("emulator_port", 0) if self._saved else 0
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port if _free(port) else 0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        self.client = boto3.client("cognito-idp", region_name=EMULATOR_REGION, endpoint_url=self.endpoint_url)

    def local_pool(self) -> dict[str, Any]:
        """The local server's pool: the saved one (same pool and client ids), or else a new one."""
        if self.state is None:
            return self.create_pool()
        ids = {name: self._saved[name] for name in ("user_pool_id", "client_id")} if self._saved else None
        if not ids or ids["user_pool_id"] not in _backend().user_pools:
            ids = create_pool(self.client, "local")
        port = int(self.endpoint_url.rsplit(":", 1)[1])
        self.state.keep(_backend(), {**ids, "emulator_port": port})
        return self._settings(ids)

    def create_pool(self, name: str = "local") -> dict[str, Any]:
        """Create a pool and client; return the settings overrides that point the server at them."""
        return self._settings(create_pool(self.client, name))

    def _settings(self, ids: dict[str, str]) -> dict[str, Any]:
        return {
            **ids,
            "region": EMULATOR_REGION,
            "endpoint_url": self.endpoint_url,
            "jwks_url": f"{self.endpoint_url}/{ids['user_pool_id']}/.well-known/jwks.json",
        }

    def reset(self) -> None:
        """Forget every pool and user."""
        requests.post(f"{self.endpoint_url}/moto-api/reset", timeout=5).raise_for_status()

    def stop(self) -> None:
        if self.state is not None:
            self.state.stop()
        self._server.stop()
