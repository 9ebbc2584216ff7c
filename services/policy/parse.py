"""The policy file read and checked (POLICY_FILE): every mistake found, each with its file and line (from
PyYAML's node marks), before the server starts or by `flask policy lint`. An unknown key, a repeated key, a
bad pattern or a value of the wrong kind is a mistake: nothing is guessed or left out."""

from __future__ import annotations

import re
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs in the venv; the nodes are read below

from services.common.paths import is_ambiguous
from services.policy.model import ALLOWS, Allow, Conditions, PolicyFile, Rule

_TOP = ("default", "rules")
_RULE = ("host", "prefix", "regex", "methods", "allow", "any", "all")
_CONDITIONS = ("groups", "scopes", "claims", "email_domains", "max_auth_age", "mfa")
_HOST = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$")
_METHOD = re.compile(r"^[A-Z]{1,20}$")
_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


class PolicyError(ValueError):
    """The file's mistakes, each `FILE:LINE: what`; str() gives them one a line."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def load_policy(path: str) -> PolicyFile:
    """The policy file at `path`, checked; PolicyError with every mistake (and its line) otherwise."""
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as err:
        raise PolicyError([f"{path}: cannot read the policy file: {err}"]) from None
    return parse_policy(text, path)


def parse_policy(text: str, path: str = "<policy>") -> PolicyFile:
    """The policy in `text` (named `path` in messages), checked."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise PolicyError([f"{path}{line}: not YAML: {problem}"]) from None
    reader = _Reader(path)
    policy = reader.policy(root)
    if reader.messages:  # in the file's order
        raise PolicyError([message for _, message in sorted(reader.messages, key=lambda item: item[0])])
    return policy


class _Reader:
    """Walks the YAML nodes, noting each mistake with its line and going on, so one run lists them all."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.messages: list[tuple[int, str]] = []  # (line, message)
        self._scalars = yaml.SafeLoader("")  # only its constructor: a scalar node's value (int, bool, str)

    def fail(self, node: yaml.Node | None, message: str) -> None:
        number = node.start_mark.line + 1 if node is not None else 0
        line = f":{number}" if node is not None else ""
        self.messages.append((number, f"{self.path}{line}: {message}"))

    def policy(self, root: yaml.Node | None) -> PolicyFile:
        if root is None:
            self.fail(None, "the file is empty: it needs `rules` (a list) and may have `default`")
            return PolicyFile(self.path, ())
        top = self.mapping(root, _TOP, "the file")
        default: Allow = "signed_in"
        default_line = 0
        if "default" in top:
            default = self.allow(top["default"], "default")
            default_line = top["default"].start_mark.line + 1
        rules: list[Rule] = []
        listed = top.get("rules")
        if listed is None:
            self.fail(root, "`rules` is missing (a list, maybe empty: `rules: []`)")
        elif not isinstance(listed, yaml.SequenceNode):
            self.fail(listed, "`rules` must be a list of rules")
        else:
            rules = [self.rule(index, node) for index, node in enumerate(listed.value)]
        return PolicyFile(self.path, tuple(rules), default, default_line)

    def mapping(self, node: yaml.Node, keys: tuple[str, ...], what: str) -> dict[str, yaml.Node]:
        """A mapping's values by key; an unknown or repeated key is a mistake (PyYAML keeps the last silently)."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping (key: value)")
            return {}
        found: dict[str, yaml.Node] = {}
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in keys:
                self.fail(key_node, f"unknown key {key!r} in {what} (known: {', '.join(keys)})")
            elif key in found:
                self.fail(key_node, f"{key!r} is given twice in {what}")
            else:
                found[key] = value
        return found

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return None
        return self._scalars.construct_object(node)

    def text(self, node: yaml.Node, what: str) -> str | None:
        value = self.scalar(node)
        if not isinstance(value, str) or not value:
            self.fail(node, f"{what} must be a non-empty string")
            return None
        return value

    def texts(self, node: yaml.Node, what: str) -> list[tuple[yaml.Node, str]]:
        """A string or a list of strings (each with its node, for its line); an empty list is a mistake."""
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        if not items:
            self.fail(node, f"{what} must not be an empty list")
        found = [(item, self.text(item, f"each of {what}")) for item in items]
        return [(item, value) for item, value in found if value is not None]

    def allow(self, node: yaml.Node, what: str) -> Allow:
        value = self.scalar(node)
        for allow in ALLOWS:
            if value == allow:
                return allow
        self.fail(node, f"{what} must be one of {', '.join(ALLOWS)}")
        return "deny"

    def rule(self, index: int, node: yaml.Node) -> Rule:
        keys = self.mapping(node, _RULE, f"rule {index}")
        line = node.start_mark.line + 1
        hosts = (
            tuple(self.host(item, value) for item, value in self.texts(keys["host"], "host")) if "host" in keys else ()
        )
        if "prefix" in keys and "regex" in keys:
            self.fail(keys["regex"], f"rule {index} has both `prefix` and `regex`: give one")
        prefix = self.prefix(keys["prefix"]) if "prefix" in keys else None
        regex = self.regex(keys["regex"]) if "regex" in keys else None
        methods = (
            frozenset(self.method(item, value) for item, value in self.texts(keys["methods"], "methods"))
            if "methods" in keys
            else frozenset()
        )
        allow: Allow = self.allow(keys["allow"], "allow") if "allow" in keys else "signed_in"
        blocks = {name: self.conditions(keys[name], name) for name in ("any", "all") if name in keys}
        if blocks and allow != "signed_in":
            self.fail(node, f"rule {index}: `allow: {allow}` takes no `any` or `all` (they need a signed-in user)")
        return Rule(index, line, hosts, prefix, regex, methods, allow, blocks.get("any"), blocks.get("all"))

    def host(self, node: yaml.Node, value: str) -> str:
        host = value.lower()
        if not _HOST.match(host):
            self.fail(node, f"host {value!r} is not a host name (`app.example.com`, `*.example.com`, with `:port`)")
        return host

    def prefix(self, node: yaml.Node) -> str | None:
        value = self.text(node, "prefix")
        if value is None:
            return None
        if not value.startswith("/") or is_ambiguous(value) or "%" in value or "?" in value:
            self.fail(
                node, f"prefix {value!r} must be a plain decoded path starting with '/' (no '%', '?', ';', '//', '..')"
            )
            return None
        return value.rstrip("/") or "/"

    def regex(self, node: yaml.Node) -> re.Pattern[str] | None:
        value = self.text(node, "regex")
        if value is None:
            return None
        try:
            return re.compile(value, re.IGNORECASE)
        except re.error as err:
            self.fail(node, f"regex {value!r} is not a valid regular expression: {err}")
            return None

    def method(self, node: yaml.Node, value: str) -> str:
        if not _METHOD.match(value):
            self.fail(node, f"method {value!r} must be an HTTP method in capitals (GET, POST, ...)")
        return value

    def conditions(self, node: yaml.Node, name: str) -> Conditions:
        keys = self.mapping(node, _CONDITIONS, f"`{name}`")
        if isinstance(node, yaml.MappingNode) and not keys:
            self.fail(node, f"`{name}` needs at least one of {', '.join(_CONDITIONS)}")
        groups = tuple(value for _, value in self.texts(keys["groups"], "groups")) if "groups" in keys else ()
        scopes = tuple(value for _, value in self.texts(keys["scopes"], "scopes")) if "scopes" in keys else ()
        domains = (
            tuple(self.domain(item, value) for item, value in self.texts(keys["email_domains"], "email_domains"))
            if "email_domains" in keys
            else ()
        )
        claims = self.claims(keys["claims"]) if "claims" in keys else ()
        age = None
        if "max_auth_age" in keys:
            age = self.scalar(keys["max_auth_age"])
            if not isinstance(age, int) or isinstance(age, bool) or age <= 0:
                self.fail(keys["max_auth_age"], "max_auth_age must be a whole number of seconds, more than 0")
                age = None
        mfa = False
        if "mfa" in keys:
            mfa = self.scalar(keys["mfa"]) is True
            if not mfa:
                self.fail(keys["mfa"], "mfa must be `true` (leave it out when MFA is not needed)")
        return Conditions(groups, scopes, claims, domains, age, mfa)

    def domain(self, node: yaml.Node, value: str) -> str:
        domain = value.lower().removeprefix("@")
        if not _DOMAIN.match(domain):
            self.fail(node, f"email domain {value!r} is not a domain name (`example.com`)")
        return domain

    def claims(self, node: yaml.Node) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if not isinstance(node, yaml.MappingNode) or not node.value:
            self.fail(node, "claims must be a mapping of claim names to a value or a list of values")
            return ()
        found: list[tuple[str, tuple[str, ...]]] = []
        for key_node, value_node in node.value:
            name = self.text(key_node, "a claim's name")
            items = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            values = [self.scalar(item) for item in items]
            if not values or any(value is None or isinstance(value, float) for value in values):
                self.fail(value_node, f"claim {name!r}: each value must be a string, a whole number or true/false")
                continue
            if name is not None:
                if name in dict(found):
                    self.fail(key_node, f"claim {name!r} is given twice")
                # As the token's value is compared: a JSON true is `true`, a number its digits.
                found.append((name, tuple(_claim_text(value) for value in values)))
        return tuple(found)


def _claim_text(value: Any) -> str:
    """A claim value as compared: booleans as `true`/`false` (Cognito's ID token sends some as strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
