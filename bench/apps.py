"""The yardsticks for bench/production.py, served by the same `gunicorn -c deploy/gunicorn.conf.py`.

`bare`: a Flask route and nothing else. `pyjwt`: the usual 20-line Flask + PyJWT token check (keys from
BENCH_JWKS_URL through PyJWKClient's cache, issuer BENCH_ISSUER, client BENCH_CLIENT_ID).
"""

from __future__ import annotations

import os

import jwt
from flask import Flask, jsonify, request

bare = Flask("bare")
bare.get("/health")(lambda: jsonify(status="ok"))

pyjwt = Flask("pyjwt")
pyjwt.get("/health")(lambda: jsonify(status="ok"))
_keys = jwt.PyJWKClient(os.environ.get("BENCH_JWKS_URL", "http://127.0.0.1/"), cache_keys=True)


@pyjwt.get("/hello")
def hello():
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    try:
        key = _keys.get_signing_key_from_jwt(token).key
        claims = jwt.decode(token, key, algorithms=["RS256"], issuer=os.environ["BENCH_ISSUER"])
    except jwt.PyJWTError:
        return jsonify(error="invalid_token"), 401
    if claims.get("token_use") != "access" or claims.get("client_id") != os.environ["BENCH_CLIENT_ID"]:
        return jsonify(error="invalid_token"), 401
    return jsonify(message=f"Hello, {claims['username']}!")
