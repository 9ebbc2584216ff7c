"""Entry point. `gunicorn server:app` serves the configured pool; `python server.py` runs locally.

Run directly with no COGNITO_USER_POOL_ID set, it starts the Cognito emulator in-process, creates a
pool and app client on it, and serves on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import sys

from app import create_app
from config import ConfigError, Settings

BANNER = """\
No COGNITO_USER_POOL_ID set: started the local Cognito emulator at {endpoint_url}
  user pool  {user_pool_id}
  app client {client_id}
FOR LOCAL USE ONLY: the emulator's signing key is public (anyone can mint tokens it accepts),
any confirmation code is accepted, and every user is lost when the server stops.
Serving on http://127.0.0.1:{port}
"""


def main() -> None:
    """Serve locally: on loopback, against the configured pool or else the embedded emulator."""
    overrides = {}
    if not os.environ.get("COGNITO_USER_POOL_ID"):
        from local.emulator import LocalCognito

        overrides = LocalCognito().create_pool()
    try:
        local_app = create_app(overrides)
    except ConfigError as err:
        sys.exit(f"configuration error: {err}")
    port = Settings.load(overrides=overrides).port
    if overrides:
        print(BANNER.format(port=port, **overrides), flush=True)
    local_app.run(host="127.0.0.1", port=port, threaded=True)


if __name__ == "__main__":
    main()
else:
    app = create_app()
