"""/metrics through Flask's test client: each counter's outcome labels, and no username or token in a label.

The counts live in the process (prometheus_client's registry), shared by every app a test builds: each test
compares the scrape after its requests with the scrape before them.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

import errors
from app import create_app
from errors import TokenError
from services.common import metrics
from services.state.hoststore import HostStore
from services.state.session_record import Session
from services.state.session_store import Sessions
from tests.support.alb import ARN, AlbMinter, KeyEndpoint, alb_header
from tests.support.helpers import PASSWORD, ROOT, Minter, bearer
from tests.support.metrics import Scrapes, label_values, metered, tampered

REQUESTS, TOKENS, COGNITO = "auth_http_requests_total", "auth_token_checks_total", "auth_cognito_calls_total"


@pytest.fixture
def app_client(pool):
    return metered(pool)


@pytest.fixture
def client(app_client):
    return app_client[1]


@pytest.fixture
def minter(app_client) -> Minter:
    settings = app_client[0].extensions["cognito_auth"].settings
    return Minter(settings.issuer, settings.client_id)


def test_requests_are_counted_by_route_method_and_status_never_by_path(client, minter):
    scrapes = Scrapes(client)
    token = minter.token()
    for _ in range(3):
        assert client.get("/hello", headers=bearer(token)).status_code == 200
    assert client.get("/hello").status_code == 401
    assert client.get("/health").status_code == 200
    assert client.get("/docs/js/no-such-file.js").status_code == 404
    assert client.get("/users/alice/eyJhbGciOi.secret.token").status_code == 404
    assert client.open("/hello", method="BREW").status_code == 405
    assert scrapes.delta(REQUESTS, route="/hello", method="GET", status="200") == 3
    assert scrapes.delta(REQUESTS, route="/hello", method="GET", status="401") == 1
    assert scrapes.delta(REQUESTS, route="/health", status="200") == 1
    assert scrapes.delta(REQUESTS, route="/docs/<any(css, js):kind>/<path:name>", status="404") == 1
    assert scrapes.delta(REQUESTS, route="unmatched", method="GET", status="404") == 1
    assert scrapes.delta(REQUESTS, route="unmatched", method="other", status="405") == 1
    assert scrapes.delta("auth_http_request_duration_seconds_count", route="/hello") == 4
    assert scrapes.delta("auth_http_request_duration_seconds_bucket", route="/hello", le="+Inf") == 4
    values = label_values(scrapes.scrape())
    assert not {"/users/alice/eyJhbGciOi.secret.token", "BREW", "alice"} & values


def test_metrics_add_no_request_hook_and_time_requests_from_the_request_logs_clock(pool, client, minter):
    """Each hook costs on every request: a request is timed from the start the request log's WSGI middleware
    records, not by a clock of its own."""
    plain, metered_app = create_app(pool), metered(pool)[0]
    assert len(metered_app.before_request_funcs[None]) == len(plain.before_request_funcs[None])
    scrapes = Scrapes(client)
    assert client.get("/hello", headers=bearer(minter.token())).status_code == 200
    assert scrapes.delta("auth_http_request_duration_seconds_sum", route="/hello") > 0


@pytest.mark.parametrize(
    ("outcome", "token"),
    [
        ("expired", lambda m: m.token(exp=1_000_000, iat=999_000)),
        ("signature", lambda m: tampered(m.token())),
        ("issuer", lambda m: m.token(iss="https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other")),
        ("client", lambda m: m.token(client_id="someotherclient")),
        ("token_use", lambda m: m.token("id")),
        ("unknown_key", lambda m: m.token(headers={"kid": "no-such-key"})),
        ("algorithm", lambda m: m.signed(m.header(alg="RS512"), m.claims(), alg="RS512")),
        ("not_yet_valid", lambda m: m.token(iat=4_000_000_000)),
        ("malformed", lambda m: "not.a.token"),
    ],
)
def test_each_refused_token_is_counted_by_its_reason(client, minter, outcome, token):
    scrapes = Scrapes(client)
    presented = token(minter)
    assert client.get("/auth/me", headers=bearer(presented)).status_code == 401
    assert scrapes.delta(TOKENS, outcome=outcome) == 1
    assert scrapes.delta(TOKENS) == 1  # one check, one outcome
    assert presented not in label_values(scrapes.scrape())


def test_each_alb_token_check_is_counted_accepted_or_by_its_reason(pool):
    keys = KeyEndpoint()
    try:
        app, client = metered(pool, alb_arns=(ARN,), alb_key_url=keys.url)
        settings = app.extensions["cognito_auth"].settings
        alb = AlbMinter(settings.issuer, settings.client_id, keys.key)
        scrapes = Scrapes(client)
        assert client.get("/hello", headers=alb_header(alb.token())).status_code == 200
        unsigned = alb.token(alb.header(signer="arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/1"))
        assert client.get("/hello", headers=alb_header(unsigned)).status_code == 401
        expired = alb.token(alb.header(exp=1_000_000), alb.claims(exp=1_000_000))
        assert client.get("/hello", headers=alb_header(expired)).status_code == 401
        assert scrapes.delta(TOKENS, outcome="accepted") == 1
        assert scrapes.delta(TOKENS, outcome="signer") == 1
        assert scrapes.delta(TOKENS, outcome="expired") == 1
        assert scrapes.delta(TOKENS) == 3
        assert scrapes.delta("auth_jwks_fetches_total", outcome="ok") == 1  # the ALB key, fetched once
    finally:
        keys.server.stop()


def test_accepted_cached_missing_and_revoked_tokens_are_counted(app_client, minter):
    app, client = app_client
    scrapes = Scrapes(client)
    token = minter.token()
    assert client.get("/hello", headers=bearer(token)).status_code == 200
    assert client.get("/hello", headers=bearer(token)).status_code == 200
    assert client.get("/hello").status_code == 401
    assert scrapes.delta(TOKENS, outcome="accepted") == 1
    assert scrapes.delta(TOKENS, outcome="cached") == 1
    assert scrapes.delta(TOKENS, outcome="missing") == 1
    app.extensions["cognito_auth"].revocations.revoke_user(minter.claims()["sub"], 3600)
    assert client.get("/hello", headers=bearer(token)).status_code == 401
    assert scrapes.delta(TOKENS, outcome="revoked") == 1
    assert scrapes.delta("auth_revocation_entries") == 1


def test_keys_that_cannot_be_had_count_as_such_and_as_a_failed_fetch(pool, closed_port_url, minter):
    _, client = metered(pool, jwks_url=f"{closed_port_url}/jwks.json")
    scrapes = Scrapes(client)
    assert client.get("/hello", headers=bearer(minter.token())).status_code == 503
    assert scrapes.delta(TOKENS, outcome="keys_unavailable") == 1
    assert scrapes.delta("auth_jwks_fetches_total", outcome="failed") == 1


def test_a_jwks_fetch_is_counted(pool, jwks_host, minter):
    _, client = metered(pool, jwks_url=jwks_host.url)
    scrapes = Scrapes(client)
    assert client.get("/hello", headers=bearer(minter.token())).status_code == 200
    assert scrapes.delta("auth_jwks_fetches_total", outcome="ok") == 1
    assert scrapes.delta("auth_jwks_fetches_total", outcome="failed") == 0


def raised_token_errors(source: str) -> list[str]:
    """Every error class named Token... that `source` raises for a refused token (a 401 InvalidToken)."""
    named = re.findall(r"\b(Token[A-Za-z]*)\(f?\"", source)
    return [name for name in named if issubclass(getattr(errors, name), errors.InvalidToken)]


def test_every_refusal_in_the_code_is_raised_as_a_type_with_a_label_of_its_own():
    raised = []
    for source in [*Path(ROOT, "services").rglob("*.py"), *Path(ROOT, "middleware").glob("*.py")]:
        raised += raised_token_errors(source.read_text())
    assert len(raised) > 15
    assert "TokenError" not in raised, "raise the TokenError subclass of the reason (errors.py), not TokenError"
    kinds = {name: getattr(errors, name) for name in raised}
    assert all(issubclass(kind, TokenError) and kind is not TokenError for kind in kinds.values())
    assert {metrics.refusal(kind("x")) for kind in kinds.values()} <= metrics.REFUSALS


def test_every_token_error_subclass_has_a_distinct_label():
    kinds = TokenError.__subclasses__()
    labels = [kind.reason for kind in kinds]
    assert len(kinds) >= 10
    assert len(set(labels)) == len(labels), labels
    assert "other" not in labels
    assert {metrics.refusal(kind("x")) for kind in kinds} == metrics.REFUSALS == set(labels)


def test_the_label_comes_from_the_type_not_the_message():
    """The rule can fail: the words of a message no longer pick the label."""
    assert metrics.refusal(errors.TokenMalformed("token has expired")) == "malformed"
    assert metrics.refusal(errors.TokenExpired("token has expired")) == "expired"
    assert metrics.refusal(TokenError("token has expired")) == "other"


def test_cognito_calls_are_counted_by_operation_and_outcome_with_their_time(client, users_of):
    users = users_of(client)
    scrapes = Scrapes(client)
    users.tokens("carol")
    assert users.login("carol", "Wrong-passw0rd").status_code == 401
    assert users.login("nobody-here").status_code == 401
    assert scrapes.delta(COGNITO, operation="SignUp", outcome="ok") == 1
    assert scrapes.delta(COGNITO, operation="InitiateAuth", outcome="ok") == 1
    # The pool hides which users exist (PreventUserExistenceErrors), so Cognito answers the unknown user as it
    # answers a wrong password: two NotAuthorizedException, no UserNotFoundException.
    assert scrapes.delta(COGNITO, operation="InitiateAuth", outcome="NotAuthorizedException") == 2
    assert scrapes.delta(COGNITO, operation="InitiateAuth", outcome="UserNotFoundException") == 0
    assert scrapes.delta("auth_cognito_call_duration_seconds_count", operation="InitiateAuth") == 3
    assert not {"carol", "nobody-here", PASSWORD} & label_values(scrapes.scrape())


def test_an_unreachable_cognito_and_a_full_bulkhead_are_counted(pool, closed_port_url):
    app, client = metered(pool, endpoint_url=closed_port_url, cognito_max_calls=1)
    scrapes = Scrapes(client)
    body = {"username": "dave", "password": PASSWORD}
    assert client.post("/auth/login", json=body).status_code == 503
    assert scrapes.delta(COGNITO, operation="InitiateAuth", outcome="unreachable") == 1
    bounded = app.extensions["cognito_auth"].auth.client  # the process's one client, behind its bulkhead
    with bounded._bulkhead.slot():  # the only slot taken: the next call is refused at once
        answer = client.post("/auth/login", json=body)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert scrapes.delta("auth_cognito_bulkhead_refusals_total") == 1
    assert scrapes.delta(COGNITO, operation="InitiateAuth") == 1  # a refused call is not a call


def test_sessions_are_counted_when_created_and_ended(client, users_of):
    users_of(client).tokens("erin")
    scrapes = Scrapes(client)
    started = client.post("/auth/session", json={"username": "erin", "password": PASSWORD})
    assert started.status_code == 200
    ended = client.delete("/auth/session", headers={"X-CSRF-Token": started.json["csrf_token"]})
    assert ended.status_code == 204
    assert scrapes.delta("auth_sessions_total", event="created") == 1
    assert scrapes.delta("auth_sessions_total", event="ended") == 1
    assert "erin" not in label_values(scrapes.scrape())


def test_session_refreshes_are_counted_refreshed_or_refused(client, minter, tmp_path):
    """The session store's own refresh (services/state/session_store.py), given Cognito's answers: new tokens,
    then a refusal."""
    sessions = Sessions(HostStore(str(tmp_path)))

    def tokens(lifetime: int) -> dict[str, Any]:
        exp = int(time.time()) + lifetime
        access, id_token = minter.token("access", exp=exp), minter.token("id", exp=exp)
        return {"access_token": access, "id_token": id_token, "refresh_token": None, "username": "minted"}

    def refused(session: Session) -> dict[str, Any]:
        raise errors.NotAuthorized()

    scrapes = Scrapes(client)
    renewed, _ = sessions.create({**tokens(30), "refresh_token": "refresh-1"})  # inside the 60 s margin
    assert sessions.fresh(renewed, lambda session: tokens(3600)) is not None
    ended, _ = sessions.create({**tokens(30), "refresh_token": "refresh-2"})
    assert sessions.fresh(ended, refused) is None
    assert scrapes.delta("auth_sessions_total", event="refreshed") == 1
    assert scrapes.delta("auth_sessions_total", event="refresh_refused") == 1
    assert scrapes.delta("auth_sessions_total", event="created") == 2
