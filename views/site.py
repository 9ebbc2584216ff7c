"""The rest of the site: `/hello`, the probes, the documentation, the sign-in page and `/metrics`."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from controllers import files, metrics_endpoint, probes
from controllers import hello as greeting
from middleware.authentication import require_token
from middleware.endpoint import endpoint
from schemas import answers as out
from views import bp, metrics_bp, page


@bp.get("/hello")
@require_token(alb=True)  # and a load balancer's user, with ALB_ARNS
@endpoint("Greet the user of a valid bearer token", {200: out.Greeting}, no_store=True)
def hello() -> ResponseReturnValue:
    return greeting.hello()


@bp.get("/health")
@endpoint("Liveness: the process is up", {200: out.Health})
def health() -> ResponseReturnValue:
    return probes.health()


@bp.get("/ready")
@endpoint("Readiness: the signing keys can be had (503 says what cannot)", {200: out.Ready}, errors=(503,))
def ready() -> ResponseReturnValue:
    return probes.ready()


@bp.get("/openapi.json")
@endpoint("OpenAPI document (this one)", {200: None})
def openapi_document() -> ResponseReturnValue:
    return files.openapi_document()


@bp.get("/docs")
@endpoint("Interactive documentation (Swagger UI)", {200: None})
def docs() -> ResponseReturnValue:
    return files.page_file("docs.html")


@bp.get("/docs/init.js")
@endpoint("The documentation page's script", {200: None})
def docs_script() -> ResponseReturnValue:
    return files.page_file("docs-init.js")


@bp.get("/docs/<any(css, js):kind>/<path:name>")
@endpoint("Swagger UI's own assets", {200: None}, errors=(404,))
def docs_asset(kind: str, name: str) -> ResponseReturnValue:
    return files.swagger_asset(kind, name)


@page.get("/")
@endpoint("Sign-in page: try the API in a browser (local runs, or DEMO_PAGE=true)", {200: None})
def index() -> ResponseReturnValue:
    return files.page_file("index.html")


PAGE_ASSETS = "'app.js', 'show.js', 'session.js', 'oauth.js', 'passkeys.js', 'reset.js', 'app.css', 'qrcode.js'"
PAGE_ASSETS += ", 'admin.js'"  # the account's deletion and the admin view (issue 28)
PAGE_ASSETS += ", 'profile.js'"  # the profile and MFA sections
PAGE_ASSETS += ", 'devices.js'"  # the remembered devices section


@page.get(f"/page/<any({PAGE_ASSETS}):name>")
@endpoint("The sign-in page's script, drawing helpers, style sheet and QR code encoder", {200: None}, errors=(404,))
def page_asset(name: str) -> ResponseReturnValue:
    return files.page_file(name)


@metrics_bp.get("/metrics")
@endpoint("Prometheus metrics (METRICS_ENABLED; to METRICS_ALLOWED_NETWORKS only)", {200: None}, errors=(403,))
def metrics_text() -> ResponseReturnValue:
    return metrics_endpoint.metrics_text()
