import jwt
from flask import Flask, abort, request

JWKS_URL = "http://127.0.0.1:5000/.well-known/jwks.json"  # the auth server, as this app reaches it
ISSUER = "https://auth.example.com"  # the auth server's ASSERTION_ISSUER
AUDIENCE = "app.example.com"  # this app's host, as the proxy's clients name it
keys = jwt.PyJWKClient(JWKS_URL)  # fetched on first use, cached, fetched again for a new kid
app = Flask(__name__)


@app.get("/")
def who() -> dict:
    assertion = request.headers.get("X-Auth-Request-Assertion") or abort(401)
    try:
        key = keys.get_signing_key_from_jwt(assertion).key
        user = jwt.decode(assertion, key, algorithms=["ES256"], audience=AUDIENCE, issuer=ISSUER)
    except jwt.PyJWTError:
        abort(401)
    return {"user": user.get("username"), "email": user.get("email"), "groups": user["groups"]}
