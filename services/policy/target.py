"""The original request as the policy file's rules see it: the raw target refused when ambiguous (the same rule
as the shipped proxies, services/common/paths.py), then its path percent-decoded once (UTF-8), which is
unambiguous by then. /auth/check and the dry run (`flask policy check`) both read it here."""

from __future__ import annotations

from urllib.parse import unquote

from services.common.paths import REFUSAL, is_ambiguous
from services.policy.model import Target


class AmbiguousTarget(ValueError):
    """The path could be read two ways (or is not UTF-8 once decoded): a 400, never a guess."""


def canonical_target(method: str, host: str, raw_target: str) -> Target:
    """The method (upper case), the host as sent and the decoded path of `raw_target` (path and query)."""
    if is_ambiguous(raw_target):
        raise AmbiguousTarget(REFUSAL)
    try:
        path = unquote(raw_target.partition("?")[0], errors="strict")
    except UnicodeDecodeError:
        raise AmbiguousTarget("The request path is not UTF-8 once decoded.") from None
    return Target(method.upper(), host, path)
