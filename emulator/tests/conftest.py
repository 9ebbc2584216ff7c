"""The emulator's own tests: a sample project using the `cognito_emulator` fixture, the command, and CORS.

Installed (`pip install ./emulator`), the package's entry point loads the plugin. In the project's venv the
package is on the path only (the root pyproject.toml's pythonpath), so it is named here too; it is the entry
point's own name, so pytest registers it once either way.
"""

import pytest

pytest_plugins = ["cognito_emulator.pytest_plugin"]

PASSWORD = "Correct-Horse-9"


@pytest.fixture
def alice(cognito_emulator):
    """`alice(callback=None, domain=None)`: a confirmed user alice (verified email, PASSWORD) in the fixture's pool;
    with `callback`, the pool's client also runs managed login's code flow back to it, on the pool's `domain`."""

    def make(callback: str | None = None, domain: str | None = None) -> None:
        cognito, pool = cognito_emulator.client, cognito_emulator.user_pool_id
        email = [{"Name": "email", "Value": "alice@example.com"}, {"Name": "email_verified", "Value": "true"}]
        cognito.admin_create_user(UserPoolId=pool, Username="alice", MessageAction="SUPPRESS", UserAttributes=email)
        cognito.admin_set_user_password(UserPoolId=pool, Username="alice", Password=PASSWORD, Permanent=True)
        if callback is None:
            return
        client = cognito_emulator.client_id
        current = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)["UserPoolClient"]
        cognito.update_user_pool_client(
            UserPoolId=pool,
            ClientId=client,
            ExplicitAuthFlows=current["ExplicitAuthFlows"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email"],
            CallbackURLs=[callback],
            LogoutURLs=[callback],
            SupportedIdentityProviders=["COGNITO"],
        )
        cognito.create_user_pool_domain(UserPoolId=pool, Domain=domain or "sample-app")

    return make
