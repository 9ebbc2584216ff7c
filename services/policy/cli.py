"""`flask --app server policy check|lint`: the policy file's dry run and its check, outside the request path.

`check` answers what /auth/check would for a request and a user described on the command line (the same
parser, canonicalisation and evaluation): the rule that matched (its index and line) and the decision, with the
status /auth/check gives it and the reason. `lint` checks a file: exit 0, or 1 with each mistake and its line.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import click

from services.policy.evaluate import decide
from services.policy.model import Decision, Identity, PolicyFile, Rule
from services.policy.parse import PolicyError, load_policy
from services.policy.step_up import portal_prefix
from services.policy.target import AmbiguousTarget, canonical_target

STATUS = {"allow": 200, "deny": 403, "sign_in": 401, "step_up": 401}


@click.group("policy")
def policy_commands() -> None:
    """The per-route policy file (POLICY_FILE): a dry run, and a check of a file."""


@policy_commands.command("lint")
@click.argument("file", type=click.Path(dir_okay=False))
def lint(file: str) -> None:
    """Check FILE: exit 0 when the server would start with it, else 1 with each mistake (FILE:LINE: ...)."""
    policy = _load(file)
    click.echo(f"{file}: OK: {len(policy.rules)} rule(s), default {policy.default}")


@policy_commands.command("check")
@click.option("--file", "file", required=True, type=click.Path(dir_okay=False), help="the policy file")
@click.argument("method")
@click.argument("url")
@click.option("--user", help="signed in as NAME (any other identity option signs in too)")
@click.option("--groups", default="", help="the user's groups, comma-separated")
@click.option("--scopes", default="", help="the access token's scopes, comma-separated")
@click.option("--claim", "claims", multiple=True, help="an ID token claim, NAME=VALUE (repeatable)")
@click.option("--email", help="the user's verified email")
@click.option("--auth-age", type=click.IntRange(min=0), help="seconds since the sign-in (default 0)")
@click.option("--mfa", is_flag=True, help="signed in with a second factor")
def check(
    file: str,
    method: str,
    url: str,
    user: str | None,
    groups: str,
    scopes: str,
    claims: tuple[str, ...],
    email: str | None,
    auth_age: int | None,
    mfa: bool,
) -> None:
    """What /auth/check would answer to METHOD URL (`https://host/path?query`, or a path) for the user given
    (no identity option: no one signed in)."""
    policy = _load(file)
    parts = urlsplit(url) if not url.startswith("/") else None
    host = parts.netloc if parts is not None else ""
    raw = (parts.path + (f"?{parts.query}" if parts.query else "")) if parts is not None else url
    try:
        target = canonical_target(method, host, raw)
    except AmbiguousTarget as err:
        click.echo("rule: none (the path is refused before any rule)")
        click.echo(f"decision: refuse (400): {err}")
        return
    named = dict(_claim(text) for text in claims)
    signed_in = user is not None or bool(groups or scopes or claims or email) or auth_age is not None or mfa
    now = time.time()
    identity = (
        Identity(
            username=user,
            groups=frozenset(_listed(groups)),
            scopes=frozenset(_listed(scopes)),
            claims=named,
            email=email,
            auth_time=now - (auth_age or 0),
            mfa=mfa,
        )
        if signed_in
        else None
    )
    decision = decide(policy, target, identity, now)
    click.echo(f"rule: {_rule_text(decision.rule, policy)}")
    click.echo(f"decision: {decision_text(decision)}")


def decision_text(decision: Decision) -> str:
    """`allow (200): why`, `step_up (401, /auth/sign-in?max_age=300&rd=...): why` and the like."""
    status = f"{STATUS[decision.outcome]}"
    if decision.outcome == "step_up":
        status += f", {portal_prefix(decision.max_age)}..."
    return f"{decision.outcome} ({status}): {decision.reason}"


def _rule_text(rule: Rule | None, policy: PolicyFile) -> str:
    if rule is None:
        line = f" (line {policy.default_line})" if policy.default_line else " (not written: signed_in)"
        return f"none matched: default {policy.default}{line}"
    where = [f"host {'|'.join(rule.hosts)}"] if rule.hosts else []
    where += [f"prefix {rule.prefix}"] if rule.prefix is not None else []
    where += [f"regex {rule.regex.pattern}"] if rule.regex is not None else []
    where += [f"methods {'|'.join(sorted(rule.methods))}"] if rule.methods else []
    return f"{rule.describe()}: {', '.join(where) or 'every request'}; allow {rule.allow}"


def _load(file: str) -> PolicyFile:
    try:
        return load_policy(file)
    except PolicyError as err:
        for message in err.messages:
            click.echo(message, err=True)
        raise SystemExit(1) from None


def _listed(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _claim(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise click.BadParameter(f"{text!r}: give NAME=VALUE", param_hint="--claim")
    return name, value
