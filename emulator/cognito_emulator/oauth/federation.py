"""Sign-in through an OIDC identity provider of the pool (CreateIdentityProvider, ProviderType OIDC), as
Cognito does it: the browser goes to the IdP, comes back to `/oauth2/idpresponse`, the IdP's code is exchanged
(Authlib's client, with PKCE and a nonce), the ID token verified against the IdP's JWKS, and the pool user
`<ProviderName>_<sub>` created or updated from the mapped claims, with `identities` and the automatic group
`<poolId>_<ProviderName>`. Then the app's own authorize request finishes with a code.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session
from flask import Request, Response
from joserfc import jwt
from joserfc.jwk import KeySet

from cognito_emulator.oauth.authorize import PageError, RedirectError, redirect_to
from cognito_emulator.oauth.clients import AppClient, find_client
from cognito_emulator.oauth.context import context
from cognito_emulator.oauth.records import AuthorizeRequest, FederatedFlow

FLOW_COOKIE = "emulator-idp-flow"  # binds the IdP's answer to the browser that was sent there
TIMEOUT = 5  # seconds for each call to the IdP (it runs on loopback)
DETAILS = ("client_id", "client_secret", "authorize_url", "token_url", "jwks_uri", "oidc_issuer")


class Federation:
    """The OIDC providers of the emulator's pools, reached with the ProviderDetails each was registered with."""

    @staticmethod
    def _details(pool: Any, name: str) -> dict[str, str] | None:
        provider = pool.identity_providers.get(name)
        if provider is None or provider.extended_config.get("ProviderType") != "OIDC":
            return None
        details = provider.extended_config.get("ProviderDetails") or {}
        return details if all(details.get(key) for key in DETAILS) else None

    def offers(self, pool: Any, name: str) -> bool:
        """Whether `name` is an OIDC provider of the pool the emulator can send users to."""
        return self._details(pool, name) is not None

    @staticmethod
    def _client(details: dict[str, str], redirect_uri: str) -> OAuth2Session:
        return OAuth2Session(
            details["client_id"],
            details["client_secret"],
            scope=details.get("authorize_scopes") or "openid",
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
        )

    def start(self, app: AppClient, auth: AuthorizeRequest, name: str, host_url: str) -> Response:
        """Send the browser to the provider's authorize endpoint."""
        details = self._details(app.pool, name)
        if details is None:
            raise RedirectError(auth.redirect_uri, "invalid_request", f"{name} is not an OIDC provider", auth.state)
        verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(24)
        state = context().records.flows.put(FederatedFlow(auth, name, verifier, nonce))
        client = self._client(details, host_url + "oauth2/idpresponse")
        url, _ = client.create_authorization_url(
            details["authorize_url"], state=state, code_verifier=verifier, nonce=nonce, login_hint=auth.login_hint
        )
        response = redirect_to(url)
        response.set_cookie(FLOW_COOKIE, state, max_age=600, httponly=True, samesite="Lax", path="/oauth2/idpresponse")
        return response

    def finish(self, request: Request) -> tuple[AppClient, AuthorizeRequest, str]:
        """The provider's answer: the app client, its authorize request and the pool user now signed in."""
        state = request.args.get("state")
        if not state or request.cookies.get(FLOW_COOKIE) != state:
            raise PageError("invalid_request: this sign-in was not started in this browser, or it expired.")
        flow = context().records.flows.take(state)
        app = find_client(context().backend(), flow.request.client_id) if flow else None
        if flow is None or app is None:
            raise PageError("invalid_request: this sign-in expired; start it again.")
        auth = flow.request
        if request.args.get("error"):  # the IdP refused (access_denied, ...): the app hears it as Cognito says it
            raise RedirectError(
                auth.redirect_uri, str(request.args["error"]), "the identity provider refused", auth.state
            )
        details = self._details(app.pool, flow.provider)
        if details is None or not request.args.get("code"):
            raise RedirectError(auth.redirect_uri, "invalid_request", "no code from the identity provider", auth.state)
        try:
            claims = self._claims(details, flow, str(request.args["code"]), request.host_url)
        except Exception as err:  # any failure of the IdP leg ends in the app's error, never a 500
            description = f"the identity provider's answer was refused ({type(err).__name__})"
            raise RedirectError(auth.redirect_uri, "invalid_request", description, auth.state) from err
        return app, auth, upsert_user(app.pool, flow.provider, claims)

    def _claims(self, details: dict[str, str], flow: FederatedFlow, code: str, host_url: str) -> dict[str, Any]:
        client = self._client(details, host_url + "oauth2/idpresponse")
        token = client.fetch_token(details["token_url"], code=code, code_verifier=flow.code_verifier, timeout=TIMEOUT)
        keys = KeySet.import_key_set(requests.get(details["jwks_uri"], timeout=TIMEOUT).json())
        decoded = jwt.decode(token["id_token"], keys)
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": details["oidc_issuer"]},
            aud={"essential": True, "value": details["client_id"]},
            nonce={"essential": True, "value": flow.nonce},
            sub={"essential": True},
        ).validate(decoded.claims)
        claims = dict(decoded.claims)
        if details.get("attributes_url"):  # Cognito reads the userInfo endpoint too, when there is one
            answer = client.get(details["attributes_url"], timeout=TIMEOUT)
            answer.raise_for_status()
            claims.update({k: v for k, v in answer.json().items() if k != "sub"})
        return claims


def _identities(provider: str, sub: str, created: float) -> str:
    return json.dumps(
        [
            {
                "userId": sub,
                "providerName": provider,
                "providerType": "OIDC",
                "issuer": None,
                "primary": "true",
                "dateCreated": str(int(created * 1000)),
            }
        ]
    )


def upsert_user(pool: Any, provider: str, claims: dict[str, Any]) -> str:
    """Create or update the pool user `<provider>_<sub>` from the IdP's claims; return the username."""
    from moto.cognitoidp.models import CognitoIdpGroup, CognitoIdpUser, flatten_attrs

    mapping = pool.identity_providers[provider].extended_config.get("AttributeMapping") or {}
    sub = str(claims["sub"])
    username = f"{provider}_{sub}"
    mapped = {
        attribute: str(claims[claim]).lower() if isinstance(claims[claim], bool) else str(claims[claim])
        for attribute, claim in mapping.items()
        if attribute != "username" and claim in claims
    }
    user = pool.users.get(username)
    if user is None:
        identities = _identities(provider, sub, time.time())
        user = CognitoIdpUser(pool.id, username, None, "EXTERNAL_PROVIDER", [])
        pool.users[username] = user
        mapped["identities"] = identities
    # Mapped attributes are written again at every sign-in, as Cognito does; the rest stay as they were.
    kept = [a for a in user.attributes if a["Name"] not in mapped]
    user.attributes = kept + [{"Name": k, "Value": v} for k, v in mapped.items()]
    user.attribute_lookup = flatten_attrs(user.attributes)
    group_name = f"{pool.id}_{provider}"
    group = pool.groups.get(group_name)
    if group is None:
        group = CognitoIdpGroup(
            pool.id, group_name, f"Autogenerated group for users who sign in using {provider}", None, None
        )
        pool.groups[group_name] = group
    group.users.add(user)
    user.groups.add(group)
    return username
