"""A pool's MFA factors and a user's, set for the MFA tests (tests/test_mfa_choices.py, tests/test_mfa_select.py)."""

from __future__ import annotations

from typing import Any

from tests.support.helpers import bearer, totp

SES = {"EmailSendingAccount": "DEVELOPER", "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com"}
EMAIL_MFA = {"Message": "Your code is {####}", "Subject": "Your code"}
SMS_MFA = {"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns", "ExternalId": "x"}}


def pool_mfa(
    emulator: Any, pool: dict[str, Any], mode: str = "OPTIONAL", *, email: bool = True, sms: bool = False
) -> None:
    """The pool offers TOTP, and email (through SES) and SMS as asked."""
    cognito, pool_id = emulator.client, pool["user_pool_id"]
    cognito.update_user_pool(UserPoolId=pool_id, EmailConfiguration=SES, AutoVerifiedAttributes=["email"])
    factors: dict[str, Any] = {"SoftwareTokenMfaConfiguration": {"Enabled": True}}
    factors |= {"EmailMfaConfiguration": EMAIL_MFA} if email else {}
    factors |= {"SmsMfaConfiguration": SMS_MFA} if sms else {}
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration=mode, **factors)


def totp_set_up(client: Any, token: str) -> str:
    """TOTP set up through the API (which turns it on, preferred); its secret."""
    secret = client.post("/auth/mfa/totp/setup", headers=bearer(token)).json["secret"]
    assert client.post("/auth/mfa/totp/verify", json={"code": totp(secret)}, headers=bearer(token)).status_code == 200
    return str(secret)


def put_mfa(client: Any, token: str, enabled: list[str], preferred: str | None = None) -> Any:
    """PUT /auth/mfa."""
    body = {"enabled": enabled, **({"preferred": preferred} if preferred else {})}
    return client.put("/auth/mfa", json=body, headers=bearer(token))
