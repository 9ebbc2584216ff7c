"""/metrics as a whole: off by default, only to the allowed networks, in the OpenAPI document, every label from
a bounded set, and the Grafana dashboard naming only (and every one of) the metrics served."""

from __future__ import annotations

import ipaddress
import re
from typing import get_args

import pytest
import schemathesis

from api_error import ApiError
from app import create_app
from controllers.admin import AdminAction
from middleware.openapi import document
from services.common import metrics
from tests.support.helpers import Minter, bearer
from tests.support.metrics import dashboard_expressions, metered, samples


def test_metrics_are_off_by_default(pool):
    assert create_app(pool).test_client().get("/metrics").status_code == 404


def test_only_the_allowed_networks_may_read_metrics(pool):
    _, client = metered(pool)
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outside.status_code == 403 and outside.json["error"] == "metrics_forbidden"
    assert "auth_" not in outside.text
    _, client = metered(pool, metrics_allowed_networks=(ipaddress.ip_network("10.0.0.0/8"),))
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics").status_code == 403  # loopback is no longer in the list


def test_behind_a_trusted_proxy_the_socket_peer_is_checked_and_forwarded_requests_refused(pool):
    _, client = metered(pool, trusted_proxies=1)
    for forwarded in ("127.0.0.1", "198.51.100.7"):  # a forged loopback client, an internet client through the proxy
        answer = client.get("/metrics", headers={"X-Forwarded-For": forwarded})
        assert answer.status_code == 403 and answer.json["error"] == "metrics_forbidden"
    _, client = metered(pool, trusted_proxies=1, metrics_allowed_networks=(ipaddress.ip_network("10.0.5.0/24"),))
    answer = client.get("/metrics", headers={"X-Forwarded-For": "10.0.5.7"}, environ_base={"REMOTE_ADDR": "10.0.5.7"})
    assert answer.status_code == 403  # even from an allowed peer: a scrape never comes through the proxy
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.5.7"}).status_code == 200
    assert client.get("/metrics").status_code == 403


def test_an_ipv4_mapped_ipv6_peer_is_checked_as_its_ipv4_address(pool):
    _, client = metered(pool, metrics_allowed_networks=(ipaddress.ip_network("10.0.5.0/24"),))
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::ffff:10.0.5.7"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::ffff:10.0.6.7"}).status_code == 403


@pytest.mark.slow  # schemathesis reading the whole document: about 10 s on 2 cores
def test_the_metrics_answer_conforms_to_the_openapi_document(pool):
    app, client = metered(pool)
    schema = schemathesis.openapi.from_dict(document(app))
    schema["/metrics"]["GET"].validate_response(client.get("/metrics"))
    schema["/metrics"]["GET"].validate_response(client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.1"}))


def test_every_label_value_is_from_a_bounded_set(pool, users_of):
    """After traffic of every kind, each label holds only values the server names itself."""
    app, client = metered(pool, admin_group="admins")  # every route the server can have (another test's too)
    settings = app.extensions["cognito_auth"].settings
    minter = Minter(settings.issuer, settings.client_id)
    frank = users_of(client).tokens("frank")["access_token"]
    assert client.get("/auth/admin/users", headers=bearer(frank)).status_code == 403  # an admin action, refused
    for token in (minter.token(), minter.token(exp=1_000_000, iat=999_000), "a.b.c"):
        client.get("/hello", headers=bearer(token))
    client.get("/no/such/path?token=" + minter.token())
    found = samples(client.get("/metrics").text)
    rules = {rule.rule for rule in app.url_map.iter_rules()} | {"unmatched"}
    operations = set(app.extensions["cognito_auth"].auth.client.meta.method_to_api_mapping.values())
    codes = app.extensions["cognito_auth"].auth.client._error_codes()
    outcomes = set(metrics.REFUSALS)
    outcomes |= {"accepted", "cached", "revoked", "keys_unavailable", "invalid", "error", "other", "ok", "failed"}
    outcomes |= codes | {"client_error", "server_error", "unreachable"}
    allowed = {
        "route": rules,
        "method": metrics.METHODS | {"other"},
        "operation": operations,
        "outcome": outcomes,
        "event": metrics.SESSION_EVENTS,
        "action": set(get_args(AdminAction)),
        "result": {"ok", "error"} | {error.error for error in _every_api_error()},
    }
    for name, labels in found:
        for label, text in labels:
            if label == "status":
                assert re.fullmatch(r"[1-5]\d\d", text), (name, text)
            elif label == "le":
                float(text)
            else:
                assert text in allowed[label], (name, label, text)


def _every_api_error() -> list[type[ApiError]]:
    found, todo = [], [ApiError]
    while todo:
        found.append(todo.pop())
        todo.extend(found[-1].__subclasses__())
    return found


def test_the_dashboard_names_only_metrics_the_server_exports_and_every_one_of_them(pool):
    _, client = metered(pool)
    exported = {name for name, _ in samples(client.get("/metrics").text)}
    families = list(metrics._recorder.registry.collect())
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
    exported |= {family.name + suffix for family in families for suffix in suffixes[family.type]}
    named = {name for expression in dashboard_expressions() for name in re.findall(r"\bauth_[a-z_]+", expression)}
    assert named, "no expression names a metric"
    assert named <= exported, f"the dashboard names metrics the server does not export: {named - exported}"
    unshown = {family.name for family in families if not any(name.startswith(family.name) for name in named)}
    assert not unshown, f"metrics no panel shows: {unshown}"
