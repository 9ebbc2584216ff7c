"""Fixtures of the trigger tests (tests/test_emulator_triggers*.py): a pool running tests/support/trigger_sample.py."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support import trigger_sample
from tests.support.helpers import PASSWORD

POLICY = {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True}
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
SES = "arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com"


def make_pool(client: Any, name: str = "triggers", flows: list[str] | None = None) -> dict[str, str]:
    """A pool whose email is sent by the developer's SES account (so a trigger may rewrite it), email
    auto-verified, and a public client with the given flows (password, SRP, custom, refresh by default)."""
    pool = client.create_user_pool(
        PoolName=name,
        Policies={"PasswordPolicy": {**POLICY, "RequireSymbols": False}},
        AutoVerifiedAttributes=["email"],
        EmailConfiguration={"EmailSendingAccount": "DEVELOPER", "SourceArn": SES, "From": "no-reply@example.com"},
        LambdaConfig={
            "PreTokenGenerationConfig": {
                "LambdaVersion": "V2_0",
                "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:pre-token",
            }
        },
    )["UserPool"]
    app = client.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName=f"{name}-web", ExplicitAuthFlows=flows or FLOWS
    )["UserPoolClient"]
    return {"user_pool_id": pool["Id"], "client_id": app["ClientId"]}


@pytest.fixture(name="trigger_pool")
def trigger_pool_fixture(emulator) -> Any:
    """A fresh emulator with one pool whose triggers are tests/support/trigger_sample.py."""
    emulator.reset()
    ids = make_pool(emulator.client)
    emulator.set_triggers(ids["user_pool_id"], trigger_sample)
    trigger_sample.SEEN.clear()
    yield ids
    emulator.set_triggers(ids["user_pool_id"], None)


def user(emulator: Any, ids: dict[str, str], username: str, email: str | None = None, groups: tuple = ()) -> None:
    """A confirmed user with a verified email and PASSWORD (no trigger of sign-up runs: the admin made it)."""
    client, pool_id = emulator.client, ids["user_pool_id"]
    attributes = [{"Name": "email", "Value": email or f"{username}@example.com"}]
    attributes.append({"Name": "email_verified", "Value": "true"})
    client.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS", UserAttributes=attributes)
    client.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    for group in groups:
        client.create_group(UserPoolId=pool_id, GroupName=group)
        client.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)


def refusal(call: Any, **kwargs: Any) -> tuple[str, str]:
    """(error code, message) of a call Cognito refuses."""
    with pytest.raises(ClientError) as refused:
        call(**kwargs)
    return refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]
