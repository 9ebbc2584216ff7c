"""The policy file applied to one request: the first rule whose host, path and method match decides (else the
file's default); whom it lets through is read from the identity (services/policy/identity.py).

A sign-in older than a rule's `max_auth_age` is a step-up (a fresh sign-in would do) only when every other
condition the rule needs holds; otherwise it is a refusal, since signing in again would not change it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from services.policy.model import Allow, Conditions, Decision, Identity, PolicyFile, Rule, Target

Check = tuple[str, Callable[[Identity, float], bool]]


def matching_rule(policy: PolicyFile, target: Target) -> Rule | None:
    """The first rule that applies to `target`, or None (the default applies)."""
    return next((rule for rule in policy.rules if applies(rule, target)), None)


def applies(rule: Rule, target: Target) -> bool:
    """Whether the rule's host, path and methods all match `target` (an absent one matches anything)."""
    if rule.methods and target.method.upper() not in rule.methods:
        return False
    if rule.hosts and not any(_host_matches(host, target.lower_host) for host in rule.hosts):
        return False
    if rule.prefix is not None and not _under(target.lower_path, rule.prefix.lower()):
        return False
    return rule.regex is None or rule.regex.match(target.path) is not None


def decide(policy: PolicyFile, target: Target, identity: Identity | None, now: float) -> Decision:
    """The policy's answer for `target`, `identity` being who is signed in (None: no one)."""
    rule = matching_rule(policy, target)
    allow: Allow = rule.allow if rule is not None else policy.default
    if allow == "anonymous":
        return Decision("allow", "anonymous access is allowed", rule)
    if allow == "deny":
        return Decision("deny" if identity is not None else "sign_in", "no one is allowed here", rule)
    if identity is None:
        return Decision("sign_in", "a signed-in user is needed", rule)
    if rule is None:
        return Decision("allow", "any signed-in user is allowed", None)
    return _conditions_met(rule, identity, now)


def _conditions_met(rule: Rule, identity: Identity, now: float) -> Decision:
    failed: list[str] = []
    ages: list[int] = []  # the max_auth_age whose holding would have let the user through
    for name, block in (("any", rule.any), ("all", rule.all)):
        if block is None:
            continue
        checks = conditions(block)
        held = [(label, check(identity, now)) for label, check in checks]
        ok = any(result for _, result in held) if name == "any" else all(result for _, result in held)
        if ok:
            continue
        # Would a fresh sign-in (auth_time now) let the block pass?
        fresh = [(label, check(identity, now) or label.startswith("max_auth_age")) for label, check in checks]
        fresh_ok = any(result for _, result in fresh) if name == "any" else all(result for _, result in fresh)
        if fresh_ok and block.max_auth_age is not None:
            ages.append(block.max_auth_age)
        else:
            ages.append(-1)  # no sign-in would do
        missing = [label for label, result in held if not result]
        failed.append(f"{name} of [{', '.join(label for label, _ in checks)}] not met (missing: {', '.join(missing)})")
    if not failed:
        return Decision("allow", "the rule's conditions are met", rule)
    reason = "; ".join(failed)
    if all(age > 0 for age in ages):
        return Decision("step_up", f"a more recent sign-in is needed: {reason}", rule, max_age=min(ages))
    return Decision("deny", reason, rule)


def conditions(block: Conditions) -> list[Check]:
    """The block's conditions, each labelled (as the dry run prints them) with its test."""
    checks: list[Check] = []
    for group in block.groups:
        checks.append((f"group {group}", partial(_in_groups, group)))
    for scope in block.scopes:
        checks.append((f"scope {scope}", partial(_has_scope, scope)))
    for name, values in block.claims:
        checks.append((f"claim {name}={'|'.join(values)}", partial(_has_claim, name, values)))
    if block.email_domains:
        checks.append((f"email domain {'|'.join(block.email_domains)}", partial(_in_domains, block.email_domains)))
    if block.max_auth_age is not None:
        checks.append((f"max_auth_age {block.max_auth_age}s", partial(_recent, block.max_auth_age)))
    if block.mfa:
        checks.append(("mfa", _with_mfa))
    return checks


def _in_groups(group: str, who: Identity, _now: float) -> bool:
    return group in who.groups


def _has_scope(scope: str, who: Identity, _now: float) -> bool:
    return scope in who.scopes


def _has_claim(name: str, values: tuple[str, ...], who: Identity, _now: float) -> bool:
    return _claim_matches(who.claims.get(name), values)


def _in_domains(domains: tuple[str, ...], who: Identity, _now: float) -> bool:
    return _email_domain(who.email) in domains


def _recent(age: int, who: Identity, now: float) -> bool:
    return who.auth_time is not None and now - who.auth_time <= age


def _with_mfa(who: Identity, _now: float) -> bool:
    return who.mfa


def _claim_matches(value: Any, accepted: tuple[str, ...]) -> bool:
    """A claim holds one of the accepted values: a string, number or boolean as written; a list, any item."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, bool):
            text = "true" if item else "false"
        elif isinstance(item, str | int) or (isinstance(item, float) and item.is_integer()):
            text = str(int(item)) if isinstance(item, float) else str(item)
        else:
            continue  # a null, an object: matches nothing
        if text in accepted:
            return True
    return False


def _email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].lower()


def _under(path: str, prefix: str) -> bool:
    """`/admin` covers `/admin` and `/admin/...`, never `/administrator`; `/` covers every path."""
    return prefix == "/" or path == prefix or path.startswith(prefix + "/")


def _host_matches(pattern: str, host: str) -> bool:
    """A pattern with a port matches that port only; without one, any port. `*.x` matches subdomains of x."""
    if ":" not in pattern:
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern
