"""`cognito-emulator` (and `python -m cognito_emulator`): serve the emulator on loopback until SIGTERM or SIGINT.

On start it prints one JSON line: {"endpoint", "region", "user_pool_id", "client_id", "domain"} (the domain is
the emulator's endpoint: its OAuth endpoints, /oauth2/*, /login and /logout, answer there). Without --config
the pool is the one `make run` uses (email, optional TOTP, passkeys at localhost, SRP and USER_AUTH allowed).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any

from cognito_emulator import config_file, cors, triggers


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cognito-emulator", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--port", type=int, help="the loopback port (default: the saved state's when free, else any free one)"
    )
    parser.add_argument("--state", metavar="DIR", help="keep the state in DIR/state.json (default: memory only)")
    parser.add_argument("--config", metavar="FILE", help="pools, clients, domains, identity providers (JSON/TOML)")
    parser.add_argument(
        "--cors-origin",
        metavar="ORIGIN",
        action="append",
        default=[],
        help="let pages at ORIGIN (such as http://localhost:3000) call the API and the token endpoint; repeatable",
    )
    return parser


def start(args: argparse.Namespace) -> tuple[Any, dict[str, str]]:
    """The running emulator for `args`, and its start line's fields. Raises SystemExit for a bad argument."""
    import os

    from cognito_emulator.emulator import EMULATOR_REGION, LocalCognito
    from cognito_emulator.state import StateError

    try:
        config = config_file.read(args.config) if args.config else {}
        origins = [cors.origin_of(origin) for origin in [*config.get("cors_origins", []), *args.cors_origin]]
    except (config_file.ConfigFileError, ValueError) as err:
        raise SystemExit(f"cognito-emulator: {err}") from err
    if args.port is not None and not 0 <= args.port < 65536:
        raise SystemExit("cognito-emulator: --port is 0 to 65535")
    state = os.path.join(args.state, "state.json") if args.state else None
    if args.state:
        os.makedirs(args.state, exist_ok=True)
    try:
        emulator = LocalCognito(state_file=state, cors_origins=origins, port=args.port)
    except (StateError, OSError) as err:
        raise SystemExit(f"cognito-emulator: {err}") from err
    if config.get("triggers"):  # every pool's: the file's, and any made later through the API
        try:
            emulator.set_triggers(triggers.ANY_POOL, config["triggers"])
        except (ImportError, OSError, SyntaxError) as err:  # a module that is not there or does not load
            emulator.stop()
            raise SystemExit(f"cognito-emulator: {err}") from err
    made = config_file.apply(emulator.client, config) if config.get("pools") and not emulator.has_saved_pool() else []
    ids = made[0] if made else emulator.local_pool()
    if made:
        emulator.keep_pool(ids)
    line = {
        "endpoint": emulator.endpoint_url,
        "region": EMULATOR_REGION,
        "user_pool_id": ids["user_pool_id"],
        "client_id": ids["client_id"],
        "domain": emulator.endpoint_url,
    }
    return emulator, line


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, start, print the start line, serve until SIGTERM or SIGINT, stop (saving first)."""
    args = _parser().parse_args(argv)
    emulator, line = start(args)
    done = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: done.set())
    print(json.dumps(line), flush=True)
    try:
        while not done.wait(0.5):  # a timeout: Python runs signal handlers between waits
            pass
    finally:
        emulator.stop()
    sys.exit(0)
