"""Answers: what each endpoint returns on success, and the one error shape."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, RootModel


class Answer(BaseModel):
    """A documented answer (the JSON Schema is what matters; controllers build plain dicts)."""


class Error(Answer):
    error: str = Field(pattern="^[a-z_]+$", description="machine-readable, snake_case")
    message: str = Field(description="a sentence for people, never internals")
    checks: dict[str, str] = Field(default=None, description="on /ready: which dependency is unavailable")


class InvalidTokenError(Error):
    valid: Literal[False] = Field(default=False, description="on /auth/validate only")


class CodeDelivery(Answer):
    destination: str | None
    medium: str | None
    attribute: str | None


class Registered(Answer):
    username: str
    user_sub: str | None
    confirmed: bool
    code_delivery: CodeDelivery | None
    session: str = Field(default=None, description="when Cognito gives one: send it to /auth/confirm to sign in there")


class Confirmed(Answer):
    username: str
    confirmed: Literal[True]


class NewDevice(Answer):
    key: str
    group_key: str = Field(default=None, description="absent with a session cookie (the cookie keeps the device)")
    password: str = Field(default=None, description="the device's secret; absent with a session cookie")
    remembered: bool = Field(description="false where the pool remembers only on the user's choice: PUT /auth/devices")


class Tokens(Answer):
    access_token: str
    id_token: str
    refresh_token: str | None = Field(description="on refresh: the new one when the client rotates them, else null")
    expires_in: int
    token_type: Literal["Bearer"]
    username: str | None = Field(description="the stored `cognito:username` (a uuid in email-as-username pools)")
    device: NewDevice = Field(default=None, description="a new device, confirmed: send it as `device` at sign-in")
    device_key: str = Field(
        default=None, description="the device these tokens are bound to: send it as `device_key` to /auth/refresh"
    )


class SentCode(Answer):
    destination: str = Field(description="masked, as Cognito words it")
    medium: str | None = Field(description="EMAIL or SMS")


class NextChallenge(Answer):
    challenge: str
    session: str | None
    parameters: dict[str, Any] = Field(description="Cognito's ChallengeParameters, as it sent them")
    available_challenges: list[str] = Field(default=None, description="SELECT_CHALLENGE: the factors to choose from")
    code_delivery: SentCode = Field(default=None, description="EMAIL_OTP, SMS_OTP: where the code was sent")
    credential_request_options: dict[str, Any] = Field(
        default=None, description="WEB_AUTHN: the options for navigator.credentials.get (binary fields base64url)"
    )


class SignedIn(RootModel[Tokens | NextChallenge]):
    """Tokens, or the challenge Cognito asks to be answered first."""


class ConfirmedOrSignedIn(RootModel[Confirmed | Tokens | NextChallenge]):
    """Confirmed; with register's `session`, signed in as well (`confirmed: true` beside the tokens or challenge)."""


class Passkey(Answer):
    credential_id: str
    name: str | None = Field(description="Cognito's friendly name for it")
    relying_party_id: str | None
    attachment: str | None = Field(description="platform or cross-platform, when known")
    transports: list[str]
    created_at: float | None = Field(description="epoch seconds")


class Passkeys(Answer):
    passkeys: list[Passkey]


class PasskeyCreationOptions(Answer):
    credential_creation_options: dict[str, Any] = Field(
        description="PublicKeyCredentialCreationOptions for navigator.credentials.create (binary fields base64url)"
    )


class Validated(Answer):
    valid: Literal[True]
    token_use: Literal["id", "access"]
    username: str | None = Field(description="null for a machine-to-machine (client credentials) access token")
    sub: str
    expires_at: float
    claims: dict[str, Any]
    client_id: str = Field(default=None, description="access tokens: the app client it was issued to")
    scope: str | None = Field(default=None, description="access tokens: their scopes")


class Accepted(Answer):
    message: str = Field(description="the same whether or not the account exists")


class PasswordReset(Answer):
    username: str
    password_reset: Literal[True]


class PasswordChanged(Answer):
    password_changed: Literal[True]
    # Changed through a session cookie: the session's new CSRF token (its id changed too, in the new cookie).
    csrf_token: str | None = None


class Me(Answer):
    username: str
    attributes: dict[str, str]


class TotpSecret(Answer):
    secret: str
    otpauth_uri: str = Field(pattern="^otpauth://totp/")


class TotpEnabled(Answer):
    mfa: Literal["SOFTWARE_TOKEN_MFA"]
    enabled: Literal[True]


class OAuthConfig(Answer):
    """Amplify's `loginWith.oauth` (managed login)."""

    domain: str = Field(description="the pool's domain, without https://")
    scopes: list[str]
    redirectSignIn: list[str]  # Amplify's names
    redirectSignOut: list[str]
    responseType: Literal["code"]
    providers: list[str | dict[str, str]] = Field(
        description="the identity providers offered (OAUTH_IDENTITY_PROVIDERS)"
    )


class PublicConfig(Answer):
    region: str
    user_pool_id: str
    client_id: str
    issuer: str
    jwks_url: str
    endpoint_url: str = Field(default=None, description="only when an endpoint (an emulator) is set")
    oauth: OAuthConfig = Field(default=None, description="only with managed login (COGNITO_DOMAIN)")


class Greeting(Answer):
    message: str
    username: str
    email: str = Field(default=None, description="when the token has it")
    pool: str = Field(
        description="the id of the user pool that issued the token (of several, see COGNITO_ADDITIONAL_POOLS)"
    )


class Health(Answer):
    status: Literal["ok"]


class Ready(Answer):
    status: Literal["ready"]
    checks: dict[str, Literal["ok", "unavailable"]] = Field(description="each dependency: `signing_keys` (the JWKS)")
    pools: dict[str, Literal["ok", "unavailable"]] = Field(
        description="each pool's signing keys, by pool id (the primary pool's is `signing_keys`)"
    )


class SessionStarted(Answer):
    username: str
    expires_at: float = Field(description="when the session's access token expires (it is refreshed before)")
    csrf_token: str = Field(description="send as X-CSRF-Token on every request that changes something")
    device: NewDevice = Field(default=None, description="a new device, its secret in its own HttpOnly cookie")


class SessionInfo(SessionStarted):
    email: str | None
    groups: list[str]
    claims: dict[str, Any] = Field(description="the session's ID token's claims")


class SessionOrChallenge(RootModel[SessionStarted | NextChallenge]):
    """The session started, or the challenge Cognito asks to be answered first (choice-based sign-in's, say)."""
