"""Where a browser goes after signing in: the `rd` it asked for when that is safe, else the caller's `/`.

The rules are oauth2-proxy's (`pkg/app/redirect/validator.go`, see ../shared/PROTOCOLS.md D), made
stricter: a path on this host (`/`, not `//`, not `/\\`, none of `//`, `/./`, `/../` or a slash-whitespace-
slash anywhere), or an `http(s)://` URL with no userinfo whose host is allowed. Anything holding a control
character, whitespace or a backslash is refused, and so is anything whose URL-unescaped forms (unescaped
again and again, as a browser, a proxy and an application may each do once) would not pass the same checks.
An accepted `rd` is returned exactly as given, never re-encoded.

Allowed hosts: `app.example.com` is that host on any port; `.example.com` is example.com and its
subdomains on any port; `host:port` (or `[v6]:port`) is that host on that port only, the port of a URL
without one being its scheme's (80, 443); `host:*` is any port. Hosts compare in lower case; a URL host
that is not plain ASCII letters, digits, hyphens and dots (an IDN, an IP v6 address) or that ends in a dot
matches only an entry that names it exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from urllib.parse import unquote, urlsplit

# oauth2-proxy's: a slash or backslash, then nothing, whitespace, `.` or `..`, then a slash or backslash.
_INVALID_PATH = re.compile(r"[/\\](?:[\s\v]*|\.{1,2})[/\\]")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})  # controls, format (bidi), spaces
_MAX_UNESCAPES = 4  # more layers of percent-encoding than this: refused


def safe_redirect(rd: str | None, allowed_hosts: Collection[str]) -> str | None:
    """`rd` when it is a path on this host or an absolute http(s) URL whose host is allowed; else None."""
    if isinstance(allowed_hosts, str):
        raise TypeError("allowed_hosts is a collection of host entries, not one string")
    if not rd:
        return None
    entries = [entry for entry in (_parse_entry(raw) for raw in allowed_hosts) if entry is not None]
    form = rd
    for _ in range(_MAX_UNESCAPES + 1):
        if not _valid_form(form, entries):
            return None
        try:
            unescaped = unquote(form, errors="strict")
        except UnicodeDecodeError:  # percent-encoded bytes that are not UTF-8 (`%c0%af`): no one meaning
            return None
        if unescaped == form:
            return rd
        form = unescaped
    return None


def _valid_form(url: str, entries: list[tuple[str, int | None]]) -> bool:
    """One form of `rd` (as given or unescaped): a safe path, or an http(s) URL to an allowed host."""
    if "\\" in url or any(ch.isspace() or unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in url):
        return False
    if url.startswith("/"):
        return not url.startswith("//") and not _INVALID_PATH.search(url)
    lowered = url[:8].lower()
    if not (lowered.startswith("http://") or lowered.startswith("https://")):
        return False  # javascript:, data:, `https:evil` (a browser reads it as https://evil), relative paths
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number in range, a broken [v6] address
        return False
    netloc, host = parts.netloc, parts.hostname
    if not host or "@" in netloc or netloc.endswith(":"):
        return False
    effective_port = port if port is not None else _DEFAULT_PORTS[parts.scheme]
    plain = not host.endswith(".") and all(_LABEL.fullmatch(label) for label in host.split("."))
    for entry_host, entry_port in entries:
        if entry_port is not None and entry_port != effective_port:
            continue
        if host == entry_host:
            return True
        if plain and entry_host.startswith(".") and (host == entry_host[1:] or host.endswith(entry_host)):
            return True
    return False


def _parse_entry(raw: str) -> tuple[str, int | None] | None:
    """An allowed-hosts entry as (host in lower case, port or None for any port); None when unreadable."""
    entry = raw.strip().lower()
    host, port_text = entry, ""
    if entry.startswith("["):
        end = entry.find("]")
        if end < 0 or (end + 1 < len(entry) and entry[end + 1] != ":"):
            return None
        host, port_text = entry[1:end], entry[end + 2 :]
    elif entry.count(":") == 1:
        host, port_text = entry.split(":")
    if not host or host == ".":
        return None
    if port_text in ("", "*"):
        return host, None
    if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
        return None
    return host, int(port_text)
