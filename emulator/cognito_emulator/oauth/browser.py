"""The endpoints a browser navigates to: `/oauth2/authorize`, the sign-in page `/login`, `/logout`, and
`/oauth2/idpresponse` where an identity provider sends the user back.

A managed-login session cookie (one hour, as Cognito's) lets a signed-in browser through `/oauth2/authorize`
without the form until `/logout` ends it. The form is CSRF-safe: its token is an HMAC of a cookie only this
origin can read, and a POST whose Origin (or Sec-Fetch-Site) says another site is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from cognito_emulator.oauth import authorize
from cognito_emulator.oauth.authorize import COGNITO, PageError, RedirectError, redirect_to
from cognito_emulator.oauth.clients import AppClient, find_client
from cognito_emulator.oauth.context import context
from cognito_emulator.oauth.pages import error_page, sign_in_page
from cognito_emulator.oauth.records import AuthorizeRequest, Code, Session

SESSION_COOKIE = "emulator-cognito"  # not Cognito's `cognito`: the emulator shares 127.0.0.1 with the app
CSRF_COOKIE = "emulator-xsrf"

pages = Blueprint("managed_login", __name__)


def _cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="Lax", path="/")


def _finish(app: AppClient, auth: AuthorizeRequest, username: str, auth_time: int) -> Response:
    """The app's redirect with a fresh single-use code."""
    code = context().records.codes.put(Code(auth, username, auth_time))
    return redirect_to(auth.redirect_uri, code=code, state=auth.state)


def _providers(app: AppClient) -> dict[str, str]:
    """A sign-in link per identity provider the client supports that the emulator can reach."""
    args = {k: v for k, v in request.args.items() if k not in ("identity_provider", "idp_identifier")}
    return {
        name: "/oauth2/authorize?" + urlencode({**args, "identity_provider": name})
        for name in app.setting("SupportedIdentityProviders")
        if name != COGNITO and context().federation.offers(app.pool, name)
    }


def _csrf_for(cookie: str) -> str:
    return hmac.new(context().secret, cookie.encode(), hashlib.sha256).hexdigest()


def _form(app: AppClient, auth: AuthorizeRequest, error: str | None = None, username: str = "") -> Response:
    cookie = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = sign_in_page(
        action="/login?" + urlencode(list(request.args.items(multi=False))),
        csrf=_csrf_for(cookie),
        redirect_uri=auth.redirect_uri,
        username=username or auth.login_hint or "",
        error=error,
        providers=_providers(app),
        password_form=COGNITO in app.setting("SupportedIdentityProviders"),
    )
    _cookie(response, CSRF_COOKIE, cookie, 3600)
    return response


def _same_origin() -> bool:
    origin, site = request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site")
    if origin is not None and origin != request.host_url.rstrip("/"):
        return False
    return site in (None, "same-origin", "none")


def _checked() -> tuple[AppClient, AuthorizeRequest, str | None] | Response:
    try:
        return authorize.check(context().backend(), request.args)
    except PageError as err:
        return error_page(str(err))
    except RedirectError as err:
        return err.response()


@pages.get("/oauth2/authorize")
def authorize_endpoint() -> Response:
    """Check the request, then the IdP asked for, a live session's code, or the sign-in page."""
    checked = _checked()
    if isinstance(checked, Response):
        return checked
    app, auth, provider = checked
    if provider not in (None, COGNITO):
        return context().federation.start(app, auth, provider, request.host_url)
    session = context().records.sessions.get(request.cookies.get(SESSION_COOKIE))
    user = app.pool._get_user(session.username) if session and session.pool_id == app.pool.id else None
    if user is not None and user.enabled and request.args.get("prompt") != "login":
        return _finish(app, auth, user.username, session.auth_time if session else int(time.time()))
    return redirect_to("/login?" + urlencode(list(request.args.items())))


@pages.get("/login")
def login_page() -> Response:
    """The sign-in form for the checked request."""
    checked = _checked()
    return checked if isinstance(checked, Response) else _form(checked[0], checked[1])


def _problem(user: Any, password: str) -> str | None:
    """Why this user cannot sign in with this password here, or None."""
    if user is None or not user.password or not hmac.compare_digest(str(user.password), password):
        return "Incorrect username or password."
    if not user.enabled:
        return "User is disabled."
    if user.status != "CONFIRMED":
        return (
            "User is not confirmed."
            if user.status == "UNCONFIRMED"
            else f"User status {user.status}: sign in through the API."
        )
    if user.software_token_mfa_enabled or user.sms_mfa_enabled:
        return "This user has MFA on, which the emulator's sign-in page does not ask for: sign in through the API."
    return None


@pages.post("/login")
def login_submit() -> Response:
    """Check the form's CSRF token and the credentials; on success a session and the app's redirect."""
    checked = _checked()
    if isinstance(checked, Response):
        return checked
    app, auth, _ = checked
    cookie, token = request.cookies.get(CSRF_COOKIE), request.form.get("_csrf", "")
    if not cookie or not hmac.compare_digest(_csrf_for(cookie), token) or not _same_origin():
        return error_page("The form expired or came from another site: go back and sign in again.", 403)
    if COGNITO not in app.setting("SupportedIdentityProviders"):
        return error_page("The app client does not allow signing in with a username and password.", 403)
    username, password = request.form.get("username", ""), request.form.get("password", "")
    user = app.pool._get_user(username) if username else None
    problem = _problem(user, password)
    if problem is not None:
        return _form(app, auth, problem, username)
    return _signed_in(app, auth, user.username)


def _signed_in(app: AppClient, auth: AuthorizeRequest, username: str) -> Response:
    """A user who just signed in (here or at an IdP): a managed-login session, and the app's redirect."""
    auth_time = int(time.time())
    response = _finish(app, auth, username, auth_time)
    session = context().records.sessions.put(Session(app.pool.id, username, auth_time))
    _cookie(response, SESSION_COOKIE, session, 3600)
    return response


@pages.get("/oauth2/idpresponse")
def idp_response() -> Response:
    """An identity provider's answer: the federated user signed in, then the app's redirect with a code."""
    try:
        app, auth, username = context().federation.finish(request)
    except PageError as err:
        return error_page(str(err))
    except RedirectError as err:
        return err.response()
    return _signed_in(app, auth, username)


@pages.get("/logout")
def logout() -> Response:
    """End the managed-login session, then to a LogoutURL, or back to sign-in with redirect_uri."""
    app = find_client(context().backend(), request.args.get("client_id"))
    if app is None:
        return error_page("invalid_request: the client_id is missing or not an app client of this pool.")
    logout_uri = request.args.get("logout_uri")
    if logout_uri is not None and logout_uri not in app.setting("LogoutURLs"):
        return error_page("redirect_mismatch: the logout_uri is not one of the app client's sign-out URLs.")
    if logout_uri is None and not request.args.get("redirect_uri"):
        return error_page("invalid_request: logout needs a logout_uri, or a redirect_uri and response_type.")
    target = logout_uri or "/oauth2/authorize?" + urlencode(
        [(k, v) for k, v in request.args.items() if k != "logout_uri"]
    )
    response = redirect_to(target)
    context().records.sessions.drop(request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
