"""Cognito's managed-login OAuth 2.0 endpoints, served by the embedded emulator (moto serves none of them).

The emulator's endpoint (`http://127.0.0.1:PORT`) is the pool's domain: `/oauth2/authorize` with a sign-in
page at `/login`, `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke`, `/logout`, `/oauth2/idpresponse`
(federation), and the completed discovery document at `/{pool}/.well-known/openid-configuration`. Tokens are
signed with moto's key, so they verify as moto's own do. Local runs and tests only.
"""
