"""Every route: the blueprints, with each view declared once in the module of its area (`views/`).

A view passes what the request carries (the parsed body, path and query parameters) to one controller
function. A controller never reads the request's body or `g` (what the middleware verified, it asks the
middleware for); it may read the request's URL, headers and cookies where its answer depends on them.
"""

from __future__ import annotations

# Importing an area's module declares its views on the blueprints (the served document sorts its keys).
from views import account, bp, devices, metrics_bp, oauth, page, passkeys, sessions, sign_in, site  # noqa: F401

__all__ = ["bp", "metrics_bp", "page"]
