"""cognito-local (pinned in tests/node), a second Cognito implementation, as a process the tests start and stop."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from typing import Any

import boto3
import pytest

from cognito_emulator.pools import create_pool
from tests.support.helpers import ROOT
from tests.support.servers import ServerProcess, free_port

START = os.path.join(ROOT, "tests", "node", "node_modules", "cognito-local", "lib", "bin", "start.js")
REGION = "local"  # cognito-local ignores the region; this one says the pool is not on AWS
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # its logger colours its output whatever the terminal
# One box per message it "sends": `│   Username:    <sub>   │`, then Destination and Code lines alike.
_FIELD = re.compile(r"^\W*(Username|Destination|Code):\s+(\S+)", re.MULTILINE)
_BOX_TITLE = "Confirmation Code Delivery"


class CognitoLocal:
    """A running cognito-local on a free loopback port, in a fresh directory; pools made through boto3."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None or not os.path.isfile(START):
            # Never a skip: a suite that quietly tests one implementation fewer looks the same as a passing one.
            pytest.fail(
                "cognito-local needs node (20+) and tests/node/node_modules: `make test` installs them",
                pytrace=False,
            )
        port = free_port()
        self.endpoint_url = f"http://127.0.0.1:{port}"
        self._workdir = tempfile.TemporaryDirectory(prefix="cognito-local-")
        # Tokens must name the address they are checked against; its default says `localhost`.
        os.mkdir(os.path.join(self._workdir.name, ".cognito"))
        with open(os.path.join(self._workdir.name, ".cognito", "config.json"), "w") as file:
            json.dump({"TokenConfig": {"IssuerDomain": self.endpoint_url}}, file)
        self._server = ServerProcess(
            {"HOST": "127.0.0.1", "AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE": "1"},
            command=[node, START],
            cwd=self._workdir.name,
            port=port,
        )
        self._read_to = 0  # output before this offset holds no code a test still waits for
        # boto3 signs every request; cognito-local accepts any credentials.
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            os.environ.setdefault(name, "local")
        self.client = boto3.client("cognito-idp", region_name=REGION, endpoint_url=self.endpoint_url)

    def create_pool(self, name: str = "test") -> dict[str, Any]:
        """A pool and client made as for AWS (email auto-verified, so codes are printed): the settings overrides."""
        ids = create_pool(self.client, name)
        pool_url = f"{self.endpoint_url}/{ids['user_pool_id']}"
        self._read_to = len(self.output())  # codes printed before this pool existed are not its users'
        return {
            **ids,
            "region": REGION,
            "endpoint_url": self.endpoint_url,
            "issuer_override": pool_url,  # `{IssuerDomain}/{pool}`, exactly as its tokens say
            "jwks_url": f"{pool_url}/.well-known/jwks.json",
        }

    def code_for(self, user: str, timeout: float = 5.0) -> str:
        """The newest code printed for `user` (username or email) since the last code read or pool made."""
        deadline = time.monotonic() + timeout
        while True:
            output = self.output()
            found = None
            for end, fields in _boxes(output, self._read_to):
                if user in (fields.get("Username"), fields.get("Destination")) and "Code" in fields:
                    found = (end, fields["Code"])
            if found:
                self._read_to = found[0]
                return found[1]
            if time.monotonic() > deadline:
                raise AssertionError(f"cognito-local printed no code for {user!r}; its output ends:\n{output[-2000:]}")
            time.sleep(0.05)

    def output(self) -> str:
        """Everything it has printed, without colour codes."""
        return _ANSI.sub("", self._server.output())

    def stop(self) -> str:
        """Stop it and delete its state; return everything it printed."""
        output = _ANSI.sub("", self._server.stop())
        self._workdir.cleanup()
        return output


def _boxes(output: str, offset: int) -> list[tuple[int, dict[str, str]]]:
    """Each message box printed after `offset`: where it ends, and its fields."""
    starts = [match.start() + offset for match in re.finditer(_BOX_TITLE, output[offset:])]
    ends = [*starts[1:], len(output)]
    return [(end, dict(_FIELD.findall(output[start:end]))) for start, end in zip(starts, ends, strict=True)]
