"""Entry point. `gunicorn server:app` serves the configured pool; `python server.py` runs locally.

Run directly with no COGNITO_USER_POOL_ID set, it starts the Cognito emulator in-process, with the pool,
client and users it saved last time (`--fresh`: none), and serves on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from app import create_app
from config import ConfigError, Settings

STATE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".local-cognito", "state.pickle")
BANNER = """\
No COGNITO_USER_POOL_ID set: started the local Cognito emulator at {endpoint_url}
  user pool  {user_pool_id}
  app client {client_id}
  its users are kept in {state} (start empty: make run-fresh, or python server.py --fresh)
FOR LOCAL USE ONLY: the emulator's signing key is public (anyone can mint tokens it accepts),
and any confirmation code is accepted.
Serving on http://127.0.0.1:{port}: open it in a browser to sign up and in; the API is documented at /docs
"""


def main(argv: list[str] | None = None) -> None:
    """Serve locally: on loopback, against the configured pool or else the embedded emulator."""
    parser = argparse.ArgumentParser(description="Serve the auth server locally (127.0.0.1).")
    parser.add_argument("--fresh", action="store_true", help="forget the emulator's saved users and ids first")
    args = parser.parse_args(argv)
    emulator, overrides = None, {}
    if not os.environ.get("COGNITO_USER_POOL_ID"):
        from local.emulator import LocalCognito

        state = os.environ.get("LOCAL_COGNITO_STATE") or STATE_FILE
        if args.fresh and os.path.exists(state):
            os.remove(state)
        emulator = LocalCognito(state_file=state)
        overrides = {**emulator.local_pool(), "demo_page": True}
    try:
        local_app = create_app(overrides)
    except ConfigError as err:
        sys.exit(f"configuration error: {err}")
    port = Settings.load(overrides=overrides).port
    if emulator is not None:
        print(BANNER.format(port=port, state=emulator.state.path, **overrides), flush=True)
    # A plain `kill` (SIGTERM) ends the server like Ctrl-C, so the emulator saves what it holds.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        local_app.run(host="127.0.0.1", port=port, threaded=True)
    finally:
        if emulator is not None:
            emulator.stop()


if __name__ == "__main__":
    main()
else:
    app = create_app()
