"""The portal's pages (/auth/sign-in): each rendered with a fresh CSRF token of its own, in the form and in a
short-lived SameSite=Strict cookie, under a policy that runs only this server's scripts (the passkey step's).

A step of a sign-in under way (a code, a new password, a factor to choose, a passkey) is stored server-side
(services/flows/portal_step.py) under a random id that its form carries; the form's CSRF token is bound to
the step, so a step answers only its own form, once.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import make_response, render_template
from werkzeug.wrappers import Response

from extensions import services
from middleware.session_cookie import set_cookie
from middleware.signed_in import SIGN_IN_COOKIE, SIGN_IN_POLICY
from services.flows.portal_step import PortalStep, csrf_digest

SIGN_IN_SECONDS = 600
SIGN_IN_PATH = "/auth/sign-in"
# What each factor of PORTAL_FACTORS asks Cognito for first (USER_AUTH's PREFERRED_CHALLENGE).
FACTOR_CHALLENGES = {"email_code": "EMAIL_OTP", "sms_code": "SMS_OTP", "passkey": "WEB_AUTHN"}


def page(template: str, status: int = 200, **context: Any) -> tuple[Response, str]:
    """`template` rendered with the portal's branding and a fresh CSRF token (in the form and its cookie);
    the token too, for a step to be bound to."""
    settings = services().settings
    token = secrets.token_urlsafe(32)
    html = render_template(
        template,
        csrf_token=token,
        title=settings.portal_title,
        logo=bool(settings.portal_logo),
        sign_up=settings.sign_up_enabled,
        status=status,
        **context,
    )
    response = make_response(html, status)
    response.headers.update({"Cache-Control": "no-store", "Content-Security-Policy": SIGN_IN_POLICY})
    set_cookie(response, SIGN_IN_COOKIE, token, SIGN_IN_SECONDS, samesite="Strict")
    return response, token


def portal_page(rd: str | None, message: str = "", username: str = "", status: int = 200) -> Response:
    """The first page: the factors PORTAL_FACTORS offers, a button per managed-login provider, forgot password,
    and sign-up when SIGN_UP_ENABLED."""
    app_services = services()
    settings = app_services.settings
    providers = list(settings.oauth_identity_providers) if app_services.managed_login else None
    factors = settings.portal_factors
    response, _ = page(
        "portal.html",
        status,
        rd=rd or "",
        message=message,
        username=username,
        password="password" in factors,
        codes=[FACTOR_CHALLENGES[f] for f in factors if f in ("email_code", "sms_code")],
        passkey="passkey" in factors,
        providers=providers,
    )
    return response


def step_page(
    answer: dict[str, Any],
    username: str,
    rd: str | None,
    message: str = "",
    status: int = 200,
    after_password: bool = False,
) -> Response:
    """The page for the challenge Cognito asked next (`answer`, in the API's words), its step stored;
    `after_password`: it came right after a password the user gave (services/policy/step_up.py)."""
    if answer["challenge"] == "MFA_SETUP" and "secret" not in (answer.get("parameters") or {}):
        # MFA_SETUP's first half: a TOTP secret for the sign-in's session, shown for the app to add.
        issuer = services().settings.totp_issuer
        answer = {**answer, **services().auth.mfa_setup_challenge(username, answer["session"], issuer)}
    parameters = dict(answer.get("parameters") or {})
    if "credential_request_options" in answer:
        parameters["credential_request_options"] = answer["credential_request_options"]
    if "code_delivery" in answer:
        parameters["code_delivery"] = answer["code_delivery"]
    step = PortalStep(
        username=username,
        challenge=answer["challenge"],
        session=answer["session"],
        rd=rd,
        csrf_digest="",
        parameters=parameters,
        available=list(answer.get("available_challenges") or answer.get("available_mfa_types") or []),
        after_password=after_password,
    )
    return show_step(step, message, status)


def show_step(step: PortalStep, message: str = "", status: int = 200) -> Response:
    """The page of `step`, stored again under a new id bound to the page's new CSRF token."""
    step_id = secrets.token_urlsafe(32)
    response, token = page("portal-step.html", status, step=step, step_id=step_id, message=message, rd=step.rd or "")
    stored = PortalStep(**{**step.__dict__, "csrf_digest": csrf_digest(token)})
    services().portal_steps.put(step_id, stored)
    return response
