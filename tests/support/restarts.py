"""The embedded emulator across restarts: a populated backend, a legacy state file, `python server.py` as make
run starts it."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
import types
from unittest import mock

import boto3
import requests

from cognito_emulator.emulator import CODES_FILE, EMULATOR_REGION
from tests.support.helpers import PASSWORD
from tests.support.servers import ROOT, read_code

ACCOUNT, REGION = "123456789012", "us-east-1"


def populated_backend():
    """A moto backend holding what the local server makes: a pool, a client, users in each state, a group, tokens."""
    from cognito_emulator.pools import PASSWORD_POLICY

    backend = new_backend()
    pool = backend.create_user_pool(
        "local",
        {
            "Policies": {"PasswordPolicy": PASSWORD_POLICY},
            "AutoVerifiedAttributes": ["email"],
            "MfaConfiguration": "OPTIONAL",
        },
    )
    backend.set_user_pool_mfa_config(pool.id, None, {"Enabled": True}, "OPTIONAL")
    client = backend.create_user_pool_client(
        pool.id,
        False,  # no secret, as the local server's client: the server sends no SECRET_HASH, which Cognito needs
        {
            "ClientName": "local-client",
            "ReadAttributes": ["email"],
            "EnableTokenRevocation": True,
            # As pools.py makes it: Cognito (and now the emulator) refuses a flow the client does not list.
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        },
    )
    for name in ("alice", "bob", "carol"):
        backend.sign_up(client.id, name, PASSWORD, [{"Name": "email", "Value": f"{name}@example.com"}])
    backend.confirm_sign_up(client.id, "alice")
    backend.confirm_sign_up(client.id, "carol")
    backend.create_group(pool.id, "staff", "the staff", None, 1)
    backend.admin_add_user_to_group(pool.id, "staff", "alice")
    backend.admin_disable_user(pool.id, "carol")
    pool.users["alice"].software_token_mfa_enabled = pool.users["alice"].token_verified = True
    _, origin = pool.create_refresh_token(client.id, "alice")
    pool.create_access_token(client.id, "alice", origin)
    pool.create_id_token(client.id, "alice", origin)
    backend.create_user_pool_domain(pool.id, "local-domain", None)
    return backend, {"user_pool_id": pool.id, "client_id": client.id, "emulator_port": 0}


def write_legacy(path, backend, ids) -> None:
    # pickle checks the reference resolves: `local.state` exists while it writes, as it did then.
    old = {"local": types.ModuleType("local"), "local.state": OLD_MODULE}
    with open(path, "wb") as file, mock.patch.dict(sys.modules, old):
        OldPickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump(
            {"ids": ids, "pools": backend.user_pools, "domains": backend.user_pool_domains}
        )


class Server:
    """`python server.py` in its own process group (as `make run` starts it), its output in a file."""

    def __init__(self, state: str, port: int, *options: str, wait: bool = True) -> None:
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("COGNITO_", "AWS_", "LOCAL_COGNITO"))}
        environ.update(PORT=str(port), LOCAL_COGNITO_STATE=state)
        # Many sign-ups from one address within a minute, and the limits' counts now survive restarts too.
        environ.update({f"RATE_LIMIT_{name}": "1000/minute" for name in ("REGISTER", "CONFIRM", "LOGIN")})
        self.url = f"http://127.0.0.1:{port}"
        self.codes = os.path.join(os.path.dirname(os.path.abspath(state)), "codes.json")
        self._log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [sys.executable, "server.py", *options],
            cwd=ROOT,
            env=environ,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while wait and not self._answers():
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.05)

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.url}/health", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    def post(self, path: str, body: dict) -> requests.Response:
        return requests.post(f"{self.url}{path}", json=body, timeout=5)

    def code(self, username: str) -> str:
        """The last code the server's emulator emailed `username` (its codes file)."""
        return read_code(self.codes, username)

    def signal(self, signum: int) -> None:
        os.killpg(self.process.pid, signum)

    def wait(self) -> int:
        try:
            return self.process.wait(timeout=20)
        finally:
            if self.process.poll() is None:
                self.signal(signal.SIGKILL)

    def output(self) -> str:
        self._log.seek(0)
        return self._log.read()


def emulator_of(state: str) -> tuple[types.SimpleNamespace, dict]:
    """A boto3 client for the server's emulator, and the local pool's ids, from its state file; its last codes
    read from the codes file next to it."""
    with open(state) as file:
        ids = json.load(file)["ids"]
    endpoint = f"http://127.0.0.1:{ids['emulator_port']}"
    client = boto3.client(  # the emulator takes any credentials
        "cognito-idp",
        region_name=EMULATOR_REGION,
        endpoint_url=endpoint,
        aws_access_key_id="e",
        aws_secret_access_key="e",
    )

    def last_code(username: str, medium: str = "EMAIL") -> str | None:
        with open(os.path.join(os.path.dirname(state), CODES_FILE)) as file:
            return json.load(file).get(username, {}).get(medium)

    return types.SimpleNamespace(client=client, last_code=last_code), ids


def stop(server: Server) -> None:
    server.signal(signal.SIGTERM)
    assert server.wait() is not None


def new_backend():
    from moto.cognitoidp.models import CognitoIdpBackend

    return CognitoIdpBackend(REGION, ACCOUNT)


def _old_signing_key():
    """Stands for the old `local.state._fixed_signing_key`: the package was `local` when that format was
    written."""


_old_signing_key.__module__, _old_signing_key.__qualname__ = "local.state", "_fixed_signing_key"
OLD_MODULE = types.ModuleType("local.state")
OLD_MODULE._fixed_signing_key = _old_signing_key


class OldPickler(pickle.Pickler):
    """What local/state.py (the emulator's package before it was cognito_emulator) wrote before the JSON format:
    moto's objects whole, the signing key by reference to `local.state._fixed_signing_key`."""

    def reducer_override(self, obj):
        from joserfc.jwk import RSAKey

        return (_old_signing_key, ()) if isinstance(obj, RSAKey) else NotImplemented
