"""The app's shared services: built once in the factory, kept in `app.extensions`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from flask import Flask, current_app

from config import ConfigError, Settings
from services.cognito.client import check_admin_credentials, cognito_client
from services.cognito.threat_context import Provider
from services.flows.after_sign_in import SignIns
from services.flows.auth_service import AuthService
from services.flows.managed_login import ManagedLogin
from services.flows.portal_step import PortalStep
from services.flows.session_refresh import refresher, user_check
from services.state.attempts import Attempts
from services.state.hoststore import HostStore, default_folder
from services.state.pending_sign_ins import OneTimeRecords, PendingSignIns
from services.state.redis_connect import RedisTarget
from services.state.revocations import Revocations
from services.state.session_store import Sessions
from services.tokens.alb import AlbKeys, AlbVerifier
from services.tokens.assertion import KeyFileError, Signer, signer
from services.tokens.cache import VerifiedTokens
from services.tokens.jwks import JwksCache
from services.tokens.verifier import Pool, TokenVerifier

_KEY = "cognito_auth"
_ASSERTION = "cognito_auth_assertion"  # the assertion's signer (None without ASSERTION_KEY_FILE)


@dataclass(frozen=True)
class Services:
    settings: Settings
    auth: AuthService
    verifier: TokenVerifier
    alb: AlbVerifier | None  # only with ALB_ARNS: else `x-amzn-oidc-data` is never read (a client could forge it)
    revocations: Revocations
    attempts: Attempts
    sessions: Sessions
    managed_login: ManagedLogin | None  # None: COGNITO_DOMAIN unset
    pending_sign_ins: PendingSignIns
    portal_steps: OneTimeRecords[PortalStep]  # the portal's sign-in steps under way (controllers/portal.py)

    @property
    def sign_ins(self) -> SignIns:
        """The work after a sign-in and at a sign-out (services/flows/after_sign_in.py), over these services."""
        settings = self.settings
        return SignIns(
            self.auth, self.revocations, self.attempts, self.sessions, settings.token_leeway, settings.session_lifetime
        )


def init_app(app: Flask, settings: Settings, threat_context: Provider | None = None) -> None:
    """Build the Cognito calls (their client made on first use, given `threat_context`), each pool's JWKS
    cache and the verifiers."""
    check_admin_credentials(settings)
    pools = [
        Pool(pool.pool_id, pool.issuers, pool.client_ids, _jwks(settings, pool.keys_url)) for pool in settings.pools
    ]
    verifier = TokenVerifier(
        pools,
        leeway=settings.token_leeway,
        cache=VerifiedTokens(settings.token_cache_entries, settings.token_cache_bytes),
    )
    alb = None
    if settings.alb_arns:
        keys = AlbKeys(settings.alb_keys_url, timeout=settings.jwks_timeout)
        alb = AlbVerifier(keys, verifier, arns=settings.alb_arns, leeway=settings.token_leeway)
    auth = AuthService(
        partial(cognito_client, settings, threat_context),
        settings.client_id,
        settings.client_secret,
        user_pool_id=settings.user_pool_id,
        registration_mode=settings.registration_mode,
        login_flow=settings.login_flow,
    )
    host = HostStore(settings.shared_state_dir or default_folder())
    redis = _redis(settings)
    revocations, attempts = Revocations(host, redis), Attempts(host, redis)
    sessions = Sessions(
        host,
        redis,
        lifetime=settings.session_lifetime,
        refresh_budget=settings.cognito_budget,
        ends=revocations,
        recheck_seconds=settings.session_recheck,
        refresh=refresher(auth),
        check=user_check(auth),
    )
    app.extensions[_KEY] = Services(
        settings,
        auth,
        verifier,
        alb,
        revocations,
        attempts,
        sessions,
        _managed_login(settings),
        PendingSignIns(host, redis),
        OneTimeRecords("step", PortalStep.load, host, redis),
    )
    try:  # read once: a key that cannot be read stops start-up, never a request
        app.extensions[_ASSERTION] = signer(settings.assertion_key_file, settings.assertion_previous_key_files)
    except KeyFileError as err:
        raise ConfigError(f"ASSERTION_KEY_FILE (or _PREVIOUS): {err}") from None


def _redis(settings: Settings) -> RedisTarget | None:
    """REDIS_URL and how to reach it (one Redis, a cluster, Sentinel); None without REDIS_URL."""
    if not settings.redis_url:
        return None
    return RedisTarget(
        settings.redis_url,
        cluster=settings.redis_cluster,
        sentinels=settings.redis_sentinels,
        sentinel_master=settings.redis_sentinel_master,
        wait_ms=settings.redis_wait_ms,
        min_replicas=settings.redis_min_replicas,
    )


def _jwks(settings: Settings, url: str) -> JwksCache:
    return JwksCache(
        url, timeout=settings.jwks_timeout, max_age=settings.jwks_max_age, cooldown=settings.jwks_refetch_cooldown
    )


def _managed_login(settings: Settings) -> ManagedLogin | None:
    if not settings.cognito_domain:
        return None
    return ManagedLogin(
        settings.cognito_domain,
        settings.client_id,
        settings.client_secret,
        redirect_uri=settings.oauth_redirect_uri,
        logout_uri=settings.oauth_logout_uri,
        scopes=settings.oauth_scopes,
        timeout=settings.cognito_timeout,
    )


def services(app: Flask | None = None) -> Services:
    """The services of `app`, or of the current app."""
    app_services: Services = (app or current_app).extensions[_KEY]
    return app_services


def assertion_signer(app: Flask | None = None) -> Signer | None:
    """The signer of `/auth/check`'s assertions (None: no ASSERTION_KEY_FILE)."""
    found: Signer | None = (app or current_app).extensions[_ASSERTION]
    return found
