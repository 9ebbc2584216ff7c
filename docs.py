"""Interactive documentation at /docs: Swagger UI over /openapi.json, its assets served from a Python package.

The assets come from `flask-openapi3-swagger` (Swagger UI 5, which reads OpenAPI 3.1), located on disk
without importing it; nothing is fetched from a CDN, so the page works where there is no internet.
"""

from __future__ import annotations

import importlib.util
import os

from flask import Blueprint, jsonify, send_from_directory
from flask import current_app as app

from apispec import document, endpoint

bp = Blueprint("docs", __name__)
_HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
_SWAGGER_UI = os.path.join(
    importlib.util.find_spec("flask_openapi3_swagger").submodule_search_locations[0], "templates", "swagger"
)
# Swagger UI runs from this server's files only (no inline script or style: checked in Chromium, which reports
# each violation), draws its icons from data: URLs, and "Try it out" calls this server. Framed by nobody: a
# framed "Try it out" could be clicked for the user.
POLICY = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


@bp.get("/openapi.json")
@endpoint("OpenAPI document (this one)", {200: None})
def openapi_document():
    return jsonify(document(app))


@bp.get("/docs")
@endpoint("Interactive documentation (Swagger UI)", {200: None})
def docs():
    response = send_from_directory(_HERE, "docs.html")
    response.headers.update(POLICY)
    return response


@bp.get("/docs/init.js")
@endpoint("The documentation page's script", {200: None})
def docs_script():
    return send_from_directory(_HERE, "docs-init.js")


@bp.get("/docs/<any(css, js):kind>/<path:name>")
@endpoint("Swagger UI's own assets", {200: None}, errors=(404,))
def docs_asset(kind: str, name: str):
    return send_from_directory(os.path.join(_SWAGGER_UI, kind), name)
