"""The signed identity through the shipped proxies: deploy/nginx-forward-auth.conf and deploy/Caddyfile as they
are, in front of tests/support/upstream.py's app, the auth server under gunicorn with ASSERTION_KEY_FILE (and a
previous key of a rotation). What arrives at the app is verified by docs/examples/verify_assertion.py (the ten
lines docs/deployment.md gives) and by PyJWT with the JWKS fetched over HTTP; it is refused for another host,
once expired, and under another key; a client's own X-Auth-Request-Assertion never reaches the app.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType

import jwt
import pytest
import requests

from services.tokens.assertion import LIFETIME, Signer, write_new_key
from tests.support.forward_auth import API, Stack, proxied
from tests.support.helpers import bearer
from tests.support.servers import ROOT, free_port, pool_env

pytestmark = [pytest.mark.subprocess]

ISSUER = "https://auth.example.com"
EXAMPLE = Path(ROOT, "docs", "examples", "verify_assertion.py")
HEADER = "X-Auth-Request-Assertion"


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, str]:
    """The current key file and the previous one (a rotation under way)."""
    folder = tmp_path_factory.mktemp("assertion-keys")
    files = {name: str(folder / f"{name}.pem") for name in ("current", "previous")}
    for path in files.values():
        write_new_key(path)
    return files


@pytest.fixture(scope="module", params=[pytest.param("nginx", marks=pytest.mark.nginx), "caddy"])
def stack(request, emulator, keys, tmp_path_factory, serve_gunicorn_module) -> Iterator[Stack]:
    """The upstream, the auth server signing assertions and the proxy, each on a free loopback port."""
    emulator.reset()
    pool = emulator.create_pool(f"assertion-{request.param}")
    port = free_port()
    settings = {
        "SESSION_REDIRECT_HOSTS": f"127.0.0.1:{port}",
        "TRUSTED_PROXIES": "1",
        "SHARED_STATE_DIR": str(tmp_path_factory.mktemp("shared-state")),
        "ASSERTION_KEY_FILE": keys["current"],
        "ASSERTION_KEY_FILE_PREVIOUS": keys["previous"],
        "ASSERTION_ISSUER": ISSUER,
        **{f"RATE_LIMIT_{name}": "1000/minute" for name in ("REGISTER", "CONFIRM", "LOGIN", "LOGIN_USERNAME")},
    }
    env = pool_env(pool, **settings)
    yield from proxied(request.param, port, env, emulator, pool, tmp_path_factory, serve_gunicorn_module)


def example(stack: Stack) -> ModuleType:
    """docs/examples/verify_assertion.py as a module, its three settings this stack's."""
    spec = importlib.util.spec_from_file_location("verify_assertion", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.keys = jwt.PyJWKClient(f"{stack.auth.url}/.well-known/jwks.json")  # over HTTP, as the app fetches it
    module.ISSUER, module.AUDIENCE = ISSUER, stack.url.removeprefix("http://")
    return module


def arrived(stack: Stack, token: str, **headers: str) -> str:
    """The one X-Auth-Request-Assertion the upstream received for a request with `token` through the proxy."""
    stack.upstream.requests.clear()
    seen = stack.seen(stack.get("/reports/7", {**API, **bearer(token), **headers}))
    assert len(seen.get(HEADER.lower(), [])) == 1, seen
    return seen[HEADER.lower()][0]


def by_example(module: ModuleType, assertion: str | None) -> tuple[int, dict]:
    """What the ten-line app answers for a request carrying `assertion`."""
    answer = module.app.test_client().get("/", headers={HEADER: assertion} if assertion is not None else {})
    return answer.status_code, answer.get_json(silent=True) or {}


def test_the_assertion_reaches_the_app_and_both_verifiers_accept_it(stack, keys):
    token = stack.tokens("alice", groups=("staff", "ops,eu"))["id_token"]
    assertion = arrived(stack, token)
    module = example(stack)
    status, body = by_example(module, assertion)
    assert status == 200, body
    assert (body["user"], body["email"]) == ("alice", "alice@example.com")
    assert sorted(body["groups"]) == ["ops,eu", "staff"]  # in JSON, a comma in a name is only a comma

    client = jwt.PyJWKClient(f"{stack.auth.url}/.well-known/jwks.json")
    audience = stack.url.removeprefix("http://")
    claims = jwt.decode(
        assertion,
        client.get_signing_key_from_jwt(assertion).key,
        algorithms=["ES256"],
        audience=audience,
        issuer=ISSUER,
    )
    seen = stack.seen(stack.get("/reports/7", {**API, **bearer(token)}))
    assert claims["sub"] == seen["x-auth-request-sub"][0]
    assert claims["username"] == "alice" and claims["email"] == "alice@example.com"
    assert isinstance(claims["auth_time"], int) and claims["auth_time"] <= claims["iat"]
    assert 0 < claims["exp"] - claims["iat"] <= LIFETIME
    assert jwt.get_unverified_header(assertion)["kid"] == Signer(keys["current"]).kid


def test_refused_for_another_host_expired_or_under_another_key(stack, tmp_path, monkeypatch):
    assertion = arrived(stack, stack.tokens("bob")["access_token"])
    module = example(stack)
    assert by_example(module, assertion)[0] == 200

    module.AUDIENCE = "other.example.com"  # an app on another host is not this one
    assert by_example(module, assertion)[0] == 401
    module.AUDIENCE = stack.url.removeprefix("http://")

    class Later(datetime):  # PyJWT's clock, a minute on
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(seconds=LIFETIME + 1)

    with monkeypatch.context() as patched:
        patched.setattr(jwt.api_jwt, "datetime", Later)
        assert by_example(module, assertion)[0] == 401
        with pytest.raises(jwt.ExpiredSignatureError):
            jwt.decode(
                assertion,
                module.keys.get_signing_key_from_jwt(assertion).key,
                algorithms=["ES256"],
                audience=module.AUDIENCE,
            )
    assert by_example(module, assertion)[0] == 200  # the clock back: the same one is fine

    other = str(tmp_path / "other.pem")
    write_new_key(other)
    claims = jwt.decode(assertion, options={"verify_signature": False})
    forged = Signer(other).sign(claims)  # its own kid: not published
    assert by_example(module, forged)[0] == 401
    # under the published kid, the other key's signature
    header, payload, _ = assertion.split(".")
    relabelled = f"{header}.{payload}.{forged.rsplit('.', 1)[1]}"
    assert by_example(module, relabelled)[0] == 401
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            relabelled,
            module.keys.get_signing_key_from_jwt(relabelled).key,
            algorithms=["ES256"],
            audience=module.AUDIENCE,
        )
    assert by_example(module, None)[0] == 401 and by_example(module, "not.a.jwt")[0] == 401


def test_a_clients_own_assertion_never_reaches_the_app(stack, keys):
    token = stack.tokens("carol")["access_token"]
    # Signed with the previous key, which the JWKS still publishes: it would verify, were it passed on.
    planted = Signer(keys["previous"]).sign(
        {
            "iss": ISSUER,
            "aud": stack.url.removeprefix("http://"),
            "sub": "x",
            "username": "admin",
            "groups": ["admin"],
            "exp": int(time.time()) + 60,
        }
    )
    stack.upstream.requests.clear()
    assert stack.get("/reports/7", {**API, HEADER: planted}).status_code == 401
    assert stack.upstream.requests == []
    for name in (HEADER, "x-auth-request-assertion", "X_Auth_Request_Assertion"):
        assertion = arrived(stack, token, **{name: planted})
        assert assertion != planted
        assert jwt.decode(assertion, options={"verify_signature": False})["username"] == "carol"
        assert planted not in stack.upstream.headers_seen(HEADER)
        assert planted not in stack.upstream.headers_seen("X_Auth_Request_Assertion")


def test_rotation_the_previous_keys_assertions_verify_against_the_published_jwks(stack, keys):
    audience = stack.url.removeprefix("http://")
    now = int(time.time())
    old = Signer(keys["previous"]).sign(
        {"iss": ISSUER, "aud": audience, "sub": "s", "username": "dave", "groups": [], "iat": now, "exp": now + 60}
    )
    status, body = by_example(example(stack), old)
    assert status == 200 and body["user"] == "dave"
    published = requests.get(f"{stack.auth.url}/.well-known/jwks.json", timeout=10)
    assert published.status_code == 200 and published.headers["Cache-Control"] == "public, max-age=300"
    kids = [key.key_id for key in jwt.PyJWKSet.from_dict(published.json()).keys]
    assert kids == [Signer(keys["current"]).kid, Signer(keys["previous"]).kid]
    new = arrived(stack, stack.tokens("erin")["access_token"])
    assert jwt.get_unverified_header(new)["kid"] == Signer(keys["current"]).kid  # signing: the current key only
