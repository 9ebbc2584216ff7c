"""The outside world: Cognito, the JWKS and token verification. No Flask here."""
