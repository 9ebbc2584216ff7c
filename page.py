"""The sign-in page at `/`: the whole API tried from a browser, in plain HTML, CSS and one small script.

Registered only when `DEMO_PAGE` is on (`python server.py` turns it on with the embedded emulator); never
by default against a real pool. The page keeps tokens in its script's variables only. The QR code of a
TOTP set-up is drawn in the browser by qrcode-generator (npm, MIT), vendored unmodified under
`static/page/vendor/`: the secret the API answered goes nowhere else, neither in a URL nor in a log.
"""

from __future__ import annotations

import os

from flask import Blueprint, send_from_directory

from apispec import endpoint

bp = Blueprint("page", __name__)
_HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static", "page")
QR_LIBRARY = "qrcode-generator-2.0.4.js"  # npm qrcode-generator@2.0.4, dist/qrcode.js as published
# Only this server's own files run, and no form can submit by itself (the script sends the requests):
# without the script, a form would otherwise send a password to the page's own URL.
POLICY = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def _send(directory: str, name: str):
    response = send_from_directory(directory, name)
    response.headers.update(POLICY)
    return response


@bp.get("/")
@endpoint("Sign-in page: try the API in a browser (local runs, or DEMO_PAGE=true)", {200: None})
def index():
    return _send(_HERE, "index.html")


@bp.get("/page/app.js")
@endpoint("The sign-in page's script", {200: None})
def script():
    return _send(_HERE, "app.js")


@bp.get("/page/show.js")
@endpoint("The sign-in page's drawing of claims, times and QR codes", {200: None})
def show_script():
    return _send(_HERE, "show.js")


@bp.get("/page/app.css")
@endpoint("The sign-in page's style sheet", {200: None})
def style():
    return _send(_HERE, "app.css")


@bp.get("/page/qrcode.js")
@endpoint("The QR code encoder the sign-in page draws TOTP set-up codes with", {200: None})
def qr_library():
    return _send(os.path.join(_HERE, "vendor"), QR_LIBRARY)
