"""Every route: each declares its body, answers and errors once, and hands the controller its arguments.

A view passes what the request carries (the parsed body, path and query parameters) to one controller
function. A controller never reads the request's body or `g` (what the middleware verified, it asks the
middleware for); it may read the request's URL, headers and cookies where its answer depends on them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from controllers import account, api_sign_in, browser_session, check, files, metrics_endpoint, oauth, passkeys, probes
from controllers import hello as greeting
from middleware.authentication import require_token
from middleware.endpoint import endpoint
from middleware.ratelimit import per_client
from schemas import answers as out
from schemas import bodies
from schemas.webauthn import PasskeyFinish

bp = Blueprint("api", __name__)  # the API and its documentation
page = Blueprint("page", __name__)  # the sign-in page at `/` (DEMO_PAGE)
metrics_bp = Blueprint("metrics", __name__)  # /metrics (METRICS_ENABLED)
TOKENS = {200: out.SignedIn}
SESSION = {200: out.SessionOrChallenge, 303: None}
SIGN_IN: dict[str, Any] = {"errors": (401, 403), "cognito": True, "no_store": True}  # signing in
# Every answer about a user (a token, claims, attributes, a session, even "done" for a signed-in user) is
# never cached: `no_store` is declared on every route but the public ones tests/test_holes_no_store.py lists.
USER_DATA: dict[str, Any] = {"cognito": True, "no_store": True}


@bp.post("/auth/register")
@per_client("rate_limit_register")
@endpoint("Register a user (SignUp)", {201: out.Registered}, body=bodies.Register, errors=(409,), **USER_DATA)
def register(body: bodies.Register) -> ResponseReturnValue:
    return api_sign_in.register(body)


@bp.post("/auth/confirm")
@per_client("rate_limit_confirm")
@endpoint(
    "Confirm a sign-up with the emailed code (with register's session: signed in too)",
    {200: out.ConfirmedOrSignedIn},
    body=bodies.Confirm,
    errors=(401, 403),
    cognito=True,
    no_store=True,
)
def confirm(body: bodies.Confirm) -> ResponseReturnValue:
    return api_sign_in.confirm(body)


@bp.post("/auth/login")
@per_client("rate_limit_login")
@endpoint("Sign in: tokens, or a challenge", TOKENS, body=bodies.Login, **SIGN_IN)
def login(body: bodies.Login) -> ResponseReturnValue:
    return api_sign_in.login(body)


@bp.post("/auth/challenge")
@per_client("rate_limit_login")
@endpoint("Answer a sign-in challenge", TOKENS, body=bodies.Challenge, errors=(401,), cognito=True, no_store=True)
def challenge(body: bodies.ChallengeAnswer) -> ResponseReturnValue:
    return api_sign_in.challenge(body)


@bp.post("/auth/validate")
@per_client("rate_limit_validate")
@endpoint(
    "Validate a token from the body or the Authorization header",
    {200: out.Validated},
    body=bodies.Validate,
    errors=(401, 503),
    no_store=True,
    parameters=[{"name": "Authorization", "in": "header", "required": False, "schema": {"type": "string"}}],
)
def validate(body: bodies.Validate) -> ResponseReturnValue:
    return api_sign_in.validate(body)


@bp.post("/auth/resend-code")
@per_client("rate_limit_confirm")
@endpoint("Resend the sign-up confirmation code", {202: out.Accepted}, body=bodies.Username, cognito=True)
def resend_code(body: bodies.Username) -> ResponseReturnValue:
    return account.resend_code(body)


@bp.post("/auth/forgot-password")
@per_client("rate_limit_confirm")
@endpoint("Email a password reset code", {202: out.Accepted}, body=bodies.Username, cognito=True)
def forgot_password(body: bodies.Username) -> ResponseReturnValue:
    return account.forgot_password(body)


@bp.post("/auth/reset-password")
@per_client("rate_limit_confirm")
@endpoint("Reset the password with the code", {200: out.PasswordReset}, body=bodies.ResetPassword, **USER_DATA)
def reset_password(body: bodies.ResetPassword) -> ResponseReturnValue:
    return account.reset_password(body)


@bp.post("/auth/change-password")
@per_client("rate_limit_login")
@require_token({"access"})
@endpoint("Change the signed-in user's password", {200: out.PasswordChanged}, body=bodies.ChangePassword, **USER_DATA)
def change_password(body: bodies.ChangePassword) -> ResponseReturnValue:
    return account.change_password(body)


@bp.post("/auth/refresh")
@per_client("rate_limit_login")
@endpoint(
    "New tokens for a refresh token", {200: out.Tokens}, body=bodies.Refresh, errors=(401,), cognito=True, no_store=True
)
def refresh(body: bodies.Refresh) -> ResponseReturnValue:
    return account.refresh(body)


@bp.post("/auth/logout")
@require_token({"access"})
@endpoint("Sign out everywhere (and revoke a refresh token)", {204: None}, body=bodies.Logout, **USER_DATA)
def logout(body: bodies.Logout) -> ResponseReturnValue:
    return account.logout(body)


@bp.get("/auth/me")
@require_token({"access"}, scopes={"aws.cognito.signin.user.admin"})
@endpoint("The signed-in user's username and attributes", {200: out.Me}, cognito=True, no_store=True)
def me() -> ResponseReturnValue:
    return account.me()


@bp.post("/auth/mfa/totp/setup")
@require_token({"access"})
@endpoint("Start TOTP set-up: the secret and otpauth:// URI", {200: out.TotpSecret}, cognito=True, no_store=True)
def totp_setup() -> ResponseReturnValue:
    return account.totp_setup()


@bp.post("/auth/mfa/totp/verify")
@per_client("rate_limit_confirm")
@require_token({"access"})
@endpoint("Finish TOTP set-up with a code", {200: out.TotpEnabled}, body=bodies.TotpVerify, **USER_DATA)
def totp_verify(body: bodies.TotpVerify) -> ResponseReturnValue:
    return account.totp_verify(body)


@bp.get("/auth/config")
@endpoint("The pool's public settings for a front end", {200: out.PublicConfig}, errors=(500,))
def config() -> ResponseReturnValue:
    return api_sign_in.public_config()


@bp.get("/hello")
@require_token(alb=True)  # and a load balancer's user, with ALB_ARNS
@endpoint("Greet the user of a valid bearer token", {200: out.Greeting}, no_store=True)
def hello() -> ResponseReturnValue:
    return greeting.hello()


@bp.route("/auth/check", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
@endpoint(
    "Forward auth: may this request through? (X-Auth-Request-*)",
    {200: None},
    errors=(400, 401, 403, 503),
    no_store=True,
)
def check_request() -> ResponseReturnValue:
    return check.check(request.args)


@bp.get("/auth/sign-in")
@endpoint("The sign-in form for proxied apps (back to `rd`); signed in: who, and sign-out", {200: None}, no_store=True)
def sign_in() -> ResponseReturnValue:
    return browser_session.sign_in_or_signed_in(request.args.get("rd"))


@bp.get("/auth/sign-in.css")
@endpoint("The sign-in form's style sheet", {200: None})
def sign_in_style() -> ResponseReturnValue:
    return files.page_file("app.css")


@bp.post("/auth/session")
@per_client("rate_limit_login")
@endpoint("Sign in to a session cookie (no tokens answered)", SESSION, body=bodies.SessionSignIn, **SIGN_IN)
def start_session(body: bodies.SessionSignIn) -> ResponseReturnValue:
    return browser_session.start_session(body)


@bp.post("/auth/session/challenge")
@per_client("rate_limit_login")
@endpoint("Answer a sign-in challenge into a session cookie", SESSION, body=bodies.Challenge, **SIGN_IN)
def session_challenge(body: bodies.ChallengeAnswer) -> ResponseReturnValue:
    return browser_session.answer_session_challenge(body)


@bp.get("/auth/session")
@require_token({"access"})
@endpoint("The session cookie's user", {200: out.SessionInfo}, no_store=True)
def session() -> ResponseReturnValue:
    return browser_session.describe_session()


@bp.delete("/auth/session")
@require_token({"access"})
@endpoint("Sign out of the session (X-CSRF-Token required)", {204: None}, errors=(403,), **USER_DATA)
def end_session() -> ResponseReturnValue:
    return browser_session.end_session()


@bp.post("/auth/sign-out")
@endpoint(
    "The sign-out form for proxied apps (to `rd`; without the session's token: the confirmation page)",
    {200: None, 303: None},
    body=bodies.SignOut,
    errors=(403,),
    cognito=True,
    no_store=True,
)
def sign_out(body: bodies.SignOut) -> ResponseReturnValue:
    return browser_session.sign_out_form(body)


@bp.get("/auth/sign-out")
@endpoint(
    "Sign-out from a plain link: the confirmation form (no session: to `rd`)",
    {200: None, 303: None},
    cognito=True,  # the session is read, and refreshed when due
    no_store=True,
    parameters=[{"name": "rd", "in": "query", "required": False, "schema": {"type": "string"}}],
)
def sign_out_page() -> ResponseReturnValue:
    return browser_session.confirm_sign_out(request.args.get("rd"))


# Managed login (COGNITO_DOMAIN; else 404 managed_login_off): the code flow with PKCE, and Cognito's logout.
OAUTH_QUERY = [
    {"name": "rd", "in": "query", "required": False, "schema": {"type": "string"}},
    *(
        {"name": name, "in": "query", "required": False, "schema": oauth.pass_through_schema(limit)}
        for name, limit in oauth.PASS_THROUGH.items()
    ),
]
CALLBACK_QUERY = [
    {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
    for name in ("code", "state", "error", "error_description")
]


@bp.get("/auth/oauth/authorize")
@endpoint(
    "Managed login: to the pool's sign-in (back to `rd`)",
    {302: None},
    errors=(400, 404, 503),
    no_store=True,  # it sets the sign-in's binding cookie
    parameters=OAUTH_QUERY,
)
def oauth_authorize() -> ResponseReturnValue:
    return oauth.authorize(request.args)


@bp.get("/auth/oauth/callback")
@endpoint(
    "Managed login's redirect URI: a session cookie, then to `rd`",
    SESSION,
    errors=(400, 401, 404, 429, 503),
    no_store=True,
    parameters=CALLBACK_QUERY,
)
def oauth_callback() -> ResponseReturnValue:
    return oauth.callback(request.args)


@bp.get("/auth/oauth/logout")
@endpoint(
    "The sign-out confirmation (a form posting the session's CSRF token); no session: to Cognito's logout",
    {200: None, 303: None},
    errors=(404,),
    cognito=True,  # the session is read, and refreshed when due
    no_store=True,
)
def oauth_logout_page() -> ResponseReturnValue:
    return oauth.confirm_logout()


@bp.post("/auth/oauth/logout")
@endpoint(
    "Sign out of the session (its CSRF token), then Cognito's logout",
    {303: None},
    body=bodies.SessionCsrf,
    errors=(403, 404),
    cognito=True,
    no_store=True,
)
def oauth_logout(body: bodies.SessionCsrf) -> ResponseReturnValue:
    return oauth.logout(body)


# Passkeys of the signed-in user (issue 19): Cognito's WebAuthn operations, by the user's access token.
PASSKEYS: dict[str, Any] = {"cognito": True, "no_store": True}
USER_ADMIN = {"aws.cognito.signin.user.admin"}  # the scope Cognito's own user calls need (as /auth/me)


@bp.post("/auth/passkeys/register/start")
@per_client("rate_limit_confirm")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint("Start registering a passkey: the creation options", {200: out.PasskeyCreationOptions}, **PASSKEYS)
def passkey_register_start() -> ResponseReturnValue:
    return passkeys.register_start()


@bp.post("/auth/passkeys/register/finish")
@per_client("rate_limit_confirm")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint(
    "Finish registering a passkey with the browser's credential", {201: out.Passkeys}, body=PasskeyFinish, **PASSKEYS
)
def passkey_register_finish(body: PasskeyFinish) -> ResponseReturnValue:
    return passkeys.register_finish(body)


@bp.get("/auth/passkeys")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint("The signed-in user's passkeys", {200: out.Passkeys}, **PASSKEYS)
def passkey_list() -> ResponseReturnValue:
    return passkeys.passkeys()


@bp.delete("/auth/passkeys/<credential_id>")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint("Delete one of the signed-in user's passkeys", {204: None}, errors=(404,), **USER_DATA)
def passkey_delete(credential_id: str) -> ResponseReturnValue:
    return passkeys.delete(credential_id)


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


@page.get(f"/page/<any({PAGE_ASSETS}):name>")
@endpoint("The sign-in page's script, drawing helpers, style sheet and QR code encoder", {200: None}, errors=(404,))
def page_asset(name: str) -> ResponseReturnValue:
    return files.page_file(name)


@metrics_bp.get("/metrics")
@endpoint("Prometheus metrics (METRICS_ENABLED; to METRICS_ALLOWED_NETWORKS only)", {200: None}, errors=(403,))
def metrics_text() -> ResponseReturnValue:
    return metrics_endpoint.metrics_text()
