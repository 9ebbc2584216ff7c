"""Every route: the blueprints, with each view declared once in the module of its area (`views/`).

A view passes what the request carries (the parsed body, path and query parameters) to one controller
function. A controller never reads the request's body or `g` (what the middleware verified, it asks the
middleware for); it may read the request's URL, headers and cookies where its answer depends on them.
"""

from __future__ import annotations

# Importing an area's module declares its views on the blueprints (the served document sorts its keys).
from views import (  # noqa: F401
    account,
    bp,
    deletion,
    devices,
    metrics_bp,
    oauth,
    page,
    passkeys,
    portal,
    profile,
    sessions,
    sign_in,
    site,
)
from views.admin import admin_bp  # the admin API: registered by app.py only with ADMIN_GROUP

__all__ = ["admin_bp", "bp", "metrics_bp", "page"]
