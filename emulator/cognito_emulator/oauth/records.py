"""What the OAuth endpoints remember between requests: authorization codes, managed-login sessions, federated
sign-ins under way, and the grant behind each refresh token.

Codes, sessions and federated sign-ins live in memory only (minutes long; a restart ends them, as a
redeploy would). The grant of a refresh token (its scopes and auth_time) is kept on moto's pool object as
`oauth_grants`, keyed by the token's origin_jti, so snapshot.py saves it with the refresh token itself.
Every call reaches these under the gate's one lock (gate.py), so they need none of their own.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Generic, TypeVar

from cognito_emulator.oauth.minting import Grant

CODE_LIFETIME = 300  # Cognito's authorization codes last five minutes
SESSION_LIFETIME = 3600  # its managed-login session cookie lasts an hour
FLOW_LIFETIME = 600  # a federated sign-in has ten minutes to come back

T = TypeVar("T")


def clock() -> float:
    """Seconds on a monotonic clock (a name of its own, so a test can move this module's time alone)."""
    return time.monotonic()


@dataclass(frozen=True)
class AuthorizeRequest:
    """A checked `/oauth2/authorize` request, as the sign-in page and the IdP's answer carry it on."""

    pool_id: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    nonce: str | None
    code_challenge: str | None
    login_hint: str | None = None


@dataclass(frozen=True)
class Code:
    """An authorization code's grant: whose, for which request, since when."""

    request: AuthorizeRequest
    username: str
    auth_time: int


@dataclass(frozen=True)
class Session:
    """A managed-login session: the user signed in to a pool on this browser."""

    pool_id: str
    username: str
    auth_time: int


@dataclass(frozen=True)
class FederatedFlow:
    """A sign-in sent to an identity provider: the app's request, and our side of the IdP's code exchange."""

    request: AuthorizeRequest
    provider: str
    code_verifier: str
    nonce: str


@dataclass
class Expiring(Generic[T]):
    """Values under random keys that each expire; `take` reads a value once."""

    lifetime: int
    values: dict[str, tuple[float, T]] = field(default_factory=dict)

    def put(self, value: T) -> str:
        """Keep `value`; return its new random key."""
        now = clock()
        self.values = {k: v for k, v in self.values.items() if v[0] > now}  # expired ones go on every write
        key = secrets.token_urlsafe(32)
        self.values[key] = (now + self.lifetime, value)
        return key

    def get(self, key: Any) -> T | None:
        """The value under `key`, unless expired or unknown."""
        found = self.values.get(key) if isinstance(key, str) else None
        return found[1] if found and found[0] > clock() else None

    def take(self, key: Any) -> T | None:
        """The value under `key`, removed (used once), unless expired or unknown."""
        value = self.get(key)
        if value is not None:
            del self.values[key]
        return value

    def drop(self, key: Any) -> None:
        """Forget `key`."""
        if isinstance(key, str):
            self.values.pop(key, None)


class Records:
    """Everything above, for one emulator."""

    def __init__(self) -> None:
        self.codes: Expiring[Code] = Expiring(CODE_LIFETIME)
        self.sessions: Expiring[Session] = Expiring(SESSION_LIFETIME)
        self.flows: Expiring[FederatedFlow] = Expiring(FLOW_LIFETIME)


def keep_grant(pool: Any, origin_jti: str, grant: Grant) -> None:
    """Remember the grant a refresh token was issued with (saved with the pool)."""
    if not hasattr(pool, "oauth_grants"):
        pool.oauth_grants = {}
    pool.oauth_grants[origin_jti] = asdict(grant)


def grant_of(pool: Any, origin_jti: str) -> Grant:
    """The grant behind a refresh token; one from InitiateAuth has only Cognito's API scope, as Cognito says."""
    saved = getattr(pool, "oauth_grants", {}).get(origin_jti)
    if saved is None:
        return Grant(scopes=("aws.cognito.signin.user.admin",), auth_time=int(time.time()))
    return Grant(scopes=tuple(saved["scopes"]), auth_time=int(saved["auth_time"]))
