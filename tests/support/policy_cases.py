"""A policy file with every kind of rule, shared by the policy tests (tests/test_policy_check.py through the
app, tests/test_forward_auth_policy.py through nginx and Caddy)."""

from __future__ import annotations

from pathlib import Path

EVERY_KIND = """\
default: deny
rules:
  - prefix: /public
    allow: anonymous
  - prefix: /closed
    allow: deny
  - host: other.example
    allow: deny
  - regex: ^/reports/[0-9]+$
    methods: [GET, HEAD]
    any:
      groups: [staff, audit]
  - prefix: /admin
    all:
      groups: [admin]
  - prefix: /scoped
    all:
      scopes: [aws.cognito.signin.user.admin]
  - prefix: /orders
    any:
      scopes: [orders/read]
  - prefix: /tenant
    all:
      claims:
        "custom:tenant": [acme, beta]
  - prefix: /mail
    any:
      email_domains: [example.org]
  - prefix: /recent
    all:
      max_auth_age: 5
  - prefix: /vault
    all:
      mfa: true
  - prefix: /app
"""


def write_policy(folder: Path, text: str = EVERY_KIND) -> str:
    """The policy file written in `folder`; its path."""
    path = folder / "policy.yaml"
    path.write_text(text)
    return str(path)
