"""Request paths a proxy and the app behind it might read differently: the rule the forward-auth check and the
shipped proxy examples (deploy/nginx-forward-auth.conf, deploy/Caddyfile) apply before any other.

A path rule (`/admin/` for one group) holds only when the proxy and the app agree on what the path is.
Servlet containers cut `;params` off each segment (`/x/..;/admin/` is `/admin/` there), some apps read a
backslash as a slash, decode twice (`%2561` is `a`), end a string at NUL, or resolve dot segments and empty
segments the proxy kept. None of these has a use a browser needs, so they are refused outright rather than
read one way or the other.
"""

from __future__ import annotations

import re

# The raw request target (path and query, as sent) is ambiguous when it does not start with `/`, or when
# its path (up to the first `?`) holds: `;` or `%3b`; a backslash or `%5c`; an encoded `%`, `/` or `.`
# (`%25`, `%2f`, `%2e`); a control character or space, raw or encoded (`%00`-`%1f`, `%7f`); a `%` that is
# not an escape (`%zz`, `%4`); an empty segment (`//`); a `.` or `..` segment. Case-insensitive.
# The same text, character for character, is the proxies' rule in deploy/nginx-forward-auth.conf and
# deploy/Caddyfile (a CEL raw string there; tests/test_paths.py checks it): Python's re, PCRE and RE2 read
# it alike (no lookahead, which RE2 lacks; `\x5c` for the backslash, which nginx's configuration parser
# would otherwise unescape).
AMBIGUOUS_PATH = (
    r"(?i)^(?:$|[^/]|[^?]*(?:;|\x5c|[\x00-\x20\x7f]|//|/\.\.?(?:/|\?|$)"
    r"|%(?:3b|5c|25|2f|2e|[01][0-9a-f]|7f|[0-9a-f]?(?:[^0-9a-f]|$))))"
)
_AMBIGUOUS = re.compile(AMBIGUOUS_PATH)

REFUSAL = (
    "The request path is ambiguous: it holds ';', a backslash, an encoded '%', '/' or '.', a control "
    "character, a '%' that is not an escape, or an empty, '.' or '..' segment."
)


def is_ambiguous(target: str) -> bool:
    """Whether a proxy and an app could read the raw request target's path as two different paths."""
    return _AMBIGUOUS.match(target) is not None
