"""The back-channel endpoints: `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke`, and the discovery document.

Errors answer as Cognito's do: 400 with `{"error": "invalid_request" | "invalid_client" | "invalid_grant" |
"unauthorized_client" | "unsupported_grant_type" | "invalid_scope"}` from the token endpoint (revocation's
the same, plus `unsupported_token_type`), 400 `invalid_request` or 401 `invalid_token` from userInfo.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from flask import Blueprint, Response, jsonify, request

from cognito_emulator.oauth.clients import AppClient, find_client
from cognito_emulator.oauth.context import context
from cognito_emulator.oauth.minting import Grant, claims_of, machine_token, unverified_claims, user_tokens
from cognito_emulator.oauth.records import grant_of, keep_grant
from cognito_emulator.tokens import family, refresh_expired, revoke_family

backchannel = Blueprint("oauth_backchannel", __name__)


class OAuthError(Exception):
    """An error answered as `{"error": ...}` with its status."""

    def __init__(self, error: str, status: int = 400) -> None:
        super().__init__(error)
        self.error, self.status = error, status


@backchannel.errorhandler(OAuthError)
def _answer_error(err: OAuthError) -> Response:
    response = jsonify(error=err.error)
    response.status_code = err.status
    if err.status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{err.error}"'
    return _no_store(response)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _form() -> Any:
    if request.mimetype != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request")
    return request.form


def _client() -> AppClient:
    """The app client the request authenticates as: HTTP Basic, or client_id (and client_secret) in the body."""
    form, basic = _form(), request.authorization
    if basic is not None and basic.type == "basic":
        if "client_secret" in form or form.get("client_id", basic.username) != basic.username:
            raise OAuthError("invalid_request")  # one way of authenticating per request (RFC 6749 2.3)
        client_id, secret = basic.username, basic.password
    else:
        client_id, secret = form.get("client_id"), form.get("client_secret")
    if not client_id:
        raise OAuthError("invalid_request")
    app = find_client(context().backend(), client_id)
    if app is None or not app.secret_matches(secret):
        raise OAuthError("invalid_client")
    return app


def _pkce_holds(challenge: str | None, verifier: str | None) -> bool:
    if challenge is None:
        return True  # no challenge was sent: nothing to prove
    if not verifier:
        return False
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return hmac.compare_digest(digest, challenge)


def _authorization_code(app: AppClient, form: Any) -> dict[str, Any]:
    if not form.get("code"):
        raise OAuthError("invalid_request")
    code = context().records.codes.take(form["code"])  # single use: gone even when what follows fails
    if code is None or code.request.client_id != app.id:
        raise OAuthError("invalid_grant")
    if form.get("redirect_uri") != code.request.redirect_uri:
        raise OAuthError("invalid_grant")
    if not _pkce_holds(code.request.code_challenge, form.get("code_verifier")):
        raise OAuthError("invalid_grant")
    user = app.pool.users.get(code.username)
    if user is None or not user.enabled:
        raise OAuthError("invalid_grant")
    grant = Grant(scopes=code.request.scopes, auth_time=code.auth_time, nonce=code.request.nonce)
    refresh_token, origin_jti = app.pool.create_refresh_token(app.id, user.username)
    keep_grant(app.pool, origin_jti, grant)
    return {**user_tokens(app.pool, app.id, user, grant, origin_jti), "refresh_token": refresh_token}


def _refresh_token(app: AppClient, form: Any) -> dict[str, Any]:
    if not form.get("refresh_token"):
        raise OAuthError("invalid_request")
    issued = app.pool.refresh_tokens.get(form["refresh_token"])  # None once revoked or signed out
    user = app.pool.users.get(issued[1]) if issued and issued[0] == app.id else None
    if issued is None or user is None or not user.enabled:
        raise OAuthError("invalid_grant")
    record = family(app.pool, issued[2])
    if (record is not None and record["revoked"]) or refresh_expired(app.pool, issued[2]):
        raise OAuthError("invalid_grant")  # revoked, or past the client's RefreshTokenValidity
    # No new refresh token: Cognito rotates them only for clients with rotation on.
    return user_tokens(app.pool, app.id, user, grant_of(app.pool, issued[2]), issued[2])


def _client_credentials(app: AppClient, form: Any) -> dict[str, Any]:
    if not app.client.generate_secret or not app.allows_flow("client_credentials"):
        raise OAuthError("unauthorized_client")
    allowed = [scope for scope in app.setting("AllowedOAuthScopes") if app.custom_scope(scope)]
    scopes = (form.get("scope") or "").split() or allowed
    if not scopes or not all(scope in allowed for scope in scopes):
        raise OAuthError("invalid_scope")
    return machine_token(app.pool, app.id, scopes)


GRANTS = {
    "authorization_code": _authorization_code,
    "refresh_token": _refresh_token,
    "client_credentials": _client_credentials,
}


@backchannel.post("/oauth2/token")
def token() -> Response:
    """Exchange a code, a refresh token or client credentials for tokens."""
    app, form = _client(), _form()
    grant_type = form.get("grant_type")
    if not grant_type:
        raise OAuthError("invalid_request")
    if grant_type not in GRANTS:
        raise OAuthError("unsupported_grant_type")
    if grant_type != "client_credentials" and not app.allows_flow("code"):
        raise OAuthError("unauthorized_client")
    return _no_store(jsonify(GRANTS[grant_type](app, form)))


def _pool_of_token(token: str) -> Any:
    """The pool whose issuer the token names (read unverified: claims_of then checks the signature)."""
    return context().backend().user_pools.get(str(unverified_claims(token).get("iss")).rsplit("/", 1)[-1])


@backchannel.route("/oauth2/userInfo", methods=["GET", "POST"])
def user_info() -> Response:
    """The signed-in user's attributes, for an access token with the openid scope."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        raise OAuthError("invalid_request")
    token = header[7:].strip()
    pool = _pool_of_token(token)
    try:
        claims = claims_of(pool, token) if pool is not None else None
    except Exception:  # joserfc raises many kinds for a token that is not one of ours
        claims = None
    if claims is None or claims.get("token_use") != "access" or "username" not in claims:
        raise OAuthError("invalid_token", 401)
    if "openid" not in str(claims.get("scope", "")).split():
        raise OAuthError("invalid_token", 401)  # InitiateAuth's tokens have Cognito's API scope only
    user = pool.users.get(pool.access_tokens[token][1])
    if user is None:
        raise OAuthError("invalid_token", 401)
    answer = {**pool.get_user_extra_data_by_client_id(claims["client_id"], user.username), "sub": user.id}
    answer["username"] = user.username
    if "identities" in user.attribute_lookup:
        answer["identities"] = user.attribute_lookup["identities"]
    return _no_store(jsonify(answer))


@backchannel.post("/oauth2/revoke")
def revoke() -> Response:
    """Revoke a refresh token and every token issued from it; unknown tokens answer success (RFC 7009)."""
    app, form = _client(), _form()
    token = form.get("token")
    if not token:
        raise OAuthError("invalid_request")
    if token.count(".") == 2:
        raise OAuthError("unsupported_token_type")  # only refresh tokens can be revoked
    issued = app.pool.refresh_tokens.get(token)
    if issued and issued[0] == app.id:
        del app.pool.refresh_tokens[token]
        revoke_family(app.pool, issued[2], issued[1])
        for issued_tokens in (app.pool.access_tokens, app.pool.id_tokens):
            for jwt in [t for t in issued_tokens if unverified_claims(t).get("origin_jti") == issued[2]]:
                del issued_tokens[jwt]
        getattr(app.pool, "oauth_grants", {}).pop(issued[2], None)
    return _no_store(Response(status=200))


@backchannel.get("/<pool_id>/.well-known/openid-configuration")
def discovery(pool_id: str) -> Response:
    """The pool's discovery document, served at its issuer's path on the emulator, advertising what it serves.

    `issuer` is the `iss` of the pool's tokens (OpenID Connect Discovery 4.3: they must be identical), which is
    Cognito's own `https://cognito-idp.<region>.amazonaws.com/<pool>`: the emulator's tokens carry Cognito's issuer
    so that the server verifies them with the settings and code it uses for AWS. It therefore differs from the URL
    the document is served at; a client that insists on both is given the issuer and this document's URL apart.
    Only the `code` response type: the emulator refuses the implicit grant.
    """
    pool = context().backend().user_pools.get(pool_id)
    if pool is None:
        raise OAuthError("invalid_request", 404)
    domain = request.host_url.rstrip("/")
    document = {
        "issuer": f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.id}",
        "jwks_uri": f"{domain}/{pool.id}/.well-known/jwks.json",
        "authorization_endpoint": f"{domain}/oauth2/authorize",
        "token_endpoint": f"{domain}/oauth2/token",
        "userinfo_endpoint": f"{domain}/oauth2/userInfo",
        "revocation_endpoint": f"{domain}/oauth2/revoke",
        "end_session_endpoint": f"{domain}/logout",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"],
    }
    return jsonify(document)
