"""/metrics through Flask's test client: each counter's outcome labels, the allow-list, and no unbounded label.

The counts live in the process (prometheus_client's registry), shared by every app a test builds: each test
compares the scrape after its requests with the scrape before them.
"""

from __future__ import annotations

import ipaddress
import re
import time
from pathlib import Path
from typing import Any

import pytest
import schemathesis

import errors
from app import create_app
from errors import TokenError
from middleware.openapi import document
from services import metrics
from services.hoststore import HostStore
from services.session_record import Session
from services.sessions import Sessions
from tests.support.helpers import PASSWORD, ROOT, Minter, bearer
from tests.support.metrics import dashboard_expressions, label_values, samples, value

REQUESTS, TOKENS, COGNITO = "auth_http_requests_total", "auth_token_checks_total", "auth_cognito_calls_total"


def metered(pool, **settings):
    """An app on `pool` with METRICS_ENABLED, and its test client."""
    app = create_app({**pool, "metrics_enabled": True, **settings})
    return app, app.test_client()


class Scrapes:
    """Scrape before and after: `delta(name, **labels)` is what the requests in between added."""

    def __init__(self, client) -> None:
        self.client = client
        self.before = self.scrape()

    def scrape(self):
        response = self.client.get("/metrics")
        assert response.status_code == 200, response.json
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        return samples(response.text)

    def delta(self, name: str, **labels: str) -> float:
        return value(self.scrape(), name, **labels) - value(self.before, name, **labels)


def tampered(token: str) -> str:
    """The token with its signature's first character changed (still canonical base64url)."""
    head, _, signature = token.rpartition(".")
    return f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


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


def test_metrics_are_off_by_default(pool):
    assert create_app(pool).test_client().get("/metrics").status_code == 404


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


def test_every_refusal_reason_in_the_code_has_a_label_of_its_own():
    reasons = []
    for source in [*Path(ROOT, "services").glob("*.py"), *Path(ROOT, "middleware").glob("*.py")]:
        reasons += re.findall(r'TokenError\(f?"([^"]+)"', source.read_text())
    assert len(reasons) > 15
    unlabelled = [reason for reason in reasons if metrics.refusal(TokenError(reason)) == "other"]
    assert not unlabelled, f"add these to services/metrics.py REFUSALS: {unlabelled}"


def test_cognito_calls_are_counted_by_operation_and_outcome_with_their_time(client, users_of):
    users = users_of(client)
    scrapes = Scrapes(client)
    users.tokens("carol")
    assert users.login("carol", "Wrong-passw0rd").status_code == 401
    assert users.login("nobody-here").status_code == 401
    assert scrapes.delta(COGNITO, operation="SignUp", outcome="ok") == 1
    assert scrapes.delta(COGNITO, operation="InitiateAuth", outcome="ok") == 1
    assert scrapes.delta(COGNITO, operation="InitiateAuth", outcome="NotAuthorizedException") == 1
    assert scrapes.delta(COGNITO, operation="InitiateAuth", outcome="UserNotFoundException") == 1
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


def test_only_the_allowed_networks_may_read_metrics(pool):
    _, client = metered(pool)
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outside.status_code == 403 and outside.json["error"] == "metrics_forbidden"
    assert "auth_" not in outside.text
    _, client = metered(pool, metrics_allowed_networks=(ipaddress.ip_network("10.0.0.0/8"),))
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics").status_code == 403  # loopback is no longer in the list


def test_behind_a_trusted_proxy_the_forwarded_client_is_the_one_checked(pool):
    _, client = metered(pool, trusted_proxies=1)
    forwarded = {"X-Forwarded-For": "198.51.100.7"}
    assert client.get("/metrics", headers=forwarded).status_code == 403  # an internet client through the proxy
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


@pytest.mark.slow  # schemathesis reading the whole document: about 10 s on 2 cores
def test_the_metrics_answer_conforms_to_the_openapi_document(app_client):
    app, client = app_client
    schema = schemathesis.openapi.from_dict(document(app))
    schema["/metrics"]["GET"].validate_response(client.get("/metrics"))
    schema["/metrics"]["GET"].validate_response(client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.1"}))


def test_every_label_value_is_from_a_bounded_set(app_client, minter, users_of):
    """After traffic of every kind, each label holds only values the server names itself."""
    app, client = app_client
    users_of(client).tokens("frank")
    for token in (minter.token(), minter.token(exp=1_000_000, iat=999_000), "a.b.c"):
        client.get("/hello", headers=bearer(token))
    client.get("/no/such/path?token=" + minter.token())
    found = samples(client.get("/metrics").text)
    rules = {rule.rule for rule in app.url_map.iter_rules()} | {"unmatched"}
    operations = set(app.extensions["cognito_auth"].auth.client.meta.method_to_api_mapping.values())
    codes = app.extensions["cognito_auth"].auth.client._error_codes()
    outcomes = {label for _, label in metrics.REFUSALS}
    outcomes |= {"accepted", "cached", "revoked", "keys_unavailable", "invalid", "error", "other", "ok", "failed"}
    outcomes |= codes | {"client_error", "server_error", "unreachable"}
    allowed = {
        "route": rules,
        "method": metrics.METHODS | {"other"},
        "operation": operations,
        "outcome": outcomes,
        "event": metrics.SESSION_EVENTS,
    }
    for name, labels in found:
        for label, text in labels:
            if label == "status":
                assert re.fullmatch(r"[1-5]\d\d", text), (name, text)
            elif label == "le":
                float(text)
            else:
                assert text in allowed[label], (name, label, text)


def test_the_dashboard_names_only_metrics_the_server_exports_and_every_one_of_them(app_client):
    _, client = app_client
    exported = {name for name, _ in samples(client.get("/metrics").text)}
    families = list(metrics._recorder.registry.collect())
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
    exported |= {family.name + suffix for family in families for suffix in suffixes[family.type]}
    named = {name for expression in dashboard_expressions() for name in re.findall(r"\bauth_[a-z_]+", expression)}
    assert named, "no expression names a metric"
    assert named <= exported, f"the dashboard names metrics the server does not export: {named - exported}"
    unshown = {family.name for family in families if not any(name.startswith(family.name) for name in named)}
    assert not unshown, f"metrics no panel shows: {unshown}"


def test_session_refreshes_are_counted_refreshed_or_refused(client, minter, tmp_path):
    """The session store's own refresh (services/sessions.py), given Cognito's answers: new tokens, then a refusal."""
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
