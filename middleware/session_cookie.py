"""Browser sessions: the HttpOnly cookie that stands for a signed-in user, and the CSRF rule it brings.

The tokens stay on the server (services/state/session_store.py; the request's session is found, refreshed by
the store, by middleware/authentication.py); the browser holds only a random id in a cookie that
no script can read. A request authenticated by the cookie that changes something (POST, PUT, PATCH, DELETE)
must also carry the session's CSRF token (`X-CSRF-Token`, or a form's `csrf_token` field) and, when it
sends `Origin`, come from this server's own origin or an allowed one; a bearer-token request needs neither.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from flask import request
from werkzeug.wrappers import Response

import errors
from extensions import services
from pool_settings import is_loopback_url
from services.state.session_record import Session

COOKIE = "auth_session"
# Where the cookie is Secure, its name carries the __Host- prefix (cookie_name): the browser then accepts it
# only from this very host, over HTTPS, for Path=/, so a sibling subdomain or a plain-HTTP attacker cannot plant one.
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def check_csrf(fields: Mapping[str, Any] | None, session: Session | None) -> None:
    """Refuse (403 csrf_failed) a state-changing request authenticated by the session cookie (`session`, None
    for any other) without the session's CSRF token, or from another origin. A form's `csrf_token` field is
    taken out of `fields`."""
    if session is None or request.method not in STATE_CHANGING:
        return
    sent = request.headers.get("X-CSRF-Token")
    if sent is None and isinstance(fields, dict):
        sent = fields.pop("csrf_token", None)
    if not same_secret(sent, session.csrf_token):
        raise errors.CsrfFailed()
    check_origin()


def check_origin() -> None:
    """Refuse (403 csrf_failed) a request whose `Origin` is neither this server's nor an allowed one."""
    origin = request.headers.get("Origin")
    if origin is not None and not allowed_origin(origin):
        raise errors.CsrfFailed("The request comes from an origin this server does not accept.")


def allowed_origin(origin: str) -> bool:
    """This server's own origin, one of CORS_ORIGINS (unless `*`), or a host of SESSION_REDIRECT_HOSTS."""
    if origin == request.host_url.rstrip("/"):
        return True
    settings = services().settings
    if origin in settings.cors_origins:
        return True
    scheme, _, host = origin.partition("://")
    if scheme not in ("http", "https") or not host or "/" in host:
        return False
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    for allowed in settings.session_redirect_hosts:
        if (
            allowed == host
            or allowed == name
            or (allowed.startswith(".") and (name == allowed[1:] or name.endswith(allowed)))
        ):
            return True
    return False


def same_secret(sent: Any, expected: str) -> bool:
    """Whether `sent` is `expected`, compared in constant time (any odd text, a lone surrogate too, is not)."""
    if not isinstance(sent, str):
        return False
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), expected.encode())


def cookie_name(name: str) -> str:
    """`name`, or `__Host-<name>` where cookies are Secure (everywhere but plain HTTP on loopback)."""
    return name if _plain_loopback() else f"__Host-{name}"


def set_cookie(response: Response, name: str, value: str, max_age: int, samesite: str = "Lax") -> None:
    """A cookie of this server: HttpOnly, Path=/, Secure (and __Host-) unless served on loopback over plain HTTP."""
    secure = not _plain_loopback()
    response.set_cookie(
        cookie_name(name), value, max_age=max_age, path="/", secure=secure, httponly=True, samesite=samesite
    )


def set_session_cookie(response: Response, session_id: str) -> None:
    """The session cookie: SameSite=Lax, for as long as a session may last."""
    set_cookie(response, COOKIE, session_id, int(services().settings.session_lifetime))


def clear_cookie(response: Response, name: str = COOKIE) -> None:
    """Tell the browser to forget a cookie of this server (the session's by default)."""
    response.delete_cookie(cookie_name(name), path="/", secure=not _plain_loopback(), httponly=True)


def _plain_loopback() -> bool:
    return request.scheme == "http" and is_loopback_url(request.host_url)
