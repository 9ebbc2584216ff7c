"""CORS for browser clients at the origins `--cors-origin` names (cognito_emulator/gate.py asks these).

What a page at an allowed origin may call, as Cognito's public endpoints let any page call them: the user pool
API (`POST /` with `X-Amz-Target`, as Amplify and the AWS SDK send it), the token, userInfo and revoke endpoints,
and the public key and discovery documents. Everything else (the saved state, codes, `/moto-api`, the sign-in
pages) answers no CORS header to any origin, and an origin not named is refused as before (gate.py).

The headers: the allowed origin echoed with `Vary: Origin` (Cognito's token endpoint echoes the Origin; its API
endpoint answers `*`, which the emulator never does: its signing key is public, so it names who may read), the
preflight's method and headers, AWS's x-amzn-* headers exposed. No credentials: neither endpoint uses cookies.
"""

from __future__ import annotations

import re

# The endpoints a page may read across origins: the API at `/`, and the OAuth back-channel and public documents.
READABLE = re.compile(r"^(/|/oauth2/(token|userInfo|revoke)|/[^/]+/\.well-known/(jwks\.json|openid-configuration))$")
# What the AWS SDK (Amplify's Cognito client) and OAuth clients send: any other requested header is refused.
ALLOWED_HEADERS = frozenset(
    {
        "content-type",
        "x-amz-target",
        "x-amz-user-agent",
        "x-amz-date",
        "x-amz-security-token",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "authorization",
        "cache-control",
    }
)
EXPOSED = "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date"
MAX_AGE = "600"  # seconds a browser may keep a preflight's answer


# The user pool API's operations a browser may call: those Cognito serves without AWS credentials (signed in by
# a client id, a session or the user's access token). The administrative ones (Admin*, List*, Describe*, pool and
# client changes) need IAM on AWS; moto checks no signature, so from a page they would be anyone's.
PUBLIC_OPERATIONS = frozenset(
    {
        "SignUp", "ConfirmSignUp", "ResendConfirmationCode", "InitiateAuth", "RespondToAuthChallenge",
        "ForgotPassword", "ConfirmForgotPassword", "ChangePassword", "GetUser", "UpdateUserAttributes",
        "DeleteUser", "DeleteUserAttributes", "GetUserAttributeVerificationCode", "VerifyUserAttribute",
        "GlobalSignOut", "RevokeToken", "GetTokensFromRefreshToken", "AssociateSoftwareToken",
        "VerifySoftwareToken", "SetUserMFAPreference", "SetUserSettings", "ConfirmDevice", "GetDevice",
        "ListDevices", "UpdateDeviceStatus", "ForgetDevice", "GetUserAuthFactors", "StartWebAuthnRegistration",
        "CompleteWebAuthnRegistration", "ListWebAuthnCredentials", "DeleteWebAuthnCredential",
    }
)  # fmt: skip
TARGET_PREFIX = "AWSCognitoIdentityProviderService."


def public_operation(target: str | None) -> bool:
    """Whether `X-Amz-Target` names one of the operations a page may call (PUBLIC_OPERATIONS)."""
    return bool(target) and target.startswith(TARGET_PREFIX) and target[len(TARGET_PREFIX) :] in PUBLIC_OPERATIONS


def readable(path: str, method: str) -> bool:
    """Whether a page at an allowed origin may read the answer to `method path`."""
    if READABLE.match(path) is None:
        return False
    if path == "/":  # the API takes POST only (moto's GET / would answer its own index)
        return method in ("POST", "OPTIONS")
    return method in ("GET", "POST", "OPTIONS")


def headers(origin: str) -> list[tuple[str, str]]:
    """The headers of an answer a page at `origin` (an allowed one) may read."""
    return [("Access-Control-Allow-Origin", origin), ("Access-Control-Expose-Headers", EXPOSED), ("Vary", "Origin")]


def preflight(origin: str, method: str, requested: str) -> list[tuple[str, str]] | None:
    """The headers of a preflight's answer, or None when it asks for a method or header the endpoint never takes."""
    wanted = {name.strip().lower() for name in requested.split(",") if name.strip()}
    if method not in ("GET", "POST") or not wanted <= ALLOWED_HEADERS:
        return None
    return [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Methods", "GET, POST" if method == "GET" else "POST"),
        ("Access-Control-Allow-Headers", ", ".join(sorted(wanted))),
        ("Access-Control-Max-Age", MAX_AGE),
        ("Vary", "Origin"),
    ]


def origin_of(value: str) -> str:
    """`--cors-origin`'s value checked and normalised: scheme://host[:port], nothing else (ValueError)."""
    match = re.fullmatch(r"(https?)://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(:\d{1,5})?/?", value.strip())
    if match is None:
        raise ValueError(f"not an origin (scheme://host[:port]): {value!r}")
    return f"{match[1]}://{match[2].lower()}{match[3] or ''}"
