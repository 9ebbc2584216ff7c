"""The Flask side of errors: ours, Werkzeug's and unexpected ones all answered with one JSON shape."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from errors import ApiError

log = logging.getLogger(__name__)


def register_error_handlers(app: Flask) -> None:
    """Answer every error, ours, Werkzeug's and unexpected ones, with the same JSON shape."""
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def _api_error(err: ApiError) -> tuple[Response, int, dict[str, str]]:
    return jsonify(err.body()), err.status_code, err.headers


def _http_error(err: HTTPException) -> WerkzeugResponse | tuple[Response, int, dict[str, str]]:
    if err.code is not None and err.code < 400:  # routing redirects keep Werkzeug's own response
        return err.get_response()
    code = (err.name or "error").lower().replace(" ", "_").replace("'", "")
    headers = {k: v for k, v in err.get_headers() if k.lower() == "allow"}
    if err.code == 413:  # the rest of the body is never read: end the connection rather than drain it
        headers["Connection"] = "close"
    return jsonify(error=code, message=err.description), err.code or 500, headers


def _unexpected_error(err: Exception) -> tuple[Response, int, dict[str, str]]:
    log.exception("unhandled error")
    return _api_error(ApiError())
