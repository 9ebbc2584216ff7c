"""Entry point. `gunicorn server:app` serves the configured pool; `python server.py` runs locally.

Run directly with no COGNITO_USER_POOL_ID set, it starts the Cognito emulator in-process, with the pool,
client and users it saved last time (`--fresh`: none), and serves on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from app import create_app, policy_only_app
from config import ConfigError, Settings
from services.tokens.assertion import write_new_key

ROOT = os.path.dirname(os.path.abspath(__file__))
STATE_FILE = os.path.join(ROOT, ".local-cognito", "state.json")
# The emulator is a package of its own (emulator/pyproject.toml) that the project's venv does not install (the
# venv is exactly the hashed requirements): `python server.py` finds it here, as the tests do (pyproject's
# pythonpath). gunicorn's `server:app` never imports it.
EMULATOR_PACKAGE = os.path.join(ROOT, "emulator")
BANNER = """\
No COGNITO_USER_POOL_ID set: started the local Cognito emulator at {endpoint_url}
  user pool  {user_pool_id}
  app client {client_id}
  its users are kept in {state} (start empty: make run-fresh, or python server.py --fresh)
FOR LOCAL USE ONLY: the emulator's signing key is public (anyone can mint tokens it accepts).
Codes it sends (sign-up, reset, MFA) are printed here, kept in {codes} and shown by the page.
/auth/check's X-Auth-Request-Assertion is signed with {assertion_key_file} (keys: /.well-known/jwks.json).
Serving on http://localhost:{port}: open it in a browser to sign up and in (passkeys work at localhost, not
127.0.0.1); the API is documented at /docs
"""


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without its access log, which writes whole query strings (tokens, passwords).

    The app logs its own request line without them; Werkzeug's error logging stays.
    """

    def log_request(self, *args: object) -> None:
        """Log nothing per request."""


def _managed_login(emulator: Any, overrides: dict[str, Any]) -> dict[str, Any]:
    """Managed login against the emulator: its client's callback and logout URLs on this port, at `localhost`
    (the page's own host, so the session cookie set by the callback is the page's; WebAuthn wants it too)."""
    settings = Settings.load(overrides=overrides)
    port = settings.port
    providers = ("ExampleIdP",) if emulator.example_idp is not None else ()
    # The environment's accepted clients (COGNITO_ACCEPTED_CLIENT_IDS) stay accepted beside the machine client.
    accepted = {**overrides, "accepted_client_ids": settings.accepted_client_ids}
    return {
        **emulator.enable_oauth(accepted, server_port=port),
        "oauth_redirect_uri": f"http://localhost:{port}/auth/oauth/callback",
        "oauth_logout_uri": f"http://localhost:{port}/",
        "oauth_identity_providers": providers,
        # As a password sign-in's tokens: /auth/me, TOTP and password changes take the access token too.
        "oauth_scopes": ("openid", "email", "profile", "aws.cognito.signin.user.admin"),
    }


def _assertion_key(folder: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """`/auth/check`'s assertions signed under `make run`: a key made in the state folder the first time (kept, as
    the emulator's users are), this server as their issuer; an ASSERTION_KEY_FILE of the environment wins."""
    if os.environ.get("ASSERTION_KEY_FILE"):
        return {}
    path = os.path.join(folder, "assertion-key.pem")
    if not os.path.exists(path):
        os.makedirs(folder, exist_ok=True)
        write_new_key(path)
    issuer = os.environ.get("ASSERTION_ISSUER") or f"http://localhost:{Settings.load(overrides=overrides).port}"
    return {"assertion_key_file": path, "assertion_issuer": issuer}


def main(argv: list[str] | None = None) -> None:
    """Serve locally: on loopback, against the configured pool or else the embedded emulator."""
    parser = argparse.ArgumentParser(description="Serve the auth server locally (127.0.0.1).")
    parser.add_argument("--fresh", action="store_true", help="forget the emulator's saved users and ids first")
    args = parser.parse_args(argv)
    emulator, overrides = None, {}
    if not os.environ.get("COGNITO_USER_POOL_ID"):
        if EMULATOR_PACKAGE not in sys.path:
            sys.path.insert(0, EMULATOR_PACKAGE)
        from cognito_emulator.emulator import LocalCognito
        from cognito_emulator.state import SavedState, StateError

        state = os.environ.get("LOCAL_COGNITO_STATE") or STATE_FILE
        if args.fresh:
            SavedState(state).forget()
        try:
            # LOCAL_EXAMPLE_IDP=off leaves ExampleIdP (a node process, seconds to start) out: tests that do not
            # sign in through it start the server without it.
            offer_idp = os.environ.get("LOCAL_EXAMPLE_IDP", "on") != "off"
            emulator = LocalCognito(state_file=state, example_idp=offer_idp)
        except StateError as err:
            sys.exit(str(err))
        assert emulator.state is not None  # given a state file, the emulator keeps one
        state_path = emulator.state.path
        # Sign-outs the server keeps itself go next to the emulator's users, so they survive a restart too.
        shared = os.path.dirname(os.path.abspath(state_path))
        overrides = {**emulator.local_pool(), "demo_page": True, "shared_state_dir": shared}
        if Settings.load(overrides=overrides).login_flow == "ADMIN_USER_PASSWORD_AUTH":
            # The emulator refuses a flow the app client does not allow, as Cognito does: the local client allows
            # the one this server is set to use, as a real pool's client must.
            from cognito_emulator.pools import allow_flows

            allow_flows(emulator.client, overrides, "ALLOW_ADMIN_USER_PASSWORD_AUTH")
        overrides.update(_managed_login(emulator, overrides))
        overrides.update(_assertion_key(shared, overrides))
    try:
        local_app = create_app(overrides)
    except ConfigError as err:
        sys.exit(f"configuration error: {err}")
    if emulator is not None:  # the page shows the code the emulator just sent (cognito_emulator/code_hint.py)
        from cognito_emulator.code_hint import register_code_hint

        register_code_hint(local_app, emulator.last_code)
    port = Settings.load(overrides=overrides).port
    if emulator is not None:
        emulator.allow_origins([f"http://localhost:{port}"])  # the page's own origin only (the emulator's CORS)
        codes = os.path.join(os.path.dirname(os.path.abspath(state_path)), "codes.json")
        key = {"assertion_key_file": os.environ.get("ASSERTION_KEY_FILE", ""), **overrides}  # the environment's, if set
        print(BANNER.format(port=port, state=state_path, codes=codes, **key), flush=True)
    else:
        print(f"Serving on http://127.0.0.1:{port}", flush=True)
    # A plain `kill` (SIGTERM) ends the server like Ctrl-C. Nothing is lost either way: the emulator wrote
    # every change before answering it (cognito_emulator/gate.py).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = make_server("127.0.0.1", port, local_app, threaded=True, request_handler=QuietRequestHandler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if emulator is not None:
            emulator.stop()


def _exit_at_once() -> None:
    """End the process now that main() has stopped serving and saved everything: the interpreter's own teardown
    of the emulator's objects is half a second of CPU at every stop (each test that starts the server stops it)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    try:
        main()
    except SystemExit as stop:  # SIGTERM's way out of main(), after its clean-up; a message is not
        if stop.code not in (None, 0):
            raise
    _exit_at_once()
elif not os.environ.get("COGNITO_USER_POOL_ID") and sys.argv[1:] and "policy" in sys.argv[1:]:
    # `flask --app server policy lint|check` reads the policy file only: it runs with no pool configured too (a
    # newcomer's first try, a CI job that lints the file), where create_app() would stop at the missing pool.
    app = policy_only_app()
else:
    app = create_app()
