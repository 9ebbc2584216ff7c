"""The signed-in user's own record (change, verify, delete attributes) and MFA choices."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from controllers import profile
from middleware.authentication import require_token
from middleware.endpoint import endpoint
from middleware.ratelimit import per_client
from schemas import profile as shapes
from views import USER_DATA, bp

USER_ADMIN = {"aws.cognito.signin.user.admin"}  # the scope Cognito's own user calls need (as /auth/me)


@bp.patch("/auth/me")
@per_client("rate_limit_confirm")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint(
    "Change the signed-in user's attributes", {200: shapes.ProfileUpdated}, body=shapes.UpdateAttributes, **USER_DATA
)
def update_me(body: shapes.UpdateAttributes) -> ResponseReturnValue:
    return profile.update(body)


@bp.post("/auth/me/verify")
@per_client("rate_limit_confirm")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint(
    "Verify the email or phone number with its code",
    {200: shapes.AttributeVerified},
    body=shapes.VerifyAttribute,
    **USER_DATA,
)
def verify_attribute(body: shapes.VerifyAttribute) -> ResponseReturnValue:
    return profile.verify(body)


@bp.post("/auth/me/verify/resend")
@per_client("rate_limit_confirm")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint(
    "Send a new verification code for the email or phone number",
    {200: shapes.AttributeCodeSent},
    body=shapes.ResendAttributeCode,
    **USER_DATA,
)
def resend_attribute_code(body: shapes.ResendAttributeCode) -> ResponseReturnValue:
    return profile.resend(body)


@bp.delete("/auth/me/attributes/<name>")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint("Delete one of the signed-in user's attributes", {204: None}, errors=(400,), **USER_DATA)
def delete_attribute(name: str) -> ResponseReturnValue:
    return profile.delete_attribute(name)


@bp.get("/auth/mfa")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint("The signed-in user's MFA factors and the pool's", {200: shapes.MfaSettings}, **USER_DATA)
def mfa_settings() -> ResponseReturnValue:
    return profile.mfa()


@bp.put("/auth/mfa")
@per_client("rate_limit_confirm")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint(
    "Turn MFA factors on or off and choose the preferred one",
    {200: shapes.MfaSettings},
    body=shapes.MfaChoice,
    **USER_DATA,
)
def set_mfa_settings(body: shapes.MfaChoice) -> ResponseReturnValue:
    return profile.set_mfa(body)
