"""The policy file's evaluation (services/policy/evaluate.py): matching by host, path and method, first match
wins, the default, and each kind of condition under `any` and `all`, the step-up included."""

from __future__ import annotations

import pytest

from services.policy.evaluate import decide, matching_rule
from services.policy.model import Identity, Target
from services.policy.parse import parse_policy

NOW = 1_800_000_000.0

POLICY = parse_policy(
    """\
default: deny
rules:
  - prefix: /public
    allow: anonymous
  - host: internal.example.com
    allow: deny
  - host: "*.example.org"
    prefix: /
    methods: [GET]
    allow: signed_in
  - regex: ^/reports/[0-9]+$
    any: {groups: [staff, audit]}
  - prefix: /admin/
    all: {groups: [admin], max_auth_age: 300}
  - prefix: /orders
    methods: [POST]
    all: {scopes: [orders/write]}
  - prefix: /orders
    any: {scopes: [orders/read, orders/write]}
  - prefix: /tenant
    all: {claims: {"custom:tenant": [acme, beta], "custom:level": 3}}
  - prefix: /staff-mail
    any: {email_domains: [example.com]}
  - prefix: /vault
    all: {mfa: true, max_auth_age: 60}
  - prefix: /recent-or-admin
    any: {groups: [admin], max_auth_age: 60}
  - prefix: /anyone-signed-in
""",
    "p.yaml",
)


def who(**fields) -> Identity:
    return Identity(**{"username": "alice", "auth_time": NOW, **fields})


def outcome(method: str, path: str, identity: Identity | None, host: str = "app.example.com") -> tuple[str, int | None]:
    decision = decide(POLICY, Target(method, host, path), identity, NOW)
    return decision.outcome, decision.rule.index if decision.rule is not None else None


@pytest.mark.parametrize(
    ("method", "path", "host", "identity", "expected"),
    [
        # anonymous, signed in or not; prefix by segment, in any case
        ("GET", "/public", "a", None, ("allow", 0)),
        ("POST", "/PUBLIC/x", "a", who(), ("allow", 0)),
        ("GET", "/publicity", "a", None, ("sign_in", None)),  # not under /public: the default (deny)
        ("GET", "/publicity", "a", who(), ("deny", None)),
        # a host denied to all; a port does not matter to a rule without one
        ("GET", "/x", "internal.example.com:8443", who(groups=frozenset({"admin"})), ("deny", 1)),
        ("GET", "/x", "internal.example.com", None, ("sign_in", 1)),
        # a wildcard host with a method: GET only
        ("GET", "/x", "app.example.org", who(), ("allow", 2)),
        ("GET", "/x", "example.org", who(), ("deny", None)),
        ("POST", "/x", "app.example.org", who(), ("deny", None)),
        ("GET", "/x", "app.example.org", None, ("sign_in", 2)),
        # regex, any of two groups
        ("GET", "/reports/7", "a", who(groups=frozenset({"audit"})), ("allow", 3)),
        ("GET", "/Reports/7", "a", who(groups=frozenset({"sales"})), ("deny", 3)),
        ("GET", "/reports/7/x", "a", who(groups=frozenset({"audit"})), ("deny", None)),
        # all of a group and a recent sign-in: an old sign-in is a step-up, a missing group a refusal
        ("GET", "/admin", "a", who(groups=frozenset({"admin"})), ("allow", 4)),
        ("GET", "/admin/users", "a", who(groups=frozenset({"admin"}), auth_time=NOW - 301), ("step_up", 4)),
        ("GET", "/admin/users", "a", who(groups=frozenset({"staff"}), auth_time=NOW - 301), ("deny", 4)),
        ("GET", "/admin/users", "a", who(groups=frozenset({"admin"}), auth_time=None), ("step_up", 4)),
        ("GET", "/admin/users", "a", None, ("sign_in", 4)),
        # methods: the first rule that matches decides
        ("POST", "/orders", "a", who(scopes=frozenset({"orders/read"})), ("deny", 5)),
        ("POST", "/orders", "a", who(scopes=frozenset({"orders/write"})), ("allow", 5)),
        ("GET", "/orders/1", "a", who(scopes=frozenset({"orders/read"})), ("allow", 6)),
        ("GET", "/orders/1", "a", who(), ("deny", 6)),
        # claims: each claim one of its values; a list claim, any item; numbers and booleans as written
        ("GET", "/tenant", "a", who(claims={"custom:tenant": "acme", "custom:level": "3"}), ("allow", 7)),
        ("GET", "/tenant", "a", who(claims={"custom:tenant": ["x", "beta"], "custom:level": 3}), ("allow", 7)),
        ("GET", "/tenant", "a", who(claims={"custom:tenant": "acme", "custom:level": "4"}), ("deny", 7)),
        ("GET", "/tenant", "a", who(claims={"custom:tenant": "ACME", "custom:level": 3}), ("deny", 7)),
        ("GET", "/tenant", "a", who(claims={"custom:level": 3}), ("deny", 7)),
        # email domains: the verified email's domain, in any case
        ("GET", "/staff-mail", "a", who(email="bob@EXAMPLE.com"), ("allow", 8)),
        ("GET", "/staff-mail", "a", who(email="bob@example.com.evil"), ("deny", 8)),
        ("GET", "/staff-mail", "a", who(email=None), ("deny", 8)),
        # MFA and a recent sign-in: without MFA a fresh sign-in would not do, so a refusal
        ("GET", "/vault", "a", who(mfa=True), ("allow", 9)),
        ("GET", "/vault", "a", who(mfa=True, auth_time=NOW - 61), ("step_up", 9)),
        ("GET", "/vault", "a", who(mfa=False, auth_time=NOW - 61), ("deny", 9)),
        ("GET", "/vault", "a", who(mfa=False), ("deny", 9)),
        # any of a group or a recent sign-in
        ("GET", "/recent-or-admin", "a", who(groups=frozenset({"admin"}), auth_time=NOW - 999), ("allow", 10)),
        ("GET", "/recent-or-admin", "a", who(), ("allow", 10)),
        ("GET", "/recent-or-admin", "a", who(auth_time=NOW - 61), ("step_up", 10)),
        # a rule with no conditions: any signed-in user
        ("DELETE", "/anyone-signed-in/x", "a", who(), ("allow", 11)),
        ("DELETE", "/anyone-signed-in/x", "a", None, ("sign_in", 11)),
    ],
)
def test_each_kind_of_rule(method, path, host, identity, expected):
    assert outcome(method, path, identity, host) == expected


def test_a_step_up_names_the_largest_age_that_would_do_and_why():
    decision = decide(POLICY, Target("GET", "a", "/admin/"), who(groups=frozenset({"admin"}), auth_time=NOW - 400), NOW)
    assert decision.max_age == 300
    assert "max_auth_age 300s" in decision.reason and decision.source() == "rule 4 (line 13)"


def test_the_default_decides_when_no_rule_matches():
    for default, anonymous, signed_in in (
        ("anonymous", "allow", "allow"),
        ("signed_in", "sign_in", "allow"),
        ("deny", "sign_in", "deny"),
    ):
        policy = parse_policy(f"default: {default}\nrules:\n  - prefix: /a\n    allow: deny\n")
        assert matching_rule(policy, Target("GET", "h", "/b")) is None
        assert decide(policy, Target("GET", "h", "/b"), None, NOW).outcome == anonymous, default
        assert decide(policy, Target("GET", "h", "/b"), who(), NOW).outcome == signed_in, default
        assert decide(policy, Target("GET", "h", "/a"), who(), NOW).outcome == "deny"
