"""The app's shared services: built once in the factory, kept in `app.extensions`."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from flask import Flask, current_app

from config import Settings
from services.cognito import AuthService, cognito_client
from services.jwks import JwksCache
from services.tokens import TokenVerifier

_KEY = "cognito_auth"


@dataclass(frozen=True)
class Services:
    settings: Settings
    auth: AuthService
    verifier: TokenVerifier


def init_app(app: Flask, settings: Settings) -> None:
    """Build the Cognito client, the JWKS cache and the verifier for this process."""
    jwks = JwksCache(
        settings.jwks_url,
        timeout=settings.jwks_timeout,
        max_age=settings.jwks_max_age,
        cooldown=settings.jwks_refetch_cooldown,
        session=requests.Session(),
    )
    verifier = TokenVerifier(jwks, issuer=settings.issuer, client_id=settings.client_id, leeway=settings.token_leeway)
    app.extensions[_KEY] = Services(settings, AuthService(cognito_client(settings), settings.client_id), verifier)


def services() -> Services:
    """The current app's services."""
    return current_app.extensions[_KEY]
