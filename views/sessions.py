"""Browser sessions and forward auth: `/auth/check`, the sign-in and sign-out forms, the session cookie."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from controllers import browser_session, check, files, signing_keys
from middleware.authentication import require_token
from middleware.endpoint import endpoint
from middleware.ratelimit import per_client
from schemas import answers as out
from schemas import bodies
from views import SESSION, SIGN_IN, USER_DATA, bp


@bp.route("/auth/check", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
@endpoint(
    "Forward auth: may this request through? (X-Auth-Request-*)",
    {200: None},
    errors=(400, 401, 403, 503),
    no_store=True,
)
def check_request() -> ResponseReturnValue:
    return check.check(request.args)


@bp.get("/.well-known/jwks.json")
@endpoint(
    "The public keys of /auth/check's X-Auth-Request-Assertion (404 without ASSERTION_KEY_FILE)",
    {200: None},
    errors=(404,),
)
def jwks() -> ResponseReturnValue:
    return signing_keys.jwks()


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
