"""deploy/nginx.conf's process-level bulkhead: every route that calls Cognito goes to the second group of
workers, every other route (token checks, probes, docs) to the first, as routes.py declares them."""

from __future__ import annotations

import re

import pytest
import requests

from app import create_app
from tests.support.nginx import readmes_nginx
from tests.support.upstream import Upstream

# A path for each converter.
SAMPLE = {
    "<any(css, js):kind>": "css",
    "<path:name>": "swagger-ui.css",
    "<credential_id>": "AbC-123_x",
    "<username>": "alice",
    "<group>": "staff",
    "<name>": "given_name",
    "<device_key>": "us-east-1_0a1b2c3d-0000-4000-8000-000000000000",
    "<any('passkeys.js', 'portal-passkey.js'):name>": "passkeys.js",
}


def routes(app) -> list[tuple[str, str, bool]]:
    """(method, a path, whether it calls Cognito) for every method of every declared route."""
    found = []
    for rule in app.url_map.iter_rules():
        contract = app.view_functions[rule.endpoint].contract
        path = re.sub(r"<[^>]+>", lambda match: SAMPLE[match[0]], rule.rule)
        found += [(method, path, contract.cognito) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


@pytest.mark.nginx
def test_cognito_routes_reach_their_own_workers_and_token_checks_never_do(pool, tmp_path):
    app = create_app({**pool, "admin_group": "admins"})  # the admin API's routes too
    main, cognito = Upstream(), Upstream()
    proxy = readmes_nginx(main.port, tmp_path, cognito.port)
    try:
        declared = routes(app)
        assert {calls for _, _, calls in declared} == {True, False}  # both kinds are there to check
        for method, path, calls in declared:
            main.requests.clear(), cognito.requests.clear()
            answer = requests.request(method, f"{proxy.url}{path}", json={}, timeout=5)
            assert answer.status_code == 200, (method, path)
            reached = [name for name, group in (("main", main), ("cognito", cognito)) if group.requests]
            assert reached == ["cognito" if calls else "main"], (method, path)
            seen = (cognito if calls else main).requests[0]
            assert (seen["method"], seen["path"]) == (method, path)
        # a path no route declares (another helper's new /auth/... route before it is listed) goes to the main group
        main.requests.clear(), cognito.requests.clear()
        assert requests.post(f"{proxy.url}/auth/undeclared", timeout=5).status_code == 200
        assert main.requests and not cognito.requests
    finally:
        proxy.stop()
        main.stop()
        cognito.stop()


def test_the_cognito_flag_is_what_the_route_declares(app):
    calls = {(method, path) for method, path, cognito in routes(app) if cognito}
    assert {("POST", "/auth/login"), ("POST", "/auth/session"), ("DELETE", "/auth/session")} <= calls
    assert not calls & {("GET", "/hello"), ("GET", "/auth/check"), ("GET", "/auth/session"), ("GET", "/health")}
