"""The policy file's parser (services/policy/parse.py): every key read, every mistake refused with its file and
line, and the server refusing to start with a bad POLICY_FILE (tests/test_policy_check.py runs the others)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from config import ConfigError
from services.policy.parse import PolicyError, load_policy, parse_policy
from tests.support.servers import ROOT

EVERY_KEY = """\
default: deny
rules:
  - host: [app.example.com, "*.example.org:8443"]
    prefix: /admin/
    methods: [GET, POST]
    all:
      groups: [admin]
      scopes: orders/read
      claims: {"custom:tenant": [acme, beta], "email_verified": true, "custom:level": 3}
      email_domains: ["@Example.com"]
      max_auth_age: 300
      mfa: true
  - regex: ^/reports/[0-9]+$
    any: {groups: [staff, audit]}
  - prefix: /public
    allow: anonymous
"""


def test_every_key_is_read():
    policy = parse_policy(EVERY_KEY, "every.yaml")
    assert policy.default == "deny" and policy.default_line == 1
    admin, reports, public = policy.rules
    assert (admin.index, admin.line, reports.line, public.line) == (0, 3, 13, 15)
    assert admin.hosts == ("app.example.com", "*.example.org:8443")
    assert admin.prefix == "/admin" and admin.methods == {"GET", "POST"} and admin.allow == "signed_in"
    assert admin.all is not None and admin.any is None
    assert admin.all.groups == ("admin",) and admin.all.scopes == ("orders/read",)
    assert admin.all.claims == (
        ("custom:tenant", ("acme", "beta")),
        ("email_verified", ("true",)),
        ("custom:level", ("3",)),
    )
    assert admin.all.email_domains == ("example.com",) and admin.all.max_auth_age == 300 and admin.all.mfa
    assert reports.regex is not None and reports.regex.match("/REPORTS/7") and reports.any is not None
    assert public.allow == "anonymous" and public.prefix == "/public"


def test_the_default_when_not_written_is_any_signed_in_user():
    policy = parse_policy("rules: []\n")
    assert policy.default == "signed_in" and policy.default_line == 0 and policy.rules == ()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("rules: []\nbogus: 1\n", 2, "unknown key 'bogus' in the file"),
        ("rules:\n  - prefix: /a\n    hosts: x\n", 3, "unknown key 'hosts' in rule 0"),
        ("rules:\n  - any:\n      group: [a]\n", 3, "unknown key 'group' in `any`"),
        ("rules:\n  - prefix: /a\n  - regex: '(unclosed'\n", 3, "not a valid regular expression"),
        ("rules:\n  - prefix: /a\n    regex: ^/b\n", 3, "both `prefix` and `regex`"),
        ("rules:\n  - prefix: admin\n", 2, "must be a plain decoded path"),
        ("rules:\n  - prefix: /x/../admin\n", 2, "must be a plain decoded path"),
        ("rules:\n  - prefix: /%61dmin\n", 2, "must be a plain decoded path"),
        ("rules:\n  - methods: [get]\n", 2, "HTTP method in capitals"),
        ("rules:\n  - host: 'app example'\n", 2, "not a host name"),
        ("rules:\n  - allow: everyone\n", 2, "allow must be one of"),
        ("default: allow\nrules: []\n", 1, "default must be one of"),
        ("rules:\n  - allow: anonymous\n    any: {groups: [a]}\n", 2, "takes no `any` or `all`"),
        ("rules:\n  - any: {}\n", 2, "needs at least one of"),
        ("rules:\n  - all: {groups: []}\n", 2, "must not be an empty list"),
        ("rules:\n  - all: {max_auth_age: 0}\n", 2, "max_auth_age must be a whole number"),
        ("rules:\n  - all: {max_auth_age: soon}\n", 2, "max_auth_age must be a whole number"),
        ("rules:\n  - all: {mfa: false}\n", 2, "mfa must be `true`"),
        ("rules:\n  - all: {email_domains: [example]}\n", 2, "not a domain name"),
        ("rules:\n  - all:\n      claims: {tier: 1.5}\n", 3, "each value must be a string"),
        ("rules:\n  - all:\n      claims: []\n", 3, "claims must be a mapping"),
        ("rules:\n  - prefix: /a\n    prefix: /b\n", 3, "'prefix' is given twice"),
        ("rules: {prefix: /a}\n", 1, "`rules` must be a list"),
        ("default: deny\n", 1, "`rules` is missing"),
        ("rules:\n  - prefix: [/a\n", 3, "not YAML"),
    ],
)
def test_a_mistake_is_refused_with_its_line(text, line, words):
    with pytest.raises(PolicyError) as refused:
        parse_policy(text, "policy.yaml")
    assert any(
        message.startswith(f"policy.yaml:{line}: ") and words in message for message in refused.value.messages
    ), refused.value.messages


def test_every_mistake_is_listed_in_the_files_order():
    text = "rules:\n  - regex: '(x'\n    bogus: 1\n  - methods: [get]\ndefault: maybe\n"
    with pytest.raises(PolicyError) as refused:
        parse_policy(text, "p.yaml")
    assert [message.split(":")[1] for message in refused.value.messages] == ["2", "3", "4", "5"]


def test_an_empty_or_missing_file_is_refused(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(PolicyError, match="empty"):
        load_policy(str(empty))
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(str(tmp_path / "absent.yaml"))


def test_the_server_does_not_start_with_a_bad_policy_file(pool, tmp_path):
    bad = tmp_path / "policy.yaml"
    bad.write_text("rules:\n  - prefix: /admin\n    any:\n      groups: [admin]\n    regexp: ^/x\n")
    with pytest.raises(ConfigError) as stopped:
        create_app({**pool, "policy_file": str(bad)})
    assert f"{bad}:5: unknown key 'regexp' in rule 0" in str(stopped.value)


def test_the_shipped_example_is_valid():
    policy = load_policy(str(Path(ROOT) / "deploy" / "policy.yaml"))
    assert [rule.prefix for rule in policy.rules] == ["/public", "/healthz", "/admin"]
