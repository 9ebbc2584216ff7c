"""The per-route policy file's model (POLICY_FILE): rules read top to bottom, the first that matches decides,
and the file's `default` decides when none does. Parsed by services/policy/parse.py, applied by
services/policy/evaluate.py; nothing here reads a file or a request."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

# What a rule (or the file's default) lets through: anyone, any signed-in user (who meets the rule's `any` and
# `all`), or no one.
Allow = Literal["anonymous", "signed_in", "deny"]
ALLOWS: tuple[Allow, ...] = ("anonymous", "signed_in", "deny")
# What /auth/check answers: 200; 403 (signed in, refused); 401 with the portal (not signed in); 401 with the
# portal asking for a fresh sign-in (signed in longer ago than the rule allows).
Outcome = Literal["allow", "deny", "sign_in", "step_up"]


@dataclass(frozen=True)
class Conditions:
    """One `any:` or `all:` block. Each group, each scope and each claim is one condition; `email_domains` is
    one (the email's domain is one of them), `max_auth_age` one, `mfa` one."""

    groups: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    claims: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (claim, accepted values)
    email_domains: tuple[str, ...] = ()  # lower case
    max_auth_age: int | None = None  # seconds
    mfa: bool = False


@dataclass(frozen=True)
class Rule:
    """A rule: where it applies (host, path, methods; each absent: any) and whom it lets through."""

    index: int  # 0-based, in the file's order
    line: int  # 1-based, the rule's first line in the file
    hosts: tuple[str, ...] = ()  # lower case; `*.example.com` for any subdomain; a port only when written
    prefix: str | None = None  # without its trailing `/` (the root stays `/`)
    regex: re.Pattern[str] | None = None  # case-insensitive, searched from the path's start
    methods: frozenset[str] = frozenset()  # upper case
    allow: Allow = "signed_in"
    any: Conditions | None = None
    all: Conditions | None = None

    def describe(self) -> str:
        """`rule 2 (line 14)`: how the CLI and the logs name it."""
        return f"rule {self.index} (line {self.line})"


@dataclass(frozen=True)
class PolicyFile:
    """A parsed policy file: its rules in order and what happens when none matches."""

    path: str
    rules: tuple[Rule, ...]
    default: Allow = "signed_in"
    default_line: int = 0  # 0: not written (signed_in)


@dataclass(frozen=True)
class Target:
    """The original request the proxy asks about: its method, host (as sent, maybe with a port) and its path,
    already canonical (percent escapes decoded, checked unambiguous first)."""

    method: str
    host: str
    path: str
    # Lower-case copies, made once per request for the rules that compare without case (prefix, host).
    lower_path: str = field(init=False, repr=False, compare=False)
    lower_host: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lower_path", self.path.lower())
        object.__setattr__(self, "lower_host", self.host.lower())


@dataclass(frozen=True)
class Identity:
    """Who is signed in, as the rules read it (services/policy/identity.py says from which token each comes)."""

    username: str | None = None
    groups: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    claims: Mapping[str, Any] = field(default_factory=dict)
    email: str | None = None  # verified only
    auth_time: float | None = None  # seconds since the epoch
    mfa: bool = False


@dataclass(frozen=True)
class Decision:
    """What the policy says about one request: the outcome, why, the rule (None: the default) and, for a
    step-up, the largest sign-in age that would do."""

    outcome: Outcome
    reason: str
    rule: Rule | None = None
    max_age: int | None = None

    def source(self) -> str:
        """The rule that decided, or `default` (with its line when written)."""
        if self.rule is not None:
            return self.rule.describe()
        return "default"
