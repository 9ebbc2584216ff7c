"""The request's side of a finished sign-in and of a sign-out, shared by the API, the browser session and
managed login: the guess limit around a challenge's answer, the session cookie set for a sign-in's tokens, the
page that says who is signed in (with its sign-out form), and the request's session signed out of. The work
itself is services/flows/after_sign_in.py's."""

from __future__ import annotations

import json
from typing import Any

from flask import jsonify, make_response, redirect, render_template, request
from werkzeug.wrappers import Response

import errors
from extensions import services
from middleware.authentication import forget_session, session_of_request, verified_claims
from middleware.ratelimit import guessing
from middleware.session_cookie import COOKIE, clear_cookie, cookie_name, set_session_cookie
from schemas import bodies
from services.flows.redirects import safe_redirect
from services.state.session_record import Session

SIGN_IN_COOKIE = "auth_sign_in"  # the sign-in form's own CSRF token
# The portal's own style sheet, logo and passkey script, nothing else: no inline script, no requests from a
# script (the passkey step fills in its form and submits it); never framed (a framed form could be clicked for
# the user). No form-action: browsers apply it to the redirect after the form too, and `rd` may be another
# allowed host.
SIGN_IN_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def answered_challenge(body: bodies.ChallengeAnswer) -> dict[str, Any]:
    """Cognito's answer to a challenge's answer: the tokens, or the next challenge."""
    app_services = services()
    auth = app_services.auth
    if body.challenge == "MFA_SETUP" and body.code is None:  # two steps: first a TOTP secret for the session
        return auth.mfa_setup_challenge(body.username, body.session, app_services.settings.totp_issuer)
    with guessing(body.username):  # a code, a password or a passkey: each answer is a guess
        if body.challenge == "MFA_SETUP":
            result = auth.answer_mfa_setup(body.username, body.session, body.code)
        else:
            answer, more = _answer_of(body)
            result = auth.answer_challenge(body.username, body.challenge, body.session, answer, **more)
    return app_services.sign_ins.signed_in(result)


def _answer_of(body: bodies.ChallengeAnswer) -> tuple[str, dict[str, str]]:
    """The challenge's answer as Cognito takes it, and any further response (SELECT_CHALLENGE's PASSWORD)."""
    if isinstance(body, bodies.NewPasswordAnswer):
        return body.new_password, {}
    if isinstance(body, bodies.SelectChallengeAnswer):
        one_step = body.answer in ("PASSWORD", "PASSWORD_SRP") and body.password is not None
        return body.answer, {"PASSWORD": body.password} if one_step else {}
    if isinstance(body, bodies.PasskeyAnswer):
        return json.dumps(body.credential.as_cognito(), separators=(",", ":")), {}
    if isinstance(body, bodies.PasswordAnswer):
        return body.password, {}
    if isinstance(body, bodies.SelectMfaTypeAnswer):
        return body.answer, {}
    return body.code, {}


def started_session(answer: dict[str, Any], rd: str | None, extra: dict[str, Any] | None = None) -> Response:
    """A new session for a sign-in's tokens, its cookie set (the browser's previous session ends): a 303 to
    `rd` when one is given (where safe, else `/`), else the session as JSON (with `extra`'s fields)."""
    app_services = services()
    session_id, session = app_services.sign_ins.start_session(answer, request.cookies.get(cookie_name(COOKIE)))
    if rd is not None:
        response = redirect(safe_redirect(rd, app_services.settings.session_redirect_hosts) or "/", 303)
    else:
        started = {"username": session.username, "expires_at": session.expires_at, "csrf_token": session.csrf_token}
        response = jsonify({**(extra or {}), **started})
    set_session_cookie(response, session_id)
    clear_cookie(response, SIGN_IN_COOKIE)
    return response


def sign_out_of(session: Session) -> None:
    """Sign the session's user out as /auth/logout does (when its token still holds), and forget the session."""
    try:
        claims = verified_claims(session.access_token, {"access"})
    except errors.InvalidToken:  # signed out elsewhere already (or revoked): only the session is left to end
        forget_session()
        return
    try:
        services().sign_ins.sign_out(session.access_token, claims, session.refresh_token)
    except (errors.NotAuthorized, errors.InvalidToken):  # Cognito no longer takes the token (signed out there)
        pass
    forget_session()


def signed_in_page(session: Session, title: str, action: str, rd: str | None, back: str | None) -> Response:
    """Who is signed in, and a form posting the session's CSRF token to `action` (a sign-out), with `back`
    as its `rd`; a link on to `rd` where it is safe. Never cached, never framed."""
    settings = services().settings
    hosts = settings.session_redirect_hosts
    page = render_template(
        "signed-in.html",
        page_title=title,
        title=settings.portal_title,
        logo=bool(settings.portal_logo),
        status=200,
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
