"""Browser sessions: sign in to a cookie (JSON or the plain sign-in form), see it, sign out of it.

The tokens stay on the server (services/state/session_store.py); the browser gets an HttpOnly cookie. The sign-in form
at /auth/sign-in serves proxied apps (forward auth): it needs no script, carries a token of its own against
login CSRF (the same random value in a short-lived cookie and in the form), and sends the browser back to
`rd` only where services/flows/redirects.py allows (without `rd`, back to /auth/sign-in, which then says who is
signed in and offers a sign-out button). Signing out takes the session's CSRF token; a plain link or a form
without it gets a confirmation page whose form carries it (templates/signed-in.html).
"""

from __future__ import annotations

from flask import jsonify, make_response, redirect, request
from werkzeug.wrappers import Response

import errors
from extensions import services
from middleware.authentication import current_session, session_of_request
from middleware.body import FORM
from middleware.portal_pages import SIGN_IN_PATH, portal_page, step_page
from middleware.ratelimit import guessing
from middleware.remembered_device import bound_device, cookie_device, signing_in, with_new_device
from middleware.session_cookie import check_origin, clear_cookie, cookie_name, same_secret
from middleware.signed_in import (
    SIGN_IN_COOKIE,
    answered_challenge,
    live_session,
    sign_out_of,
    signed_in_page,
    started_session,
)
from schemas import bodies
from services.flows.redirects import safe_redirect
from services.flows.sign_in_answers import unverified_claims
from services.policy.step_up import needs_fresh_sign_in, second_factor
from services.state.session_record import Session


def sign_in_or_signed_in(rd: str | None) -> Response:
    """The portal's first page; when the browser is signed in already, who it is and a sign-out button instead."""
    session = live_session()
    if session is None:
        return portal_page(rd)
    # A step-up (/auth/check's `max_age`, or `prompt=login`): the form again, though a session is live.
    if needs_fresh_sign_in(session, request.args.get("prompt"), request.args.get("max_age")):
        return portal_page(rd, "This page needs a recent sign-in: please sign in again.", session.username)
    return signed_in_page(session, "Signed in", "/auth/sign-out", rd, back=SIGN_IN_PATH)


def start_session(body: bodies.SessionSignIn) -> Response:
    """Sign in like /auth/login, but answer the session (a cookie) instead of tokens; a form is sent on."""
    check_origin()
    form = request.mimetype == FORM
    if form:
        expected = request.cookies.get(cookie_name(SIGN_IN_COOKIE), "")
        if not expected or not same_secret(body.csrf_token, expected):
            return portal_page(body.rd, "The sign-in form expired; please try again.", body.username, 403)
    try:  # the browser's remembered device, from its cookie (set or cleared by the response, whatever it is)
        with guessing(body.username), signing_in(cookie_device(), cookie=True) as device:
            answer = services().sign_ins.first_factor(body.username, body.password, body.preferred)
    except errors.ApiError as err:
        if not form:
            raise
        return portal_page(body.rd, err.message, body.username, err.status_code)
    services().sign_ins.signed_in(answer, proven_name=body.username if body.password is not None else None)
    if "access_token" not in answer:  # a challenge: the portal's next step, or answered at /auth/session/challenge
        if not form:
            return jsonify(answer)
        gave_password = body.password is not None and body.preferred in (None, "PASSWORD", "PASSWORD_SRP")
        return step_page(answer, body.username, body.rd, after_password=gave_password)
    # A form without `rd` lands on the sign-in page, which says who is signed in (never on raw JSON).
    shown = with_new_device({}, device, secret=False)  # the new device's key; its secret goes in its cookie
    return started_session(bound_device(answer, device), (body.rd or SIGN_IN_PATH) if form else None, shown)


def answer_session_challenge(body: bodies.ChallengeAnswer) -> Response:
    """A sign-in challenge answered as /auth/challenge does, the result a session rather than tokens. JSON only:
    no form of this server posts here (the portal's steps go to /auth/sign-in/step, each with its own token), and
    a form from another site could otherwise sign a browser that sends no `Origin` in as someone else."""
    check_origin()
    if request.mimetype == FORM:
        raise errors.UnsupportedMediaType("Send the challenge's answer as JSON (the portal's forms post elsewhere).")
    with signing_in(cookie_device(), cookie=True) as device:
        answer = answered_challenge(body)
    if "access_token" not in answer:
        return jsonify(answer)
    # What the policy file's `mfa: true` reads: the session began with a second factor (an EMAIL_OTP never
    # counts here: without the portal's steps, nothing says it came after a password; step_up.py).
    mfa = second_factor(body.challenge, after_password=False)
    return started_session(
        bound_device({**answer, "mfa": mfa}, device), None, with_new_device({}, device, secret=False)
    )


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


def _required() -> Session:
    session = current_session()
    if session is None:
        raise errors.InvalidToken("No session: sign in first.")
    return session


def _destination(rd: str | None) -> str:
    return safe_redirect(rd, services().settings.session_redirect_hosts) or "/"
