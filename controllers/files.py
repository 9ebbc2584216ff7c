"""The files the server serves: the sign-in page's (with DEMO_PAGE), /docs's, and the OpenAPI document.

The page keeps tokens in its script's variables only, or none at all on its cookie path (a session). The
QR code of a TOTP set-up is drawn in the browser by qrcode-generator (npm, MIT), vendored unmodified under
`static/page/vendor/`: the secret the API answered goes nowhere else, neither in a URL nor in a log. /docs
is Swagger UI 5 (it reads OpenAPI 3.1) from the `flask-openapi3-swagger` package, located on disk without
importing it; nothing comes from a CDN.
"""

from __future__ import annotations

import importlib.util
import os

from flask import Response, current_app, jsonify, send_from_directory

from middleware.openapi import document

_STATIC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static")
_SWAGGER_UI = os.path.join(
    importlib.util.find_spec("flask_openapi3_swagger").submodule_search_locations[0],  # type: ignore[union-attr,index]
    "templates",
    "swagger",
)
# Each name a route may ask for -> (folder, file). npm qrcode-generator@2.0.4, dist/qrcode.js as published.
PAGE_FILES = {
    "index.html": ("page", "index.html"),
    "app.js": ("page", "app.js"),
    "show.js": ("page", "show.js"),
    "session.js": ("page", "session.js"),
    "oauth.js": ("page", "oauth.js"),
    "passkeys.js": ("page", "passkeys.js"),
    "portal-passkey.js": ("page", "portal-passkey.js"),
    "devices.js": ("page", "devices.js"),
    "reset.js": ("page", "reset.js"),
    "admin.js": ("page", "admin.js"),
    "profile.js": ("page", "profile.js"),
    "app.css": ("page", "app.css"),
    "qrcode.js": ("page/vendor", "qrcode-generator-2.0.4.js"),
    "docs.html": ("", "docs.html"),
    "docs-init.js": ("", "docs-init.js"),
}
# Only this server's own files run (no inline script or style: Swagger UI checked in Chromium, which reports
# each violation), images may be data: URLs (Swagger UI's icons, the QR code), requests go to this server
# only, no form submits by itself (the page's script sends the requests), and nobody frames either page (a
# framed "Try it out" or sign-in form could be clicked for the user).
POLICY = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def page_file(name: str) -> Response:
    """One of PAGE_FILES, under the page's policy."""
    folder, file = PAGE_FILES[name]
    response = send_from_directory(os.path.join(_STATIC, folder), file)
    response.headers.update(POLICY)
    return response


def swagger_asset(kind: str, name: str) -> Response:
    """Swagger UI's own scripts and style sheets (404 for anything else)."""
    return send_from_directory(os.path.join(_SWAGGER_UI, kind), name)


def openapi_document() -> Response:
    """The OpenAPI document of the app's declared routes."""
    return jsonify(document(current_app))
