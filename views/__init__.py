"""The route declarations, by area, on the app's three blueprints (routes.py registers them all).

Each view declares its path, method, rate limit, token rule and `@endpoint` contract once, and passes what the
request carries (the parsed body, path and query parameters) to one controller function. The modules:
`sign_in` (tokens), `account`, `sessions` (browser sessions and forward auth), `oauth` (managed login),
`passkeys`, `site` (`/hello`, probes, documentation, the sign-in page, `/metrics`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from schemas import answers as out

bp = Blueprint("api", __name__)  # the API and its documentation
page = Blueprint("page", __name__)  # the sign-in page at `/` (DEMO_PAGE)
metrics_bp = Blueprint("metrics", __name__)  # /metrics (METRICS_ENABLED)
TOKENS = {200: out.SignedIn}
SESSION = {200: out.SessionOrChallenge, 303: None}
SIGN_IN: dict[str, Any] = {"errors": (401, 403), "cognito": True, "no_store": True}  # signing in
# Every answer about a user (a token, claims, attributes, a session, even "done" for a signed-in user) is
# never cached: `no_store` is declared on every route but the public ones tests/test_holes_no_store.py lists.
USER_DATA: dict[str, Any] = {"cognito": True, "no_store": True}
