"""The managed login's HTML: the sign-in page and the error page. Plain, no external assets, a strict CSP.

Every value is escaped; the one inline style block is allowed by a per-response nonce. `form-action` names
the app's redirect origin too, because the sign-in form's answer is a redirect there (browsers apply
form-action to the redirects after a submission).
"""

from __future__ import annotations

import secrets
from html import escape
from urllib.parse import urlsplit

from flask import Response

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}"
    "label{display:block;margin-top:1rem}input{width:100%;padding:.4rem;box-sizing:border-box}"
    "button,.idp{display:block;width:100%;margin-top:1.2rem;padding:.5rem;text-align:center}"
    ".error{color:#a00;border:1px solid #a00;padding:.5rem}"
)


def _page(title: str, body: str, status: int, form_origin: str | None = None) -> Response:
    nonce = secrets.token_urlsafe(16)
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style nonce="{nonce}">{STYLE}</style>'
        f"</head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    form_action = "'self'" + (f" {form_origin}" if form_origin else "")
    csp = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; form-action {form_action}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    response = Response(html, status=status, mimetype="text/html")
    response.headers.update(
        {
            "Content-Security-Policy": csp,
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",  # no-referrer would make a browser send `Origin: null`
            "Cache-Control": "no-store",
        }
    )
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def sign_in_page(
    *,
    action: str,
    csrf: str,
    redirect_uri: str,
    username: str = "",
    error: str | None = None,
    providers: dict[str, str] | None = None,
    password_form: bool = True,
) -> Response:
    """The sign-in form (posting to `action`), with the error of the last attempt and a link per IdP."""
    alert = f'<p class="error" role="alert" id="error">{escape(error)}</p>' if error else ""
    described = ' aria-describedby="error"' if error else ""
    links = "".join(
        f'<a class="idp" href="{escape(href)}">Sign in with {escape(name)}</a>'
        for name, href in (providers or {}).items()
    )
    form = (
        f'<form method="post" action="{escape(action)}">'
        f'<input type="hidden" name="_csrf" value="{escape(csrf)}">'
        '<label for="username">Username</label>'
        f'<input id="username" name="username" autocomplete="username" required value="{escape(username)}"{described}>'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required>'
        '<button type="submit">Sign in</button></form>'
    )
    body = alert + (form if password_form else "") + links
    return _page("Sign in", body, 401 if error else 200, _origin(redirect_uri))


def error_page(message: str, status: int = 400) -> Response:
    """An error Cognito shows on its own domain: the request cannot be sent back to the app."""
    body = f'<p class="error" role="alert">{escape(message)}</p>'
    return _page("An error was encountered with the requested page", body, status)
