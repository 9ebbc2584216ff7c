"""The sign-in portal's steps after its first page (controllers/browser_session.py starts a sign-in): the
challenge Cognito asked next, "forgot password", sign-up, and the portal's logo.

Every form is checked against its page's CSRF token (the cookie middleware/portal_pages.py set); a step's form
also against the step it was rendered for, which is taken once: a replayed form finds nothing. A wrong code
or a password the pool refuses shows the same step again (Cognito's session for it still holds); an ended
session or a refused sign-in goes back to the first page, with the reason, `rd` kept throughout.
"""

from __future__ import annotations

import os

from flask import abort, request, send_file
from werkzeug.wrappers import Response

import errors
from config_gateway import LOGO_TYPES
from extensions import services
from middleware.endpoint import parse
from middleware.portal_pages import SIGN_IN_PATH, page, portal_page, show_step, step_page
from middleware.ratelimit import guessing
from middleware.remembered_device import bound_device, cookie_device, signing_in
from middleware.session_cookie import check_origin, cookie_name, same_secret
from middleware.signed_in import SIGN_IN_COOKIE, answered_challenge, started_session
from schemas import bodies
from schemas.portal_forms import ConfirmForm, ForgotForm, PortalForm, ResetForm, SignUpForm, StepForm
from services.common import strictjson
from services.flows.portal_step import PortalStep
from services.policy.step_up import second_factor

EXPIRED = "The sign-in form expired; please try again."
# Refusals that leave Cognito's session for the step usable: the same step is shown again, with the reason.
RETRY_STEP = (errors.CodeMismatch, errors.ExpiredCode, errors.InvalidPassword, errors.InvalidRequest)


def answer_step(form: StepForm) -> Response:
    """The answer to a step of a sign-in: the session and back to `rd` when Cognito answers tokens, else the
    next step's page."""
    check_origin()
    step = services().portal_steps.take(form.step)
    if step is None:
        return portal_page(form.rd, "This sign-in step has expired or was already used: please start again.", "", 400)
    if not _same_page(form) or not step.answered_by(form.csrf_token):
        return portal_page(step.rd, EXPIRED, step.username, 403)
    try:  # the browser's remembered device (its cookie), as at the first step: confirmed when new
        body = parse(bodies.Challenge, _challenge_fields(step, form))
        with signing_in(cookie_device(), cookie=True) as device:
            answer = answered_challenge(body)
    except RETRY_STEP as err:
        return show_step(step, err.message, err.status_code)
    except errors.ApiError as err:
        return portal_page(step.rd, err.message, step.username, err.status_code)
    if "access_token" in answer:  # a second factor answered last: a policy's `mfa: true` is met
        mfa = second_factor(step.challenge, step.after_password)
        return started_session(bound_device({**answer, "mfa": mfa}, device), step.rd or SIGN_IN_PATH)
    return step_page(answer, step.username, step.rd, after_password=_gave_password(step, form))


def _gave_password(step: PortalStep, form: StepForm) -> bool:
    """Whether this step's answer was a password (or SELECT_MFA_TYPE's choice, which only follows one): what
    Cognito asks next is then never a passwordless first factor."""
    if step.challenge in ("PASSWORD", "NEW_PASSWORD_REQUIRED", "SELECT_MFA_TYPE"):
        return True
    return step.challenge == "SELECT_CHALLENGE" and form.answer in ("PASSWORD", "PASSWORD_SRP") and bool(form.password)


def _challenge_fields(step: PortalStep, form: StepForm) -> dict[str, object]:
    """The challenge's answer as /auth/challenge takes it: the step's user, challenge and session, and the form's
    answer (a passkey's assertion parsed from its JSON text)."""
    fields: dict[str, object] = {"username": step.username, "challenge": step.challenge, "session": step.session}
    for name in ("code", "new_password", "answer", "password"):
        value = getattr(form, name)
        if value is not None:
            fields[name] = value
    if form.credential is not None:
        try:
            # As the API's JSON bodies are read (middleware/body.py): nested past the stack is a wrong answer too.
            fields["credential"] = strictjson.loads(form.credential)
        except (ValueError, RecursionError):
            raise errors.InvalidRequest("The browser's passkey answer could not be read.") from None
    return fields


def forgot_page(rd: str | None) -> Response:
    """ "Forgot password": the form asking for the username."""
    return page("portal-forgot.html", rd=rd or "", username="", message="", sent=False)[0]


def send_reset_code(form: ForgotForm) -> Response:
    """Send a reset code (the same answer for unknown users), then the form for the code and a new password."""
    check_origin()
    if not _same_page(form):
        return page("portal-forgot.html", 403, rd=form.rd or "", username=form.username, message=EXPIRED, sent=False)[0]
    try:
        services().auth.forgot_password(form.username)
    except errors.ApiError as err:  # too many requests, Cognito unavailable: the page says so, not raw JSON
        context = {"rd": form.rd or "", "username": form.username, "message": err.message, "sent": False}
        return page("portal-forgot.html", err.status_code, **context)[0]
    message = "If the account exists, a reset code is on its way."
    return page("portal-forgot.html", rd=form.rd or "", username=form.username, message=message, sent=True)[0]


def reset_password(form: ResetForm) -> Response:
    """Set the new password with the code (every session of the user ends), then the first page to sign in."""
    check_origin()
    if not _same_page(form):
        return page("portal-forgot.html", 403, rd=form.rd or "", username=form.username, message=EXPIRED, sent=True)[0]
    try:
        with guessing(form.username):
            services().sign_ins.reset_password(form.username, form.code, form.new_password)
    except errors.ApiError as err:
        context = {"rd": form.rd or "", "username": form.username, "message": err.message, "sent": True}
        return page("portal-forgot.html", err.status_code, **context)[0]
    return portal_page(form.rd, "Your password is changed: sign in with it.", form.username)


def sign_up_page(rd: str | None) -> Response:
    """The sign-up form (404 unless SIGN_UP_ENABLED)."""
    _sign_up_enabled()
    return page("portal-sign-up.html", rd=rd or "", username="", email="", message="", sent=False)[0]


def sign_up(form: SignUpForm) -> Response:
    """Register (SignUp), then the form for the emailed code."""
    _sign_up_enabled()
    check_origin()
    username = form.username or form.email
    context = {"rd": form.rd or "", "username": username, "email": form.email}
    if not _same_page(form):
        return page("portal-sign-up.html", 403, message=EXPIRED, sent=False, **context)[0]
    try:
        registered = services().auth.register(username, form.email, form.password, None)
    except errors.ApiError as err:
        return page("portal-sign-up.html", err.status_code, message=err.message, sent=False, **context)[0]
    if registered.get("user_confirmed"):
        return portal_page(form.rd, "Your account is ready: sign in.", username)
    return page("portal-sign-up.html", 200, message="Enter the code we sent you.", sent=True, **context)[0]


def confirm_sign_up(form: ConfirmForm) -> Response:
    """Confirm the sign-up with its code, then the first page to sign in."""
    _sign_up_enabled()
    check_origin()
    context = {"rd": form.rd or "", "username": form.username, "email": ""}
    if not _same_page(form):
        return page("portal-sign-up.html", 403, message=EXPIRED, sent=True, **context)[0]
    try:
        with guessing(form.username):
            services().auth.confirm(form.username, form.code, None)
    except errors.ApiError as err:
        return page("portal-sign-up.html", err.status_code, message=err.message, sent=True, **context)[0]
    return portal_page(form.rd, "Your account is confirmed: sign in.", form.username)


def logo() -> Response:
    """PORTAL_LOGO's file (404 when none is set)."""
    path = services().settings.portal_logo
    if not path:
        abort(404)
    response = send_file(path, mimetype=LOGO_TYPES[os.path.splitext(path)[1].lower()], max_age=3600)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"  # an SVG's own
    return response


def _same_page(form: PortalForm) -> bool:
    """Whether the form carries the CSRF token its page set in the browser's cookie."""
    expected = request.cookies.get(cookie_name(SIGN_IN_COOKIE), "")
    return bool(expected) and same_secret(form.csrf_token, expected)


def _sign_up_enabled() -> None:
    if not services().settings.sign_up_enabled:
        abort(404)
