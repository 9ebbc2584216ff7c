"""The embedded default: moto's Cognito emulator, in-process on loopback, for local runs and tests.

Anyone can mint tokens the emulator accepts (its signing key ships inside moto), so it only ever
listens on 127.0.0.1 and is never started when a real pool is configured. moto is imported here
only, so a production install does not need it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Iterable
from typing import Any

import boto3

from cognito_emulator import (
    additions,
    attribute_rules,
    attributes,
    client_rules,
    confirmations,
    devices,
    factors,
    mfa,
    mfa_choice,
    mfa_email,
    mfa_setup,
    operations,
    tokens,
    triggers,
    userauth,
)
from cognito_emulator.gate import GatedServer
from cognito_emulator.oauth.app import create_app
from cognito_emulator.oauth.example_idp import ExampleIdP, IdPUnavailable
from cognito_emulator.pools import create_pool, enable_oauth
from cognito_emulator.state import SavedState, write_private

EMULATOR_REGION = "us-east-1"
PASSKEYS_RP_ID = "localhost"  # the page under `make run` is http://localhost:5000
CODES_FILE = "codes.json"  # next to the state file: {username: {"EMAIL"|"SMS": the last code sent}}
log = logging.getLogger(__name__)


def _backend() -> Any:
    """moto's Cognito state for the emulator's account and region."""
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    return cognitoidp_backends[DEFAULT_ACCOUNT_ID][EMULATOR_REGION]


def _free(port: int) -> bool:
    """Whether a loopback port can be listened on (0: any port, always)."""
    with socket.socket() as sock:
        # As the server binds (werkzeug sets SO_REUSEADDR): connections of the last run left in TIME_WAIT on the
        # port would otherwise make it look taken, and the emulator's endpoint (the pool's domain) would move.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


_taught = threading.Lock()
_TAUGHT: list[bool] = []


def _teach_moto() -> None:
    """Teach this process's moto what Cognito does, once: each module wraps what the ones before it installed, and
    a second pass would wrap the wrappers again (a second emulator in one process lost its triggers that way)."""
    with _taught:
        if _TAUGHT:
            return
        additions.teach()  # with moto's signing key parsed once
        userauth.teach()
        tokens.teach()  # Cognito's token claims and lifetimes (tokens.py)
        operations.teach()
        confirmations.teach()  # after additions and userauth: it wraps their SignUp, ConfirmSignUp, ResendCode
        attributes.teach()
        attribute_rules.teach()  # which attributes a client may write or delete; DeleteUserAttributes
        mfa_setup.teach()  # required MFA after a password; under mfa.py's, which sends an SMS_MFA's code
        mfa_choice.teach()  # SELECT_MFA_TYPE: between the two, so no SMS code is sent for a choice
        mfa.teach()
        mfa_email.teach()  # email MFA (after mfa.py, whose sign-in answers it wraps)
        client_rules.teach()  # the app client's rules, before every handler
        devices.teach()  # remembered devices: their operations, and every sign-in answer (device_srp.py)
        triggers.teach()  # Lambda triggers as Python functions (triggers.py), around all of the above
        _TAUGHT.append(True)


def last_code(username: str, medium: str = "EMAIL") -> str | None:
    """The last code this process's emulator sent to `username` by EMAIL or SMS (LocalCognito.last_code)."""
    for pool in _backend().user_pools.values():
        user = pool._get_user(username)
        codes = factors.extras(pool)["codes"].get(user.username if user else username, {})
        if medium in codes:
            return codes[medium]  # type: ignore[no-any-return]
    return None


class LocalCognito:
    """A running emulator: its endpoint, a client for it, and the settings of pools made on it.

    With `state_file`, what it holds is kept in that file and read back at the next start (state.py):
    a file that cannot be read raises StateError. Only this process's clients can reach it (gate.py),
    and browsers its OAuth endpoints (oauth). With `example_idp`, ExampleIdP (idp/) runs beside it
    when node can start it; else one warning says why and no sign-in page offers it.
    """

    def __init__(
        self,
        state_file: str | None = None,
        *,
        example_idp: bool = False,
        cors_origins: Iterable[str] = (),
        port: int | None = None,
    ) -> None:
        _teach_moto()
        factors.set_delivery(self._deliver)
        # boto3 signs every request; the emulator accepts any credentials.
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            os.environ.setdefault(name, "emulator")
        self.state = SavedState(state_file) if state_file else None
        self._saved = self.state.load(_backend()) if self.state else None
        # The same endpoint as last time when it is free: a front end configured against it keeps working.
        if port is None:
            port = self._saved.get("emulator_port", 0) if self._saved else 0
            port = port if _free(port) else 0
        oauth = create_app(_backend)
        self._server = GatedServer(port, after_call=self._after_call, oauth=oauth, cors_origins=cors_origins)
        self.endpoint_url = f"http://127.0.0.1:{self._server.port}"
        self.client = boto3.client("cognito-idp", region_name=EMULATOR_REGION, endpoint_url=self.endpoint_url)
        self.machine_clients: dict[str, dict[str, str]] = {}  # by pool id: enable_oauth's client_credentials client
        self.example_idp: ExampleIdP | None = None
        if example_idp:
            try:
                self.example_idp = ExampleIdP(f"{self.endpoint_url}/oauth2/idpresponse")
            except IdPUnavailable as err:
                log.warning("ExampleIdP is not offered on the emulator's sign-in page: %s", err)

    def allow_origins(self, origins: Iterable[str]) -> None:
        """Let pages at `origins` (scheme://host[:port]) call the API and read what Cognito lets browsers read
        (cors.py); replaces the origins allowed before."""
        self._server.gate.cors_origins = frozenset(origins)

    def has_saved_pool(self) -> bool:
        """Whether the saved state names a pool it still holds (the CLI makes a config file's pools when not)."""
        return bool(self._saved) and self._saved.get("user_pool_id") in _backend().user_pools

    def keep_pool(self, ids: dict[str, str]) -> None:
        """Save `ids` ({"user_pool_id", "client_id"}) as the pool local_pool() gives at the next start."""
        if self.state is not None:
            self.state.keep(_backend(), {**ids, "emulator_port": self._server.port})

    def local_pool(self) -> dict[str, Any]:
        """The local server's pool: the saved one (same pool and client ids), or else a new one."""
        if self.state is None:
            return self.create_pool()
        ids = {name: self._saved[name] for name in ("user_pool_id", "client_id")} if self._saved else None
        if not ids or ids["user_pool_id"] not in _backend().user_pools:
            ids = create_pool(self.client, "local", passkeys_rp_id=PASSKEYS_RP_ID)
        else:  # a pool saved before the emulator knew passwordless sign-in gets it, users and all
            pool = _backend().user_pools[ids["user_pool_id"]]
            factors.enable(pool, pool.clients.get(ids["client_id"]), PASSKEYS_RP_ID)
        self.state.keep(_backend(), {**ids, "emulator_port": self._server.port})
        return self._settings(ids)

    def create_pool(self, name: str = "local") -> dict[str, Any]:
        """Create a pool and client; return the settings overrides that point the server at them."""
        return self._settings(create_pool(self.client, name, passkeys_rp_id=PASSKEYS_RP_ID))

    def enable_oauth(
        self, settings: dict[str, Any], server_port: int = 5000, example_idp: ExampleIdP | None = None
    ) -> dict[str, Any]:
        """Managed login for the pool of `settings` (pools.py enable_oauth: callback and logout URLs on
        `server_port`, ExampleIdP when one runs, a machine client); return the settings overrides it adds."""
        idp = example_idp or self.example_idp
        provider = idp.provider() if idp else None
        machine = enable_oauth(self.client, settings, server_port=server_port, provider=provider)
        self.machine_clients[settings["user_pool_id"]] = machine
        # Its tokens reach machine routes, beside the clients already accepted (the settings' own: a server
        # reading COGNITO_ACCEPTED_CLIENT_IDS passes them in): an override replaces a setting, so this one must
        # carry them too.
        accepted = frozenset(settings.get("accepted_client_ids") or ())
        return {"accepted_client_ids": accepted | {machine["machine_client_id"]}}

    def server_settings(self, ids: dict[str, str]) -> dict[str, Any]:
        """The settings overrides that point a server at the pool and client `ids` (made with this emulator's
        client by other means than create_pool)."""
        return self._settings(ids)

    def _settings(self, ids: dict[str, str]) -> dict[str, Any]:
        return {
            **ids,
            "region": EMULATOR_REGION,
            "endpoint_url": self.endpoint_url,
            "jwks_url": f"{self.endpoint_url}/{ids['user_pool_id']}/.well-known/jwks.json",
            "cognito_domain": self.endpoint_url,  # the emulator is the pool's domain too
        }

    def set_triggers(self, pool_id: str, module: Any, *, timeout: float = triggers.TIMEOUT_SECONDS) -> None:
        """Call `module`'s trigger functions (a module, dotted name or file path; None: none) for `pool_id`."""
        triggers.configure(pool_id, module, timeout=timeout)

    def reset(self) -> None:
        """Forget every pool and user (in-process: the emulator's /moto-api is closed to everyone)."""
        from moto.cognitoidp.models import cognitoidp_backends
        from moto.core import DEFAULT_ACCOUNT_ID

        cognitoidp_backends[DEFAULT_ACCOUNT_ID].reset()

    # Every code the emulator sends (sign-up, reset, attribute verification, SMS MFA, USER_AUTH's EMAIL_OTP and
    # SMS_OTP): to the console, as cognito-local prints them, and where tests and the page read them: last_code()
    # in this process, the codes file for a server run as a subprocess.
    def last_code(self, username: str, medium: str = "EMAIL") -> str | None:
        """The last code sent to `username` (or the email a pool takes as the username) by EMAIL or SMS, whatever
        it was for (codes.py)."""
        return last_code(username, medium)

    def _deliver(self, pool_id: str, username: str, medium: str, code: str) -> None:
        factors.print_code(pool_id, username, medium, code)
        if self.state is not None:
            codes: dict[str, dict[str, str]] = {}
            for pool in _backend().user_pools.values():
                for name, sent in factors.extras(pool)["codes"].items():
                    codes.setdefault(name, {}).update(sent)
                    user = pool.users.get(name)  # also by the email or phone a pool takes as the username
                    for alias in (pool.extended_config.get("UsernameAttributes") or []) if user else []:
                        if user.attribute_lookup.get(alias):
                            codes.setdefault(user.attribute_lookup[alias], {}).update(sent)
            path = os.path.join(os.path.dirname(os.path.abspath(self.state.path)), CODES_FILE)
            write_private(path, json.dumps(codes, indent=1, sort_keys=True).encode())

    def _after_call(self) -> None:
        if self.state is not None:  # write-through: on disk before the call's answer leaves (gate.py)
            self.state.save()

    def stop(self) -> None:
        """Stop serving, after a last save; stop ExampleIdP."""
        if self.state is not None:
            self.state.stop()
        self._server.stop()
        if self.example_idp is not None:
            self.example_idp.stop()
