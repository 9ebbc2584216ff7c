"""What every group of Cognito calls shares: the boto3 client, the start-up check of the admin modes, and
`CognitoCalls` (one pool's app client, the secret hash, and the choice of public or admin call).

The calls are grouped by stage of an account's life, one module each (signup, signin, account), and
combined as `AuthService` (services/flows/auth_service.py); their sign-in answers are shaped by
services/flows/sign_in_answers.py.

boto3 and botocore are imported where the first Cognito call needs them, not at import: a cold start that
serves only routes making no Cognito call (a Lambda function's `/hello` or `/health`) never loads them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections.abc import Callable, Mapping
from typing import Any

import errors
from config import ConfigError, Settings
from services import after_fork_in_child
from services.cognito.bulkhead import BoundedClient, Bulkhead
from services.cognito.error_map import translated
from services.cognito.flow_refusal import flow_refused
from services.cognito.threat_context import Provider, add_threat_context

# Only the admin modes need IAM credentials; every other call is a public Cognito API.
ADMIN_SETTINGS = {"REGISTRATION_MODE": ("auto_confirm", "admin"), "LOGIN_FLOW": ("ADMIN_USER_PASSWORD_AUTH",)}


def cognito_client(settings: Settings, threat_context: Provider | None = None) -> Any:
    """The one boto3 `cognito-idp` client of a process: each call within `COGNITO_BUDGET_SECONDS`, and at
    most `COGNITO_MAX_CONCURRENT_CALLS` of them at once (services/cognito/bulkhead.py); each call that takes it is
    given `threat_context()` (services/cognito/threat_context.py)."""
    import boto3  # on first use (see the module's docstring), as are the other boto3 and botocore imports
    from botocore.config import Config

    # Two attempts when both fit in the budget, else one: a call never holds a thread past the budget
    # (plus the short connect timeout).
    attempts = 2 if 2 * settings.cognito_timeout <= settings.cognito_budget else 1
    config = Config(
        connect_timeout=min(settings.cognito_timeout / 2, 1.0),
        read_timeout=min(settings.cognito_timeout, settings.cognito_budget),
        retries={"mode": "standard", "total_max_attempts": attempts},
        max_pool_connections=settings.cognito_max_calls,
    )
    client = boto3.client("cognito-idp", region_name=settings.region, endpoint_url=settings.endpoint_url, config=config)
    if threat_context is not None:
        add_threat_context(client, threat_context)
    return BoundedClient(client, Bulkhead(settings.cognito_max_calls, settings.cognito_slot_wait))


def check_admin_credentials(settings: Settings) -> None:
    """Stop at start-up, not at the first sign-up, when an admin mode has no AWS credentials to call with."""
    chosen = {"REGISTRATION_MODE": settings.registration_mode, "LOGIN_FLOW": settings.login_flow}
    needing = [f"{name}={chosen[name]}" for name, modes in ADMIN_SETTINGS.items() if chosen[name] in modes]
    needing += ["ADMIN_GROUP (the admin API)"] if settings.admin_group else []
    if not needing:
        return
    import boto3

    if boto3.Session().get_credentials() is None:
        raise ConfigError(
            f"{' and '.join(needing)} call Cognito's admin APIs, which need AWS credentials, and none were found "
            "(set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an instance role; see docs/cognito.md)"
        )


class CognitoCalls:
    """What every group of calls shares: one pool's app client, its secret, and the configured modes.

    `connect()` makes the boto3 client; it is called on the first Cognito call, once per process.
    """

    def __init__(
        self,
        connect: Callable[[], Any],
        client_id: str,
        client_secret: str | None = None,
        *,
        user_pool_id: str = "",
        registration_mode: str = "self",
        login_flow: str = "USER_PASSWORD_AUTH",
    ) -> None:
        self._connect = connect
        self.client_id = client_id
        self.client_secret = client_secret
        self.user_pool_id = user_pool_id  # for the admin calls of the admin modes
        self.registration_mode = registration_mode
        self.admin_flow = login_flow == "ADMIN_USER_PASSWORD_AUTH"
        self.srp_flow = login_flow == "USER_SRP_AUTH"
        self._start_process()
        # gunicorn --preload forks after the app is built: each worker makes its own client and lock.
        after_fork_in_child(self, CognitoCalls._start_process)

    def _start_process(self) -> None:
        self._client: Any = None
        self._client_lock = threading.Lock()

    @property
    def client(self) -> Any:
        """The boto3 client, made by the first call that needs it and kept for every later one."""
        if self._client is None:
            with self._client_lock:  # concurrent first calls make one client, not several
                if self._client is None:
                    self._client = self._connect()
        return self._client

    def secret_hash(self, username: str, key: str = "SecretHash") -> dict[str, str]:
        """`{key: SECRET_HASH}` for app clients with a secret, else `{}`.

        SECRET_HASH = base64(HMAC-SHA256(secret, username + client id)); InitiateAuth and
        RespondToAuthChallenge take it as `SECRET_HASH` inside their parameters, other calls as `SecretHash`.
        """
        if not self.client_secret:
            return {}
        digest = hmac.new(self.client_secret.encode(), (username + self.client_id).encode(), hashlib.sha256).digest()
        return {key: base64.b64encode(digest).decode()}

    def sign_in_call(
        self, method: str, overrides: Mapping[str, type[errors.ApiError]], *, keep_message: bool, **kwargs: Any
    ) -> Mapping[str, Any]:
        """Call `initiate_auth` or `respond_to_auth_challenge` (their admin twins under the admin flow)."""
        if self.admin_flow:
            kwargs["UserPoolId"] = self.user_pool_id
            method = f"admin_{method}"
        operation = "".join(part.title() for part in method.split("_"))  # admin_initiate_auth -> AdminInitiateAuth
        with flow_refused(kwargs.get("AuthFlow")), translated(operation, overrides, keep_message=keep_message):
            answer: Mapping[str, Any] = getattr(self.client, method)(ClientId=self.client_id, **kwargs)
            return answer
