"""A scripted Cognito domain (managed login's /oauth2/authorize, /oauth2/token and /logout), for the shapes the
emulator cannot show: the token endpoint's error bodies, a custom domain, tokens it would never issue.

Its authorize endpoint signs "alice" in at once (no page) and sends the browser back with a code; its token
endpoint answers as Cognito does (PKCE S256 checked, the redirect URI compared, each code once) with tokens
the emulator's key signs, so the server's verifier accepts them, or with whatever `script` says instead.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.support.helpers import Minter, Reply, Request, ScriptedServer, json_reply


class HostedUI:
    """`url` is the domain; `token_requests` the forms the token endpoint got (with their Authorization)."""

    def __init__(self, minter: Minter) -> None:
        self.minter = minter
        self.codes: dict[str, dict[str, str]] = {}  # code -> the authorize request's parameters
        self.token_requests: list[tuple[dict[str, str], str | None]] = []
        # (the authorize request's parameters) -> overrides of the ID token's claims
        self.id_claims: Callable[[dict[str, str]], dict[str, Any]] = lambda params: {}
        self.script: Callable[[dict[str, str]], Reply] | None = None  # replaces the token endpoint's answer
        self.server = ScriptedServer(self._reply)
        self.url = self.server.url

    def stop(self) -> None:
        self.server.stop()

    def _reply(self, request: Request) -> Reply:
        parts = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/oauth2/authorize":
            code = secrets.token_urlsafe(16)
            self.codes[code] = query
            back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
            return 302, {"Location": back}, b""
        if parts.path == "/logout":
            return 302, {"Location": query.get("logout_uri", "/")}, b""
        if parts.path == "/oauth2/token" and request.method == "POST":
            form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
            self.token_requests.append((form, request.headers.get("Authorization")))
            if self.script is not None:
                return self.script(form)
            return self._tokens(form)
        return 404, {}, b""

    def _tokens(self, form: dict[str, str]) -> Reply:
        asked = self.codes.pop(form.get("code", ""), None)
        if asked is None or form.get("grant_type") != "authorization_code":
            return json_reply(400, {"error": "invalid_grant"})
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != asked.get("code_challenge") or form.get("redirect_uri") != asked["redirect_uri"]:
            return json_reply(400, {"error": "invalid_grant"})
        claims = {"cognito:username": "alice", "email": "alice@example.com", "email_verified": True}
        claims.update({"nonce": asked.get("nonce"), **self.id_claims(asked)})
        id_token = self.minter.token("id", **{k: v for k, v in claims.items() if v is not None})
        access = self.minter.token("access", username="alice", scope=asked.get("scope", ""))
        refresh = secrets.token_urlsafe(32)
        answer = {"access_token": access, "id_token": id_token, "refresh_token": refresh}
        return json_reply(200, {**answer, "token_type": "Bearer", "expires_in": 3600})
