"""`/auth/check`'s signed identity (ASSERTION_KEY_FILE): X-Auth-Request-Assertion, an ES256 JWT an app verifies
with PyJWT against `/.well-known/jwks.json`; the keys of a rotation; start-up refusing what it cannot read.
Through the real proxies: tests/test_forward_auth_assertion.py."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app import create_app
from config import ConfigError
from extensions import assertion_signer
from services.tokens.assertion import LIFETIME, REUSE, Identity, Signer, write_new_key
from tests.support.helpers import DROP, bearer
from tests.support.servers import ROOT

ISSUER = "https://auth.example.com"
HOST = {"X-Forwarded-Host": "app.example.com"}


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "assertion.pem"
    write_new_key(str(path))
    return str(path)


@pytest.fixture
def signing(pool, key_file):
    """The app with a signing key, and its test client."""
    app = create_app({**pool, "assertion_key_file": key_file, "assertion_issuer": ISSUER})
    return app, app.test_client()


def verified(client, assertion: str, audience: str = "app.example.com", **options) -> dict:
    """The assertion's claims, verified by PyJWT against the JWKS the app serves."""
    keys = jwt.PyJWKSet.from_dict(client.get("/.well-known/jwks.json").json)
    kid = jwt.get_unverified_header(assertion)["kid"]
    key = next(k for k in keys.keys if k.key_id == kid)
    return jwt.decode(assertion, key, algorithms=["ES256"], audience=audience, issuer=ISSUER, **options)


def test_without_a_key_no_assertion_and_no_jwks(client, minter):
    answer = client.get("/auth/check", headers={**bearer(minter.token()), **HOST})
    assert answer.status_code == 200 and "X-Auth-Request-Assertion" not in answer.headers
    keys = client.get("/.well-known/jwks.json")
    assert keys.status_code == 404 and keys.json["error"] == "not_found"


def test_every_200_carries_an_assertion_the_jwks_verifies(signing, minter):
    _app, client = signing
    token = minter.token("id", email_verified=True, auth_time=int(time.time()) - 30, **{"cognito:groups": ["a,b"]})
    answer = client.get("/auth/check", headers={**bearer(token), **HOST})
    assert answer.status_code == 200
    assertion = answer.headers["X-Auth-Request-Assertion"]
    claims = verified(client, assertion)
    assert claims["sub"] == answer.headers["X-Auth-Request-Sub"]
    assert claims["username"] == "minted" and claims["email"] == "minted@example.com"
    assert claims["groups"] == ["a,b"]  # JSON: a comma in a name needs no escaping
    assert claims["auth_time"] == jwt.decode(token, options={"verify_signature": False})["auth_time"]
    assert 0 < claims["exp"] - claims["iat"] <= LIFETIME and abs(claims["iat"] - time.time()) < 5
    header = jwt.get_unverified_header(assertion)
    assert header["alg"] == "ES256"
    keys = client.get("/.well-known/jwks.json")
    assert keys.headers["Cache-Control"] == "public, max-age=300" and keys.mimetype == "application/json"
    (jwk,) = keys.json["keys"]
    members = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True)
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(members.encode()).digest()).rstrip(b"=").decode()
    assert header["kid"] == jwk["kid"] == thumbprint  # RFC 7638
    assert "d" not in jwk  # never the private part


def test_the_assertion_is_refused_elsewhere_late_or_under_another_key(signing, minter, key_file, tmp_path):
    app, client = signing
    assertion = client.get("/auth/check", headers={**bearer(minter.token()), **HOST}).headers[
        "X-Auth-Request-Assertion"
    ]
    with pytest.raises(jwt.InvalidAudienceError):
        verified(client, assertion, audience="other.example.com")
    # The same key's assertion, signed 61 s ago: expired.
    identity = Identity("sub", "alice", None, (), None)
    signer = assertion_signer(app)
    late = signer.assertion("token", lambda: identity, "app.example.com", ISSUER, now=time.time() - LIFETIME - 1)
    with pytest.raises(jwt.ExpiredSignatureError):
        verified(client, late)
    other = tmp_path / "other.pem"
    write_new_key(str(other))
    forged = Signer(str(other)).sign(jwt.decode(assertion, options={"verify_signature": False}))
    with pytest.raises(StopIteration):  # its kid is not published
        verified(client, forged)
    public = jwt.PyJWKSet.from_dict(client.get("/.well-known/jwks.json").json).keys[0]
    _, payload, _ = forged.split(".")
    relabelled = Signer(str(other)).sign({})  # the other key's signature, under the published kid
    published_header = assertion.split(".")[0]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            f"{published_header}.{payload}.{relabelled.split('.')[2]}",
            public,
            algorithms=["ES256"],
            audience="app.example.com",
        )


def test_machine_tokens_and_unverified_emails(signing, minter):
    _app, client = signing
    machine = minter.token("access", sub=minter.client_id, scope="orders/read", username=DROP)
    answer = client.get("/auth/check?machine=true", headers={**bearer(machine), **HOST})
    claims = verified(client, answer.headers["X-Auth-Request-Assertion"])
    assert claims["client_id"] == minter.client_id and "username" not in claims and claims["groups"] == []
    unverified = minter.token("id", email_verified=False)
    answer = client.get("/auth/check", headers={**bearer(unverified), **HOST})
    assert "email" not in verified(client, answer.headers["X-Auth-Request-Assertion"])


def test_the_audience_is_the_original_host(signing, minter):
    _app, client = signing
    token = minter.token()
    answer = client.get("/auth/check", headers={**bearer(token), "Host": "Shop.Example.com:8443"})
    assert verified(client, answer.headers["X-Auth-Request-Assertion"], "shop.example.com:8443")["aud"]
    for host in ("app.example.com evil", "a/b", "", "x" * 300, "[::1"):
        answer = client.get("/auth/check", headers={**bearer(token), "X-Forwarded-Host": host})
        assert answer.status_code == 400 and answer.json["error"] == "invalid_request", host
    answer = client.get("/auth/check", headers={**bearer(token), "X-Forwarded-Host": "[::1]:8080, a.example"})
    assert verified(client, answer.headers["X-Auth-Request-Assertion"], "[::1]:8080")


def test_an_assertion_is_reused_briefly_and_never_outlives_its_token(key_file):
    signer = Signer(key_file)
    identity = Identity("sub", "alice", None, (), None, expires=1_000_030)
    first = signer.assertion("token", lambda: identity, "app", ISSUER, now=1_000_000)
    assert signer.assertion("token", lambda: identity, "app", ISSUER, now=1_000_000 + REUSE - 0.1) == first
    assert signer.assertion("token", lambda: identity, "other", ISSUER, now=1_000_001) != first
    later = signer.assertion("token", lambda: identity, "app", ISSUER, now=1_000_000 + REUSE)
    assert later != first
    claims = jwt.decode(later, options={"verify_signature": False})
    assert claims["iat"] == 1_000_005 and claims["exp"] == 1_000_030  # the token's own exp, before iat + 60
    unbounded = Identity("sub", "alice", None, (), None)
    claims = jwt.decode(
        signer.assertion("t2", lambda: unbounded, "app", ISSUER, now=1_000_000), options={"verify_signature": False}
    )
    assert claims["exp"] - claims["iat"] == LIFETIME


def test_rotation_publishes_the_previous_key_and_signs_with_the_current(pool, key_file, tmp_path):
    previous = str(tmp_path / "previous.pem")
    write_new_key(previous)
    old_assertion = Signer(previous).sign(
        {"iss": ISSUER, "aud": "app.example.com", "sub": "s", "exp": time.time() + 60}
    )
    # The previous key as a public key file works too: only its public part is published.
    public_only = tmp_path / "previous.pub.pem"
    loaded = serialization.load_pem_private_key(open(previous, "rb").read(), None)
    public_only.write_bytes(
        loaded.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    for published in (previous, str(public_only)):
        settings = {
            "assertion_key_file": key_file,
            "assertion_previous_key_files": (published,),
            "assertion_issuer": ISSUER,
        }
        client = create_app({**pool, **settings}).test_client()
        kids = [key["kid"] for key in client.get("/.well-known/jwks.json").json["keys"]]
        assert len(kids) == 2 and kids[0] == Signer(key_file).kid  # the current key first
        assert verified(client, old_assertion)["sub"] == "s"


@pytest.mark.parametrize("problem", ["missing", "not pem", "rsa", "other curve", "no issuer", "previous alone"])
def test_start_up_refuses_a_key_it_cannot_use(pool, key_file, tmp_path, problem):
    path = tmp_path / "key.pem"
    settings = {"assertion_key_file": str(path), "assertion_issuer": ISSUER}
    if problem == "not pem":
        path.write_text("not a key")
    elif problem == "rsa":
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    elif problem == "other curve":
        key = ec.generate_private_key(ec.SECP384R1())
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    elif problem == "no issuer":
        settings = {"assertion_key_file": key_file}
    elif problem == "previous alone":
        settings = {"assertion_previous_key_files": (key_file,)}
    with pytest.raises(ConfigError) as raised:
        create_app({**pool, **settings})
    assert "ASSERTION_" in str(raised.value)
    assert "PRIVATE KEY" not in str(raised.value)


def test_the_docs_give_the_example_app_as_it_is():
    """docs/deployment.md's verifying app is docs/examples/verify_assertion.py, which the proxy tests run."""
    example = (Path(ROOT) / "docs" / "examples" / "verify_assertion.py").read_text()
    docs = (Path(ROOT) / "docs" / "deployment.md").read_text()
    assert f"```python\n{example}```\n" in docs
    lines = [line for line in example.splitlines() if line.strip() and not line.startswith(("import", "from"))]
    assert len(lines) <= 16  # about ten lines, besides its imports and settings
