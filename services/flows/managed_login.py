"""Managed login: the OAuth 2.0 authorization code flow with PKCE at the pool's domain (Cognito's Hosted UI).

Authlib's OAuth 2.0 client (`authlib.integrations.requests_client.OAuth2Session`) makes the state, the S256
code challenge and the authorize URL, checks the state of the answer and exchanges the code; this module
adds Cognito's endpoints (`{domain}/oauth2/authorize`, `/oauth2/token`, `/logout`), the timeouts, and turns
the token endpoint's answers into the API's errors (errors.py). What a started sign-in must remember (its
state, nonce, verifier and `rd`) is a `PendingSignIn`, kept server-side by services/state/pending_sign_ins.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oauth2.rfc6749.errors import MismatchingStateException, MissingCodeException

import errors

log = logging.getLogger(__name__)
# Cognito's token endpoint errors that mean this server's request or client is wrong, not the user's code.
_CLIENT_PROBLEMS = frozenset(
    {"invalid_client", "unauthorized_client", "unsupported_grant_type", "invalid_request", "invalid_scope"}
)
# What the authorize step may answer in `error=` (RFC 6749 4.1.2.1), in our words; anything else is "other".
AUTHORIZE_ERRORS = {
    "access_denied": "The sign-in was cancelled or refused.",
    "invalid_request": "The identity provider refused the sign-in request.",
    "unauthorized_client": "This app client may not use managed login (its OAuth flows need a look).",
    "unsupported_response_type": "The identity provider does not offer the code flow to this app client.",
    "invalid_scope": "The identity provider refused a scope this server asked for (OAUTH_SCOPES).",
    "server_error": "The identity provider failed to complete the sign-in; please try again.",
    "temporarily_unavailable": "The identity provider is busy; please try again shortly.",
}

# Amplify's names for Cognito's social providers; any other identity provider is `{"custom": name}`.
AMPLIFY_PROVIDERS: dict[str, Any] = {
    "Google": "Google",
    "Facebook": "Facebook",
    "LoginWithAmazon": "Amazon",
    "SignInWithApple": "Apple",
}


@dataclass(frozen=True)
class PendingSignIn:
    """A sign-in sent to the authorize endpoint and not back yet: what its callback is checked against."""

    state: str
    nonce: str
    code_verifier: str
    rd: str | None
    redirect_uri: str  # the exchange sends the authorize step's own

    def dump(self) -> str:
        """The stored form (JSON)."""
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def load(cls, data: str | bytes) -> PendingSignIn | None:
        """A stored sign-in, or None when what is stored is not one."""
        try:
            fields = json.loads(data)
            return cls(**fields)
        except (ValueError, TypeError):
            return None


class ManagedLogin:
    """The code flow against one pool domain and app client. The redirect and logout URIs are the settings',
    else this server's own as the request names them (`base`: its scheme, host and port, ending in `/`)."""

    def __init__(
        self,
        domain: str,
        client_id: str,
        client_secret: str | None,
        *,
        redirect_uri: str | None,
        logout_uri: str | None,
        scopes: tuple[str, ...],
        timeout: float,
    ) -> None:
        self.domain, self.client_id, self._secret = domain, client_id, client_secret
        self.redirect_uri, self.logout_uri, self.scopes = redirect_uri, logout_uri, scopes
        # Connecting takes at most a second, as for Cognito's API (services/cognito/client.py); reading, the setting.
        self.timeout = (min(1.0, timeout), timeout)

    def redirect_uri_for(self, base: str) -> str:
        """The redirect URI (Cognito's CallbackURLs): OAUTH_REDIRECT_URI, else `base` + auth/oauth/callback."""
        return self.redirect_uri or f"{base}auth/oauth/callback"

    def logout_uri_for(self, base: str) -> str:
        """Where Cognito's logout sends the browser (its LogoutURLs): OAUTH_LOGOUT_URI, else `base`."""
        return self.logout_uri or base

    def _client(self, redirect_uri: str) -> OAuth2Session:
        # One per sign-in: the session object keeps a token and a state, so it is never shared across threads.
        # With a secret, Authlib sends it by HTTP Basic (client_secret_basic), as Cognito expects.
        client = OAuth2Session(
            self.client_id,
            self._secret,
            scope=" ".join(self.scopes),
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
        )
        client.register_compliance_hook("access_token_response", _refuse_unavailable)
        return client

    def authorize(self, rd: str | None, extra: Mapping[str, str], base: str) -> tuple[str, PendingSignIn]:
        """The authorize URL to send the browser to, and the sign-in to remember until it comes back.

        `extra`: `identity_provider`, `idp_identifier`, `login_hint` as the caller gave them."""
        verifier, nonce, redirect_uri = generate_token(64), generate_token(32), self.redirect_uri_for(base)
        with self._client(redirect_uri) as client:
            url, state = client.create_authorization_url(
                f"{self.domain}/oauth2/authorize",
                state=generate_token(32),
                code_verifier=verifier,
                nonce=nonce,
                **extra,
            )
        return url, PendingSignIn(state=state, nonce=nonce, code_verifier=verifier, rd=rd, redirect_uri=redirect_uri)

    def exchange(self, pending: PendingSignIn, query: str) -> dict[str, Any]:
        """The tokens for the callback's query (`code`, `state`): Authlib checks the state against the
        sign-in's, then the code is exchanged at the token endpoint with the sign-in's verifier."""
        response_url = f"{pending.redirect_uri}?{query}"
        try:
            with self._client(pending.redirect_uri) as client:
                token = client.fetch_token(
                    f"{self.domain}/oauth2/token",
                    authorization_response=response_url,
                    state=pending.state,
                    code_verifier=pending.code_verifier,
                    timeout=self.timeout,
                )
        except MismatchingStateException as err:
            raise errors.InvalidState() from err
        except MissingCodeException as err:
            raise errors.ManagedLoginFailed("The identity provider's answer carries no authorization code.") from err
        except OAuthError as err:
            raise _translated(err.error) from err
        except (requests.HTTPError, ValueError) as err:  # not Cognito's JSON answer (a proxy's page, say)
            log.warning("token endpoint answered something else than JSON: %s", type(err).__name__)
            raise errors.TokenExchangeFailed() from err
        except requests.RequestException as err:  # unreachable, timed out, the answer cut short
            log.warning("token endpoint unreachable: %s", type(err).__name__)
            raise errors.ServiceUnavailable() from err
        answer = dict(token)
        if not isinstance(answer.get("id_token"), str) or not isinstance(answer.get("access_token"), str):
            log.warning("token endpoint answered no ID token (is 'openid' an allowed scope of the app client?)")
            raise errors.TokenExchangeFailed("The identity provider answered no ID token.")
        return answer

    def front_end_config(self, providers: tuple[str, ...], base: str) -> dict[str, Any]:
        """What a front end needs for managed login, in the shape of Amplify's `loginWith.oauth`."""
        return {
            "domain": self.domain.split("://", 1)[1],  # Amplify's form: the host, no scheme
            "scopes": list(self.scopes),
            "redirectSignIn": [self.redirect_uri_for(base)],
            "redirectSignOut": [self.logout_uri_for(base)],
            "responseType": "code",
            "providers": [AMPLIFY_PROVIDERS.get(name, {"custom": name}) for name in providers],
        }

    def logout_url(self, base: str) -> str:
        """Cognito's logout endpoint: it ends the pool's own session, then sends the browser to the logout URI."""
        query = urlencode({"client_id": self.client_id, "logout_uri": self.logout_uri_for(base)})
        return f"{self.domain}/logout?{query}"


def _refuse_unavailable(response: requests.Response) -> requests.Response:
    """Before Authlib reads the answer: 429 and 5xx are the API's own 429 and 503 (a retry may succeed)."""
    if response.status_code == 429:
        raise errors.TooManyRequests("The identity provider is rate limiting sign-ins; try again shortly.")
    if response.status_code >= 500:
        log.warning("token endpoint answered %d", response.status_code)
        raise errors.ServiceUnavailable()
    return response


def _translated(code: Any) -> errors.ApiError:
    if code == "invalid_grant":
        return errors.InvalidGrant()
    if code in _CLIENT_PROBLEMS:
        # The server's fault, not the user's: the log names Cognito's code (never a secret or the code itself).
        log.warning("token endpoint refused the exchange: %s (check the app client's secret and OAuth settings)", code)
        return errors.TokenExchangeFailed(extra={"oauth_error": code})
    log.warning("token endpoint answered an unknown error")
    return errors.TokenExchangeFailed()
