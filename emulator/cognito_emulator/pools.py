"""Creates a user pool and app client set up the way this server expects.

The embedded default uses `create_pool` at start-up; `python -m cognito_emulator.pools create-pool` runs the same
code against real AWS (or any endpoint) and prints the environment lines for the server.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

PASSWORD_POLICY = {
    # Every Require* key is set: omitted ones default to true on the emulator.
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
}


# Choice-based sign-in (USER_AUTH), for pools made with `passkeys_rp_id` (the embedded emulator's: `localhost`).
# On AWS these need the Essentials feature plan, and email codes need SES sending (docs/api.md's passwordless section).
FIRST_FACTORS = ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]


def create_pool(
    client: Any, name: str, *, with_secret: bool = False, admin_flow: bool = False, passkeys_rp_id: str | None = None
) -> dict[str, str]:
    """Create a pool (email attribute, auto-verified, optional TOTP MFA) and an app client; return their ids.
    With `passkeys_rp_id`, the pool also signs in by email code and passkey (that relying party id)."""
    policies: dict[str, Any] = {"PasswordPolicy": PASSWORD_POLICY}
    if passkeys_rp_id:
        policies["SignInPolicy"] = {"AllowedFirstAuthFactors": FIRST_FACTORS}
    pool = client.create_user_pool(
        PoolName=name,
        Policies=policies,
        AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
        MfaConfiguration="OPTIONAL",
    )["UserPool"]
    # Users may turn on TOTP (authenticator app) MFA for themselves; SMS would need an SNS role.
    passkeys = {"WebAuthnConfiguration": {"RelyingPartyId": passkeys_rp_id}} if passkeys_rp_id else {}
    client.set_user_pool_mfa_config(
        UserPoolId=pool["Id"], SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL", **passkeys
    )
    # USER_SRP_AUTH too: the flow Amplify's and pycognito's default sign-in use (Cognito enforces the list).
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    flows += ["ALLOW_USER_AUTH"] if passkeys_rp_id else []
    if admin_flow:
        flows.append("ALLOW_ADMIN_USER_PASSWORD_AUTH")
    app_client = client.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName=f"{name}-client",
        GenerateSecret=with_secret,
        ExplicitAuthFlows=flows,
        ReadAttributes=["email", "email_verified"],
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=True,
    )["UserPoolClient"]
    ids = {"user_pool_id": pool["Id"], "client_id": app_client["ClientId"]}
    if with_secret:
        ids["client_secret"] = app_client["ClientSecret"]
    return ids


# The server's managed-login settings (issue 18): the code grant with these scopes, for its own callback.
OAUTH_SCOPES = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]
# A resource server and the machine client allowed its scope through the client_credentials grant.
RESOURCE_SERVER = {
    "Identifier": "orders",
    "Name": "orders",
    "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read orders"}],
}
MACHINE_SCOPES = ["orders/read"]


def _update_client(client: Any, pool_id: str, client_id: str, **changes: Any) -> None:
    """UpdateUserPoolClient with `changes`: every other setting passed back as it is (Cognito resets omitted ones)."""
    current = client.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    writable = client.meta.service_model.operation_model("UpdateUserPoolClient").input_shape.members
    kept = {name: value for name, value in current.items() if name in writable}
    client.update_user_pool_client(**{**kept, **changes, "UserPoolId": pool_id, "ClientId": client_id})


def allow_flows(client: Any, ids: dict[str, str], *flows: str) -> None:
    """Add ExplicitAuthFlows (such as ALLOW_ADMIN_USER_PASSWORD_AUTH) to the app client of `ids`."""
    current = client.describe_user_pool_client(UserPoolId=ids["user_pool_id"], ClientId=ids["client_id"])
    allowed = current["UserPoolClient"].get("ExplicitAuthFlows") or []
    wanted = allowed + [flow for flow in flows if flow not in allowed]
    _update_client(client, ids["user_pool_id"], ids["client_id"], ExplicitAuthFlows=wanted)


def _ensure_provider(client: Any, pool_id: str, provider: dict[str, Any]) -> None:
    """Create the identity provider, or update the one saved last time (its port can change between runs)."""
    name = provider["ProviderName"]
    try:
        client.describe_identity_provider(UserPoolId=pool_id, ProviderName=name)
    except client.exceptions.ResourceNotFoundException:
        client.create_identity_provider(UserPoolId=pool_id, **provider)
        return
    changes = {k: provider[k] for k in ("ProviderDetails", "AttributeMapping", "IdpIdentifiers")}
    client.update_identity_provider(UserPoolId=pool_id, ProviderName=name, **changes)


def enable_oauth(
    client: Any, ids: dict[str, str], *, server_port: int = 5000, provider: dict[str, Any] | None = None
) -> dict[str, str]:
    """Give the pool's app client managed login (code grant, scopes, the server's callback and logout URLs on
    `server_port`), a prefix domain, the identity provider `provider` (CreateIdentityProvider's arguments) when
    given, and a machine client with client_credentials for a resource server. Idempotent; returns the machine
    client."""
    pool_id = ids["user_pool_id"]
    hosts = ("localhost", "127.0.0.1")
    idps = ["COGNITO"]
    if provider is not None:
        _ensure_provider(client, pool_id, provider)
        idps.append(provider["ProviderName"])
    _update_client(
        client,
        pool_id,
        ids["client_id"],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=OAUTH_SCOPES,
        CallbackURLs=[f"http://{host}:{server_port}/auth/oauth/callback" for host in hosts],
        LogoutURLs=[f"http://{host}:{server_port}/" for host in hosts],
        SupportedIdentityProviders=idps,
    )
    if not client.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("Domain"):
        # A prefix domain, as managed login needs one (DescribeUserPoolDomain describes it); lower case, like Cognito's.
        client.create_user_pool_domain(UserPoolId=pool_id, Domain=f"local-{pool_id.split('_', 1)[-1].lower()}")
    try:
        client.describe_resource_server(UserPoolId=pool_id, Identifier=RESOURCE_SERVER["Identifier"])
    except client.exceptions.ResourceNotFoundException:
        client.create_resource_server(UserPoolId=pool_id, **RESOURCE_SERVER)
    name = f"{ids['client_id']}-machine"
    clients = client.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    machine_id = next((c["ClientId"] for c in clients if c.get("ClientName") == name), None)
    if machine_id is None:
        machine_id = client.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=name,
            GenerateSecret=True,
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=MACHINE_SCOPES,
        )["UserPoolClient"]["ClientId"]
    machine = client.describe_user_pool_client(UserPoolId=pool_id, ClientId=machine_id)["UserPoolClient"]
    return {"machine_client_id": machine_id, "machine_client_secret": machine["ClientSecret"]}


def main(argv: list[str] | None = None) -> int:
    """`create-pool`: make a pool and client, print the server's environment lines."""
    import boto3

    parser = argparse.ArgumentParser(prog="python -m cognito_emulator.pools", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-pool", help="create a user pool and an app client")
    create.add_argument("--name", default="auth-server", help="pool name (default: auth-server)")
    create.add_argument("--region", help="AWS region (default: boto3's configured one)")
    create.add_argument("--endpoint-url", help="a custom Cognito endpoint, such as a running emulator")
    create.add_argument("--with-secret", action="store_true", help="give the app client a secret")
    create.add_argument("--admin-flow", action="store_true", help="allow ADMIN_USER_PASSWORD_AUTH (LOGIN_FLOW)")
    args = parser.parse_args(argv)

    client = boto3.client("cognito-idp", region_name=args.region, endpoint_url=args.endpoint_url)
    ids = create_pool(client, args.name, with_secret=args.with_secret, admin_flow=args.admin_flow)
    print(f"COGNITO_USER_POOL_ID={ids['user_pool_id']}")
    print(f"COGNITO_CLIENT_ID={ids['client_id']}")
    if args.endpoint_url:
        print(f"COGNITO_ENDPOINT_URL={args.endpoint_url}")
    if "client_secret" in ids:
        print(f"COGNITO_CLIENT_SECRET={ids['client_secret']}")
    if args.admin_flow:
        print("LOGIN_FLOW=ADMIN_USER_PASSWORD_AUTH")
    return 0


if __name__ == "__main__":
    sys.exit(main())
