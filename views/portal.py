"""The sign-in portal's steps after its first page (/auth/sign-in, in `sessions`): a challenge's answer,
"forgot password", sign-up (SIGN_UP_ENABLED), its logo and the passkey step's scripts."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from controllers import files, portal
from middleware.endpoint import endpoint
from middleware.ratelimit import per_client
from schemas.portal_forms import ConfirmForm, ForgotForm, ResetForm, SignUpForm, StepForm
from views import SIGN_IN, bp

PAGE = {200: None, 303: None}  # a page, or on to `rd` when signed in
FORM = {**SIGN_IN, "page": True}  # a form of the portal: posted by the browser, answered with a page
GATED = {**FORM, "errors": (401, 403, 404)}  # sign-up's forms: 404 unless SIGN_UP_ENABLED
RD = [{"name": "rd", "in": "query", "required": False, "schema": {"type": "string"}}]


@bp.post("/auth/sign-in/step")
@per_client("rate_limit_login")
@endpoint(
    "The portal: answer a sign-in step (a code, a new password, a factor, a passkey)", PAGE, body=StepForm, **FORM
)
def portal_step(body: StepForm) -> ResponseReturnValue:
    return portal.answer_step(body)


@bp.get("/auth/sign-in/forgot")
@endpoint("The portal: forgot password (the username)", {200: None}, no_store=True, parameters=RD)
def portal_forgot() -> ResponseReturnValue:
    return portal.forgot_page(request.args.get("rd"))


@bp.post("/auth/sign-in/forgot/code")
@per_client("rate_limit_confirm")
@endpoint("The portal: send a reset code, then ask for it", {200: None}, body=ForgotForm, **FORM)
def portal_send_reset_code(body: ForgotForm) -> ResponseReturnValue:
    return portal.send_reset_code(body)


@bp.post("/auth/sign-in/reset")
@per_client("rate_limit_confirm")
@endpoint("The portal: a new password with the reset code", {200: None}, body=ResetForm, **FORM)
def portal_reset(body: ResetForm) -> ResponseReturnValue:
    return portal.reset_password(body)


@bp.get("/auth/sign-in/sign-up")
@endpoint("The portal: sign up (SIGN_UP_ENABLED)", {200: None}, errors=(404,), no_store=True, parameters=RD)
def portal_sign_up_page() -> ResponseReturnValue:
    return portal.sign_up_page(request.args.get("rd"))


@bp.post("/auth/sign-in/register")
@per_client("rate_limit_register")
@endpoint("The portal: register, then ask for the code", {200: None}, body=SignUpForm, **GATED)
def portal_sign_up(body: SignUpForm) -> ResponseReturnValue:
    return portal.sign_up(body)


@bp.post("/auth/sign-in/confirm")
@per_client("rate_limit_confirm")
@endpoint("The portal: confirm a sign-up with its code", {200: None}, body=ConfirmForm, **GATED)
def portal_confirm(body: ConfirmForm) -> ResponseReturnValue:
    return portal.confirm_sign_up(body)


@bp.get("/auth/sign-in/logo")
@endpoint("The portal's logo (PORTAL_LOGO)", {200: None}, errors=(404,))
def portal_logo() -> ResponseReturnValue:
    return portal.logo()


@bp.get("/auth/sign-in/<any('passkeys.js', 'portal-passkey.js'):name>")
@endpoint("The portal's passkey step: its scripts", {200: None}, errors=(404,))
def portal_script(name: str) -> ResponseReturnValue:
    return files.page_file(name)
