"""A scripted Cognito for the refresh tests: sign-ins answer tokens inside the refresh margin, each refresh
answers new ones and a rotated refresh token, and is counted (`proxy.refreshes`, `proxy.refreshed_with`)."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.support.helpers import Minter, json_reply


@pytest.fixture
def rotating_cognito(pool, proxy):
    """Sign-ins answer tokens 30 s from expiry (inside the refresh margin); each refresh answers fresh tokens and
    a new refresh token, and is counted."""
    minter = Minter(f"https://cognito-idp.us-east-1.amazonaws.com/{pool['user_pool_id']}", pool["client_id"])
    proxy.refreshes, proxy.refreshed_with = 0, []
    lock = threading.Lock()

    def tokens(lifetime: int, refresh_token: str) -> dict:
        exp = int(time.time()) + lifetime
        return {
            "AccessToken": minter.token("access", exp=exp),
            "IdToken": minter.token("id", exp=exp),
            "RefreshToken": refresh_token,
            "ExpiresIn": lifetime,
            "TokenType": "Bearer",
        }

    def sign_in(request):
        return json_reply(200, {"AuthenticationResult": tokens(30, "refresh-0")})

    def refresh(request):
        with lock:
            proxy.refreshes += 1
            proxy.refreshed_with.append(json.loads(request.body)["RefreshToken"])
        time.sleep(0.3)  # a Cognito round trip: every other request arrives while it is under way
        return json_reply(200, {"AuthenticationResult": tokens(3600, f"refresh-{proxy.refreshes}")})

    proxy.answers.update(InitiateAuth=sign_in, GetTokensFromRefreshToken=refresh)
    return proxy
