"""The app's shared services: built once in the factory, kept in `app.extensions`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from flask import Flask, current_app

from config import Settings
from services.attempts import Attempts
from services.auth import AuthService
from services.cognito import check_admin_credentials, cognito_client
from services.hoststore import HostStore, default_folder
from services.jwks import JwksCache
from services.revocations import Revocations
from services.sessions import Sessions
from services.token_cache import VerifiedTokens
from services.tokens import TokenVerifier

_KEY = "cognito_auth"


@dataclass(frozen=True)
class Services:
    settings: Settings
    auth: AuthService
    verifier: TokenVerifier
    revocations: Revocations
    attempts: Attempts
    sessions: Sessions


def init_app(app: Flask, settings: Settings) -> None:
    """Build the Cognito calls (their client made on first use), the JWKS cache and the verifier for this process."""
    check_admin_credentials(settings)
    jwks = JwksCache(
        settings.jwks_url,
        timeout=settings.jwks_timeout,
        max_age=settings.jwks_max_age,
        cooldown=settings.jwks_refetch_cooldown,
    )
    verifier = TokenVerifier(
        jwks,
        issuers=settings.issuers,
        client_ids=settings.client_ids,
        leeway=settings.token_leeway,
        cache=VerifiedTokens(settings.token_cache_entries, settings.token_cache_bytes),
    )
    auth = AuthService(
        partial(cognito_client, settings),
        settings.client_id,
        settings.client_secret,
        user_pool_id=settings.user_pool_id,
        registration_mode=settings.registration_mode,
        login_flow=settings.login_flow,
    )
    host = HostStore(settings.shared_state_dir or default_folder())
    revocations, attempts = Revocations(host, settings.redis_url), Attempts(host, settings.redis_url)
    sessions = Sessions(
        host, settings.redis_url, lifetime=settings.session_lifetime, refresh_budget=settings.cognito_budget
    )
    app.extensions[_KEY] = Services(settings, auth, verifier, revocations, attempts, sessions)


def services(app: Flask | None = None) -> Services:
    """The services of `app`, or of the current app."""
    app_services: Services = (app or current_app).extensions[_KEY]
    return app_services
