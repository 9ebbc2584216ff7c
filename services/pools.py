"""Creates a user pool and app client set up the way this server expects."""

from __future__ import annotations

from typing import Any

PASSWORD_POLICY = {
    # Every Require* key is set: omitted ones default to true on the emulator.
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
}


def create_pool(client: Any, name: str) -> dict[str, str]:
    """Create a pool (email attribute, auto-verified) and an app client; return their ids."""
    pool = client.create_user_pool(
        PoolName=name,
        Policies={"PasswordPolicy": PASSWORD_POLICY},
        AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
    )["UserPool"]
    app_client = client.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName=f"{name}-client",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        ReadAttributes=["email", "email_verified"],
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]
    return {"user_pool_id": pool["Id"], "client_id": app_client["ClientId"]}
