"""Authlib (the OAuth client STYLE.md names) against the emulator's managed login, driven only by what the
discovery document says: discovery, the authorization code grant with PKCE through the sign-in form, the ID
token checked with the advertised JWKS, userInfo, revocation, and client credentials for a resource server.

Sources: OpenID Connect Discovery 1.0 §3-4; OpenID Connect Core 1.0 §3.1.3.7 (ID token validation); RFC 7636
(PKCE); RFC 7009 (revocation); the Cognito Developer Guide's endpoint pages ("Authorize endpoint", "Token
endpoint", "userInfo endpoint", "Revoke endpoint") and "Scopes, M2M, and APIs with resource servers"."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken
from authlib.oidc.discovery import OpenIDProviderMetadata

from tests.support.helpers import PASSWORD
from tests.support.managed_login import REDIRECT, follow, managed_login_pool

SCOPE = "openid email profile"


@pytest.fixture
def oauth(emulator, pool, monkeypatch):
    """The conftest pool with managed login, alice and the machine client. Authlib refuses plain-HTTP endpoints
    unless told: the emulator is loopback-only HTTP, real Cognito's are HTTPS."""
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    return managed_login_pool(emulator, pool)


def discovery_url(emulator, oauth: dict[str, Any]) -> str:
    return f"{emulator.endpoint_url}/{oauth['user_pool_id']}/.well-known/openid-configuration"


@pytest.fixture
def metadata(emulator, oauth) -> OpenIDProviderMetadata:
    answer = requests.get(discovery_url(emulator, oauth), timeout=5)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/json")
    return OpenIDProviderMetadata(answer.json())


def test_the_discovery_document_is_valid_openid_provider_metadata(metadata):
    """Every member Authlib checks (issuer, endpoints, response/subject types, signing algorithms, scopes, auth
    methods, PKCE methods) is present and well formed. Source: OpenID Connect Discovery 1.0 §3."""
    metadata.validate()
    for endpoint in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "revocation_endpoint"):
        assert metadata.get(endpoint), f"{endpoint} missing"
    assert "code" in metadata["response_types_supported"] and "S256" in metadata["code_challenge_methods_supported"]


def test_the_issuer_is_cognitos_and_the_document_is_served_at_its_path(emulator, oauth, metadata):
    """The document is served at the issuer's path on the emulator, and its `issuer` is the `iss` of the pool's tokens
    (OpenID Connect Discovery 1.0 §4.3: they MUST be identical). That issuer is Cognito's own
    `https://cognito-idp.<region>.amazonaws.com/<pool>`, not the emulator's URL: the emulator's tokens carry Cognito's
    issuer so that verifiers (aws-jwt-verify, this server's) treat them exactly as a real pool's (the documented
    reason in oauth/endpoints.py). A client that insists on §4.3's URL prefix is given the issuer and the
    document's URL apart."""
    pool_id = oauth["user_pool_id"]
    assert metadata["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    assert metadata["jwks_uri"].startswith(emulator.endpoint_url)  # the keys themselves are the emulator's
    assert requests.get(metadata["jwks_uri"], timeout=5).json()["keys"]


def test_every_advertised_response_type_is_one_the_authorize_endpoint_serves(emulator, oauth, metadata):
    """A provider advertises only the response types it supports (Discovery §3 `response_types_supported`): for a
    client allowed both the code and the implicit grant, each advertised type reaches the sign-in form, never an
    `unsupported_response_type` error. Source: Developer Guide "Authorize endpoint" (response_type code or token)."""
    ids = {"UserPoolId": oauth["user_pool_id"], "ClientId": oauth["client_id"]}
    current = emulator.client.describe_user_pool_client(**ids)["UserPoolClient"]
    writable = emulator.client.meta.service_model.operation_model("UpdateUserPoolClient").input_shape.members
    kept = {name: value for name, value in current.items() if name in writable}
    emulator.client.update_user_pool_client(**{**kept, "AllowedOAuthFlows": ["code", "implicit"]})
    for response_type in metadata["response_types_supported"]:
        query = {"response_type": response_type, "client_id": oauth["client_id"], "redirect_uri": REDIRECT}
        url = requests.Request("GET", metadata["authorization_endpoint"], params={**query, "scope": "openid"})
        page = requests.get(url.prepare().url or "", allow_redirects=False, timeout=10)
        while page.is_redirect and not page.headers["Location"].startswith(REDIRECT):
            page = requests.get(urljoin(page.url, page.headers["Location"]), allow_redirects=False, timeout=10)
        assert not page.is_redirect, f"{response_type} is advertised but refused: {page.headers['Location']}"
        assert page.status_code == 200 and "<form" in page.text, f"{response_type}: {page.status_code}"


def signed_in(oauth: dict[str, Any], metadata) -> tuple[OAuth2Session, dict[str, Any], str]:
    """Authlib's code grant with PKCE (S256) and a nonce through the sign-in form as alice: session, token, nonce."""
    session = OAuth2Session(
        oauth["client_id"],
        scope=SCOPE,
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",  # a public client, as the server's own
    )
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = session.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    callback = follow(requests.Session(), url, REDIRECT, {"username": "alice", "password": PASSWORD})
    token = session.fetch_token(
        metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier, state=state
    )
    return session, dict(token), nonce


def test_code_grant_with_pkce_then_the_id_token_validates_against_the_advertised_keys(oauth, metadata):
    """The code grant with PKCE answers Bearer tokens; the ID token is signed by a key of `jwks_uri` and holds
    OpenID Connect Core §3.1.3.7: `iss` the discovery issuer, `aud` the client, the nonce sent, a matching
    `at_hash`, not expired. Sources: RFC 7636; Developer Guide "Token endpoint"; OIDC Core 1.0 §3.1.3.7."""
    _, token, nonce = signed_in(oauth, metadata)
    assert token["token_type"] == "Bearer" and token["access_token"] and token["refresh_token"]
    keys = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=5).json())
    claims = jwt.decode(
        token["id_token"],
        keys,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": metadata["issuer"]}},
        claims_params={"nonce": nonce, "client_id": oauth["client_id"], "access_token": token["access_token"]},
    )
    claims.validate(leeway=5)
    assert claims["cognito:username"] == "alice" and claims["email"] == "alice@example.com"


def test_user_info_answers_the_users_claims(oauth, metadata):
    """userInfo with the access token of an `openid` grant answers the user's claims: `sub`, `username`, `email`
    and `email_verified` (true for alice, whose email is verified). Source: Developer Guide "userInfo endpoint"."""
    session, _, _ = signed_in(oauth, metadata)
    info = session.get(metadata["userinfo_endpoint"], timeout=5)
    assert info.status_code == 200, info.text
    body = info.json()
    assert body["username"] == "alice" and body["email"] == "alice@example.com" and body["sub"]
    assert str(body.get("email_verified")).lower() == "true", body


def test_revoking_the_refresh_token_ends_it_and_its_access_tokens(oauth, metadata):
    """/oauth2/revoke with the refresh token answers 200; afterwards a refresh with it is refused (invalid_grant)
    and the access tokens issued from it no longer reach userInfo. Sources: RFC 7009; Developer Guide "Revoke
    endpoint" ("revokes … all access and identity tokens issued from it")."""
    session, token, _ = signed_in(oauth, metadata)
    revoked = session.revoke_token(metadata["revocation_endpoint"], token["refresh_token"], "refresh_token")
    assert revoked.status_code == 200, revoked.text
    with pytest.raises(OAuthError) as refused:
        session.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"])
    assert refused.value.error == "invalid_grant"
    info = requests.get(metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"})
    assert info.status_code == 401, info.text


def test_a_refresh_before_revocation_answers_new_tokens(oauth, metadata):
    """The refresh_token grant answers new ID and access tokens (and no new refresh token without rotation).
    Source: Developer Guide "Token endpoint" (grant_type refresh_token)."""
    session, token, _ = signed_in(oauth, metadata)
    renewed = session.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"])
    assert renewed["access_token"] != token["access_token"] and renewed["id_token"]


def test_client_credentials_for_a_resource_servers_scope(emulator, oauth, metadata):
    """A confidential client allowed only client_credentials gets an access token (no ID token, no refresh token)
    whose `scope` is the resource server's scope it asked for, `sub` and `client_id` the client; a scope it is not
    allowed is refused with invalid_scope. Source: Developer Guide "Token endpoint", "Scopes, M2M, and APIs with
    resource servers"."""
    machine = OAuth2Session(oauth["machine_client_id"], oauth["machine_client_secret"], scope="orders/read")
    token = machine.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    assert set(token) >= {"access_token", "token_type", "expires_in"} and "id_token" not in token
    assert "refresh_token" not in token
    keys = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=5).json())
    claims = jwt.decode(token["access_token"], keys)
    claims.validate(leeway=5)
    assert claims["scope"] == "orders/read" and claims["sub"] == claims["client_id"] == oauth["machine_client_id"]
    assert claims["token_use"] == "access" and claims["iss"] == metadata["issuer"]
    greedy = OAuth2Session(oauth["machine_client_id"], oauth["machine_client_secret"], scope="orders/write")
    with pytest.raises(OAuthError) as refused:
        greedy.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    assert refused.value.error == "invalid_scope"
