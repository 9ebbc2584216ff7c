"""App clients as moto holds them (CreateUserPoolClient's OAuth settings), and the checks Cognito makes on them."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Scopes of Cognito's own; any other allowed scope is a resource server's `<identifier>/<name>`.
STANDARD_SCOPES = frozenset({"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"})


@dataclass(frozen=True)
class AppClient:
    """One app client and the pool it belongs to (moto's objects)."""

    pool: Any
    client: Any

    @property
    def id(self) -> str:
        """The client id."""
        return str(self.client.id)

    def setting(self, name: str) -> list[str]:
        """A list setting of the client (CallbackURLs, AllowedOAuthScopes, ...), empty when unset."""
        return list(self.client.extended_config.get(name) or [])

    @property
    def oauth_enabled(self) -> bool:
        """Whether the client may use the OAuth endpoints at all (AllowedOAuthFlowsUserPoolClient)."""
        return bool(self.client.extended_config.get("AllowedOAuthFlowsUserPoolClient"))

    def allows_flow(self, flow: str) -> bool:
        """Whether `flow` (code, implicit, client_credentials) is one of the client's AllowedOAuthFlows."""
        return self.oauth_enabled and flow in self.setting("AllowedOAuthFlows")

    def secret_matches(self, secret: str | None) -> bool:
        """Whether `secret` is the client's secret (a client without one takes none)."""
        if not self.client.generate_secret:
            return not secret
        return secret is not None and hmac.compare_digest(secret.encode(), str(self.client.secret).encode())

    def scopes_allowed(self, requested: list[str]) -> bool:
        """Whether every requested scope is allowed to the client and exists (a resource server's, if custom)."""
        allowed = set(self.setting("AllowedOAuthScopes"))
        return all(scope in allowed and (scope in STANDARD_SCOPES or self.custom_scope(scope)) for scope in requested)

    def custom_scope(self, scope: str) -> bool:
        """Whether `scope` is `<identifier>/<name>` of one of the pool's resource servers (CreateResourceServer)."""
        identifier, _, name = scope.rpartition("/")
        server = self.pool.resource_servers.get(identifier)
        return server is not None and any(s.get("ScopeName") == name for s in server.scopes or [])

    def identity_provider(self, name: str | None, identifier: str | None) -> str | None:
        """The supported provider `identity_provider` or `idp_identifier` names (COGNITO included), or None."""
        supported = self.setting("SupportedIdentityProviders")
        if name is not None:
            return name if name in supported else None
        for provider in self.pool.identity_providers.values():
            if provider.name in supported and identifier in (provider.extended_config.get("IdpIdentifiers") or []):
                return str(provider.name)
        return None


def find_client(backend: Any, client_id: Any) -> AppClient | None:
    """The app client with this id in any of the backend's pools, or None."""
    if not isinstance(client_id, str) or not client_id:
        return None
    for pool in list(backend.user_pools.values()):
        if client_id in pool.clients:
            return AppClient(pool, pool.clients[client_id])
    return None


Backend = Callable[[], Any]
