"""The application factory: settings, services, routes, CORS, errors and request logging."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from flask import Flask, Response
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

import extensions
from config import Settings
from middleware.cors_cache import remembering
from middleware.handlers import register_error_handlers
from middleware.metrics_hooks import add_metrics_hooks
from middleware.requestlog import add_request_hooks, configure_logging
from middleware.route_policy import install as install_policy
from middleware.threat_request import ENCODED_DATA_HEADER, request_threat_context
from routes import admin_bp, bp, metrics_bp, page
from services.policy.cli import policy_commands

_CORS_PREFIXES = ("/auth", "/hello")  # of _enable_cors's resources


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with `config` (setting name -> value) taking precedence."""
    settings = Settings.load(overrides=config)
    # No static route: only the page's and /docs's own routes serve files, each with its policy, and the page
    # only when it is on.
    app = Flask(__name__, static_folder=None)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, JSON_SORT_KEYS=False)
    configure_logging(settings)
    extensions.init_app(app, settings, request_threat_context)  # what Cognito's threat protection is told
    if settings.trusted_proxies:  # the client address (for rate limits) comes from X-Forwarded-For
        # Flask's documented way to wrap its WSGI app; mypy refuses any assignment to a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    app.register_blueprint(bp)
    if settings.demo_page:  # the sign-in page at `/`: local runs, or DEMO_PAGE=true; never by default
        app.register_blueprint(page)
    if settings.admin_group:  # the admin API (/auth/admin/...): unset, its routes do not exist
        app.register_blueprint(admin_bp)
    _enable_cors(app, settings)
    register_error_handlers(app)
    install_policy(app, settings.policy_file)  # POLICY_FILE, checked now: a mistake stops the start
    app.cli.add_command(policy_commands)  # `flask --app server policy check|lint` (services/policy/cli.py)
    add_request_hooks(app)
    if settings.metrics_enabled:  # /metrics and the counting of every request: off unless METRICS_ENABLED
        app.register_blueprint(metrics_bp)
        add_metrics_hooks(app)
    return app


def policy_only_app() -> Flask:
    """An app with the policy commands only (`flask --app server policy ...` where no pool is configured): they
    read the policy file and nothing else of the server's."""
    app = Flask(__name__, static_folder=None)
    app.cli.add_command(policy_commands)
    return app


def _enable_cors(app: Flask, settings: Settings) -> None:
    any_origin = settings.cors_origins == ("*",)
    options = {"origins": list(settings.cors_origins), "supports_credentials": False, "send_wildcard": any_origin}
    CORS(
        app,
        resources={r"/auth/*": options, r"/hello": options},
        # A front end on another origin may send the advanced-security script's output (threat protection).
        allow_headers=["Authorization", "Content-Type", ENCODED_DATA_HEADER],
        max_age=600,
    )
    # flask-cors's after-request hook checks every answer (a header lookup, the path unquoted and matched against
    # each resource); only a path starting with one of these can match, so every other answer (/health's, say)
    # skips it; one without an Origin gets the headers flask-cors gave the last such one (middleware/cors_cache.py).
    cors = app.after_request_funcs[None].pop()  # flask-cors's hook: synchronous, Response in and out
    app.after_request(remembering(cast("Callable[[Response], Response]", cors), _CORS_PREFIXES))
