"""Managed login (Cognito's Hosted UI): send the browser to sign in, take it back into a session, log out.

`/auth/oauth/authorize` remembers the sign-in server-side (services/state/pending_sign_ins.py) under a random id that
only this browser holds, in a short-lived HttpOnly cookie; the callback takes that sign-in (once), lets
Authlib check the state and exchange the code with the PKCE verifier, verifies the ID token with the server's
own verifier and checks its nonce and audience, then starts a session exactly as POST /auth/session does.
Every failure is answered in the API's words (an HTML page to a browser, JSON otherwise) and starts nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import jsonify, make_response, redirect, render_template, request
from werkzeug.wrappers import Response

import errors
from extensions import services
from middleware.authentication import session_of_request
from middleware.session_cookie import check_origin, clear_cookie, cookie_name, same_secret, set_cookie
from middleware.signed_in import live_session, sign_out_of, signed_in_page, started_session
from schemas import bodies
from services.flows.managed_login import AUTHORIZE_ERRORS, ManagedLogin, PendingSignIn
from services.flows.redirects import safe_redirect

COOKIE = "auth_oauth"  # the browser's half of a sign-in under way
# Passed through to Cognito's authorize endpoint when given; each at most this long (Cognito: a provider's
# name 32, an identifier 40; a login hint is an email or username).
PASS_THROUGH = {"identity_provider": 32, "idp_identifier": 40, "login_hint": 256}
MAX_CODE, MAX_STATE = 2048, 512
LOGOUT_PATH = "/auth/oauth/logout"
ERROR_POLICY = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def authorize(args: Mapping[str, str]) -> Response:
    """A 302 to the pool's authorize endpoint, the sign-in remembered for this browser; reached on another host
    than the callback's (OAUTH_REDIRECT_URI's), first a 302 to the same path and query on that host."""
    login = _managed_login()
    rd = args.get("rd")
    if rd is not None and safe_redirect(rd, services().settings.session_redirect_hosts) is None:
        raise errors.InvalidRedirect()
    extra = {name: _passed(args, name, limit) for name, limit in PASS_THROUGH.items() if args.get(name)}
    elsewhere = _on_the_callback_host(login)  # checked first: a refusal is the same on either host
    if elsewhere is not None:  # the binding cookie must be set on the host the callback will be served on
        return elsewhere
    url, pending = login.authorize(rd, extra, request.host_url)
    binding = secrets.token_urlsafe(32)
    app_services = services()
    app_services.pending_sign_ins.put(binding, pending)
    response = redirect(url, 302)
    response.headers["Cache-Control"] = "no-store"
    # Lax: the browser comes back from the pool's domain by a top-level GET, which Lax cookies accompany.
    set_cookie(response, COOKIE, binding, int(app_services.pending_sign_ins.lifetime))
    return response


def callback(args: Mapping[str, str]) -> Response:
    """Back from the authorize endpoint: a session and a 303 to the sign-in's `rd` (or `/`), or the refusal."""
    try:
        response = _signed_in(args)
    except errors.ManagedLoginOff:
        raise
    except errors.ApiError as err:
        response = _refusal(err)
    clear_cookie(response, COOKIE)  # used or refused, the sign-in is over
    return response


def confirm_logout() -> Response:
    """GET /auth/oauth/logout signs nothing out (a link or an <img> anywhere could trigger it): with a session,
    a confirmation page whose form posts the session's CSRF token here; with none, on to Cognito's logout."""
    login = _managed_login()
    session = live_session()
    if session is None:
        return _to_cognito_logout(login)
    return signed_in_page(session, "Sign out of managed login?", LOGOUT_PATH, None, back=None)


def logout(body: bodies.SessionCsrf) -> Response:
    """End the local session (sign-out and revocation as /auth/sign-out does), then Cognito's own logout.
    Only with the session's CSRF token (the form's `csrf_token` or X-CSRF-Token) from an accepted origin."""
    login = _managed_login()
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        raise errors.CsrfFailed("Logout is refused from another site's page.")
    check_origin()
    session = session_of_request()
    if session is not None:
        sent = request.headers.get("X-CSRF-Token", body.csrf_token)
        if not same_secret(sent, session.csrf_token):
            raise errors.CsrfFailed()
        sign_out_of(session)
    return _to_cognito_logout(login)


def _to_cognito_logout(login: ManagedLogin) -> Response:
    response = redirect(login.logout_url(request.host_url), 303)  # 303: a POST's answer is followed by a GET
    response.headers["Cache-Control"] = "no-store"
    clear_cookie(response)
    return response


def _on_the_callback_host(login: ManagedLogin) -> Response | None:
    """The redirect to this request's path and query on the callback's host, when the request is on another
    host (e.g. 127.0.0.1 where the callback is localhost); None when it is on that host or none is set."""
    if not login.redirect_uri:
        return None
    callback = urlsplit(login.redirect_uri)
    if callback.netloc.lower() == request.host.lower():
        return None
    query = request.query_string.decode("latin-1")
    url = urlunsplit((callback.scheme, callback.netloc, request.path, query, ""))
    response = redirect(url, 302)
    response.headers["Cache-Control"] = "no-store"
    return response


def _signed_in(args: Mapping[str, str]) -> Response:
    login = _managed_login()
    binding = request.cookies.get(cookie_name(COOKIE), "")
    pending = services().pending_sign_ins.take(binding) if 0 < len(binding) <= 128 else None
    if args.get("error"):  # the authorize step refused: that sign-in is over (taken above) either way
        code = args["error"] if args["error"] in AUTHORIZE_ERRORS else "other"
        message = AUTHORIZE_ERRORS.get(code, "The identity provider refused the sign-in.")
        raise errors.AuthorizationDenied(message, extra={"oauth_error": code})
    if pending is None:
        raise errors.InvalidState()
    state, code = args.get("state", ""), args.get("code", "")
    if not state or len(state) > MAX_STATE:
        raise errors.InvalidState()
    if not code or len(code) > MAX_CODE:
        raise errors.ManagedLoginFailed("The identity provider's answer carries no authorization code.")
    tokens = login.exchange(pending, urlencode({"code": code, "state": state}))
    _check_tokens(tokens, pending)
    # Admitted past an earlier sign-out of this user, names learned: as every sign-in.
    services().sign_ins.signed_in(tokens)
    return started_session(tokens, pending.rd or "/")


def _check_tokens(tokens: dict[str, Any], pending: PendingSignIn) -> None:
    """The ID token verified by the server's own verifier, issued to this client, with this sign-in's nonce;
    the access token verified too (the session will present it)."""
    app_services = services()
    verifier, client_id = app_services.verifier, app_services.settings.client_id
    try:
        id_claims = verifier.verify(tokens["id_token"], {"id"})
        access_claims = verifier.verify(tokens["access_token"], {"access"})
    except errors.InvalidToken as err:
        raise errors.InvalidIdToken(f"The identity provider's tokens were not accepted: {err.message}") from err
    if id_claims.get("aud") != client_id or access_claims.get("client_id") != client_id:
        raise errors.InvalidIdToken("The ID token was issued to another app client.")
    if not same_secret(id_claims.get("nonce"), pending.nonce):
        raise errors.InvalidIdToken("The ID token's nonce is not this sign-in's.")
    if id_claims.get("sub") != access_claims.get("sub"):
        raise errors.InvalidIdToken("The ID and access tokens are not of the same user.")


def _refusal(err: errors.ApiError) -> Response:
    """The error as a page for a browser's navigation, as JSON for anything else."""
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        page = render_template("oauth-error.html", message=err.message, code=err.error)
        response = make_response(page, err.status_code)
        response.headers.update({"Content-Security-Policy": ERROR_POLICY, **err.headers})
    else:
        response = make_response(jsonify(err.body()), err.status_code, err.headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def _managed_login() -> ManagedLogin:
    login = services().managed_login
    if login is None:
        raise errors.ManagedLoginOff()
    return login


def pass_through_schema(limit: int) -> dict[str, Any]:
    """The OpenAPI schema of a passed-through parameter: what `_passed` accepts."""
    return {"type": "string", "maxLength": limit, "pattern": "^[^\\u0000-\\u001f\\u007f]*$"}


def _passed(args: Mapping[str, str], name: str, limit: int) -> str:
    value = args[name]
    if len(value) > limit or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise errors.InvalidRequest(f"{name} must be at most {limit} characters, none of them a control character.")
    return value
