"""Browser sessions: sign in to a cookie (JSON or the plain sign-in form), see it, sign out of it.

The tokens stay on the server (services/sessions.py); the browser gets an HttpOnly cookie. The sign-in form
at /auth/sign-in serves proxied apps (forward auth): it needs no script, carries a token of its own against
login CSRF (the same random value in a short-lived cookie and in the form), and sends the browser back to
`rd` only where services/redirects.py allows (without `rd`, back to /auth/sign-in, which then says who is
signed in and offers a sign-out button). Signing out takes the session's CSRF token; a plain link or a form
without it gets a confirmation page whose form carries it (templates/signed-in.html).
"""

from __future__ import annotations

import secrets

from flask import jsonify, make_response, redirect, render_template, request
from werkzeug.wrappers import Response

import errors
from controllers.account import sign_out
from controllers.auth import answered_challenge, first_factor, signed_in
from extensions import services
from middleware.auth import verified_claims
from middleware.body import FORM
from middleware.ratelimit import guessing
from middleware.sessions import (
    COOKIE,
    check_origin,
    clear_cookie,
    cookie_name,
    current_session,
    forget_session,
    same_secret,
    session_of_request,
    set_cookie,
    set_session_cookie,
)
from schemas import bodies
from services.answers import unverified_claims
from services.redirects import safe_redirect
from services.session_record import Session

SIGN_IN_COOKIE = "auth_sign_in"  # the sign-in form's own CSRF token
SIGN_IN_SECONDS = 600
SIGN_IN_PATH = "/auth/sign-in"
# The form's own style sheet, nothing else; never framed (a framed form could be clicked for the user). No
# form-action: browsers apply it to the redirect after the form too, and `rd` may be another allowed host.
SIGN_IN_POLICY = "default-src 'none'; style-src 'self'; img-src data:; base-uri 'none'; frame-ancestors 'none'"


def sign_in_or_signed_in(rd: str | None) -> Response:
    """The sign-in form; when the browser is signed in already, who it is and a sign-out button instead."""
    session = live_session()
    if session is None:
        return sign_in_page(rd)
    return signed_in_page(session, "Signed in", "/auth/sign-out", rd, back=SIGN_IN_PATH)


def sign_in_page(rd: str | None, message: str = "", username: str = "", status: int = 200) -> Response:
    """The plain sign-in form, with a fresh login-CSRF token in it and in a cookie."""
    token = secrets.token_urlsafe(32)
    page = render_template("sign-in.html", rd=rd or "", message=message, username=username, csrf_token=token)
    response = make_response(page, status)
    response.headers.update({"Cache-Control": "no-store", "Content-Security-Policy": SIGN_IN_POLICY})
    set_cookie(response, SIGN_IN_COOKIE, token, SIGN_IN_SECONDS, samesite="Strict")
    return response


def start_session(body: bodies.SessionSignIn) -> Response:
    """Sign in like /auth/login, but answer the session (a cookie) instead of tokens; a form is sent on."""
    check_origin()
    form = request.mimetype == FORM
    if form:
        expected = request.cookies.get(cookie_name(SIGN_IN_COOKIE), "")
        if not expected or not same_secret(body.csrf_token, expected):
            return sign_in_page(body.rd, "The sign-in form expired; please try again.", body.username, 403)
    try:
        with guessing(body.username):
            answer = first_factor(body.username, body.password, body.preferred)
    except errors.ApiError as err:
        if not form:
            raise
        return sign_in_page(body.rd, err.message, body.username, err.status_code)
    signed_in(answer, proven_name=body.username if body.password is not None else None)
    if "access_token" not in answer:  # a challenge: answered at /auth/session/challenge
        if form:
            message = "This account needs another step (a code or a new password): sign in through the API."
            return sign_in_page(body.rd, message, body.username, 403)
        return jsonify(answer)
    # A form without `rd` lands on the sign-in page, which says who is signed in (never on raw JSON).
    return started_session(answer, (body.rd or SIGN_IN_PATH) if form else None)


def answer_session_challenge(body: bodies.ChallengeAnswer) -> Response:
    """A sign-in challenge answered as /auth/challenge does, the result a session rather than tokens."""
    check_origin()
    answer = answered_challenge(body)
    if "access_token" not in answer:
        return jsonify(answer)
    return started_session(answer, None)


def started_session(answer: dict, rd: str | None) -> Response:
    """A new session for a sign-in's tokens, its cookie set (the browser's previous session ends): a 303 to
    `rd` when one is given (where safe, else `/`), else the session as JSON."""
    previous = request.cookies.get(cookie_name(COOKIE))
    if previous and len(previous) <= 128:  # a sign-in replaces the browser's session: the old one ends here
        services().sessions.delete(previous)
    session_id, session = services().sessions.create(answer)
    if rd is not None:
        response = redirect(_destination(rd), 303)
    else:
        response = jsonify(username=session.username, expires_at=session.expires_at, csrf_token=session.csrf_token)
    set_session_cookie(response, session_id)
    clear_cookie(response, SIGN_IN_COOKIE)
    return response


def describe_session() -> Response:
    """The signed-in user of the session cookie."""
    session = _required()
    return jsonify(
        username=session.username,
        email=session.email,
        groups=list(session.groups),
        expires_at=session.expires_at,
        csrf_token=session.csrf_token,
        # What the ID token says (read: it came from Cognito, or was verified at a managed login's callback).
        claims=unverified_claims(session.id_token),
    )


def end_session() -> Response:
    """Sign out of the session (as /auth/logout does), forget it, and clear the cookie: 204."""
    response = make_response("", 204)
    sign_out_of(_required())
    clear_cookie(response)
    return response


def sign_out_form(body: bodies.SignOut) -> Response:
    """The sign-out form of a proxied app: sign out when signed in (the form carrying the session's CSRF
    token), then back to `rd` (303); with no live session, only the cookie is cleared. A form without the
    token (a proxied app's static page cannot know it) gets the confirmation page; a JSON call, 403."""
    check_origin()
    session = session_of_request()
    if session is not None:
        if not same_secret(body.csrf_token, session.csrf_token):
            if request.mimetype != FORM:
                raise errors.CsrfFailed()
            return signed_in_page(session, "Sign out?", "/auth/sign-out", body.rd, back=body.rd)
        sign_out_of(session)
    return signed_out(body.rd)


def confirm_sign_out(rd: str | None) -> Response:
    """GET /auth/sign-out (a plain link on a proxied app): the confirmation form, which posts the session's
    CSRF token; with no live session, the cookie cleared and back to `rd` (303), as the form would."""
    session = session_of_request()
    if session is None:
        return signed_out(rd)
    return signed_in_page(session, "Sign out?", "/auth/sign-out", rd, back=rd)


def signed_out(rd: str | None) -> Response:
    """The 303 to `rd` (where safe, else `/`) that ends a sign-out, the session cookie cleared."""
    response = redirect(_destination(rd), 303)
    clear_cookie(response)
    return response


def signed_in_page(session: Session, title: str, action: str, rd: str | None, back: str | None) -> Response:
    """Who is signed in, and a form posting the session's CSRF token to `action` (a sign-out), with `back`
    as its `rd`; a link on to `rd` where it is safe. Never cached, never framed."""
    hosts = services().settings.session_redirect_hosts
    page = render_template(
        "signed-in.html",
        title=title,
        name=session.username,
        email=session.email if session.email != session.username else None,
        action=action,
        csrf_token=session.csrf_token,
        rd=safe_redirect(back, hosts),
        onward=safe_redirect(rd, hosts) if rd != back else None,
    )
    response = make_response(page, 200)
    response.headers.update({"Cache-Control": "no-store", "Content-Security-Policy": SIGN_IN_POLICY})
    return response


def live_session() -> Session | None:
    """The request's session when its access token still holds (not signed out or revoked elsewhere)."""
    session = session_of_request()
    if session is None:
        return None
    try:
        verified_claims(session.access_token, {"access"})
    except errors.InvalidToken:
        return None
    return session


def sign_out_of(session: Session) -> None:
    """Sign the session's user out as /auth/logout does (when its token still holds), and forget the session."""
    try:
        claims = verified_claims(session.access_token, {"access"})
    except errors.InvalidToken:  # signed out elsewhere already (or revoked): only the session is left to end
        forget_session()
        return
    try:
        sign_out(session.access_token, claims, session.refresh_token)
    except (errors.NotAuthorized, errors.InvalidToken):  # Cognito no longer takes the token (signed out there)
        pass
    forget_session()


def _required() -> Session:
    session = current_session()
    if session is None:
        raise errors.InvalidToken("No session: sign in first.")
    return session


def _destination(rd: str | None) -> str:
    return safe_redirect(rd, services().settings.session_redirect_hosts) or "/"
