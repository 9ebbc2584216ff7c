"""A bearer token refused: `InvalidToken` (401), one `TokenError` subclass per reason, `RevokedToken`.

Framework-free, as every error (errors.py has them all).
"""

from __future__ import annotations

from api_error import ApiError


class InvalidToken(ApiError):
    status_code, error, message = 401, "invalid_token", "The access token is missing or invalid."
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class TokenError(InvalidToken):
    """The token is not acceptable; the message says why, without echoing the token. Raised as one subclass per
    reason (as pyjwt and aws-jwt-verify do), whose `reason` is its metric label (services/common/metrics.py)."""

    reason = "other"

    def __init__(self, detail: str) -> None:
        super().__init__(f"The token is invalid: {detail}.")
        self.detail = detail


class TokenMissing(TokenError):
    reason = "missing"  # no token, or an empty one


class TokenMalformed(TokenError):
    reason = "malformed"  # not a compact JWS, bad base64url or JSON, a claim of the wrong type or missing


class TokenExpired(TokenError):
    reason = "expired"  # `exp`, with the leeway, has passed


class TokenNotYetValid(TokenError):
    reason = "not_yet_valid"  # `iat` or `nbf` in the future


class TokenSignatureInvalid(TokenError):
    reason = "signature"


class TokenAlgorithmRefused(TokenError):
    reason = "algorithm"  # not the one algorithm the keys are for


class TokenKeyUnknown(TokenError):
    reason = "unknown_key"  # a `kid` the pool (or the load balancers) do not publish


class TokenIssuerRefused(TokenError):
    reason = "issuer"


class TokenClientRefused(TokenError):
    reason = "client"  # issued to another app client (`aud` or `client_id`)


class TokenUseRefused(TokenError):
    reason = "token_use"  # an ID token where an access token is wanted, or the other way


class TokenSignerRefused(TokenError):
    reason = "signer"  # an ALB token signed by a load balancer not in ALB_ARNS


class RevokedToken(InvalidToken):
    message = "The token is no longer valid at Cognito (signed out, revoked or the user changed)."
