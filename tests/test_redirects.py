"""services/redirects.safe_redirect: the open-redirect catalogue refused, the safe targets kept as given (issue 17)."""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest

from services.flows.redirects import safe_redirect
from tests.support.redirect_cases import OAUTH2_PROXY_PAYLOADS

ALLOWED = ("good.example", ".trusted.example", "localhost:8080")


# Ours, aimed at ALLOWED: (id, payload).
OWN_PAYLOADS = [
    ("javascript", "javascript:alert(1)"),
    ("javascript-upper", "JaVaScRiPt:alert(document.domain)"),
    ("data", "data:text/html,<script>alert(1)</script>"),
    ("vbscript", "vbscript:msgbox(1)"),
    ("ftp-allowed-host", "ftp://good.example/"),
    ("scheme-relative", "//evil.example"),
    ("scheme-relative-allowed-host", "//good.example/x"),
    ("slash-backslash", "/\\evil.example"),
    ("backslash-slash", "\\/evil.example"),
    ("backslashes", "\\\\evil.example"),
    ("tab-encoded-between-slashes", "/%09/evil.example"),
    ("tab-raw-between-slashes", "/\t/evil.example"),
    ("newline-raw", "/\n/evil.example"),
    ("cr-lf-header-split", "/x\r\nSet-Cookie:a=b"),
    ("nul-raw", "/\x00/evil.example"),
    ("nul-encoded", "/x%00y"),
    ("space-raw", "/ /evil.example"),
    ("leading-space-absolute", " https://good.example/"),
    ("nbsp", "/\u00a0/evil.example"),
    ("ideographic-space", "/\u3000/evil.example"),
    ("line-separator", "/\u2028/evil.example"),
    ("rtl-override", "/\u202eelpmaxe.live"),
    ("zero-width-space", "/\u200b/evil.example"),
    ("encoded-space-in-path", "/a%20b"),
    ("double-encoded-slash", "/%252f%252fevil.example"),
    ("double-encoded-backslash", "/%255cevil.example"),
    ("triple-encoded-tab", "/%25252509/evil.example"),
    ("double-encoded-scheme-relative", "/%252F/evil.example"),
    ("encoded-slash-slash-mid-path", "/a%2F%2Fb"),
    ("dot-dot-segment", "/a/../b"),
    ("encoded-dot-dot-segment", "/a/%2e%2e/b"),
    ("dot-segment", "/./evil"),
    ("url-in-query", "/app?next=https://evil.example"),
    ("overlong-utf8-slash", "/%c0%af%c0%afevil.example"),
    ("bare-host", "evil.example"),
    ("allowed-bare-host", "good.example/x"),
    ("https-evil", "https://evil.example"),
    ("https-no-slashes", "https:good.example"),
    ("https-one-slash", "https:/good.example"),
    ("https-three-slashes", "https:///evil.example"),
    ("https-empty-host", "https://"),
    ("https-port-only", "https://:8080/"),
    ("userinfo", "https://good.example@evil.example"),
    ("userinfo-reversed", "https://evil.example@good.example/"),
    ("userinfo-with-password", "https://good.example:x@evil.example/"),
    ("encoded-at-in-authority", "https://good.example%40evil.example/"),
    ("double-encoded-at", "https://good.example%2540evil.example/"),
    ("evil-with-good-path", "https://evil.example/good.example"),
    ("evil-with-good-query", "https://evil.example/?rd=https://good.example/"),
    ("good-as-fragment", "https://evil.example#@good.example"),
    ("good-as-evil-subdomain", "https://good.example.evil.example/"),
    ("trusted-as-evil-subdomain", "https://sub.trusted.example.evil.example/"),
    ("suffix-not-subdomain", "https://eviltrusted.example/"),
    ("suffix-of-exact-host", "https://evilgood.example/"),
    ("subdomain-of-exact-host", "https://sub.good.example/"),
    ("encoded-dot-in-host", "https://good%2eexample/"),
    ("encoded-slash-in-host", "https://evil.example%2f.trusted.example/"),
    ("trailing-dot-host", "https://good.example./"),
    ("trailing-dot-subdomain", "https://sub.trusted.example./"),
    ("idn-cyrillic-o", "https://g\u043e\u043ed.example/"),
    ("idn-fullwidth", "https://\uff47\uff4f\uff4f\uff44.example/"),
    ("idn-ideographic-full-stop", "https://evil\u3002trusted.example/"),
    ("punycode-not-listed", "https://xn--gd-tfa.example/"),
    ("fullwidth-solidus-in-host", "https://evil.example\uff0f.good.example/"),
    ("port-not-listed", "http://localhost:9090/"),
    ("default-port-not-listed", "http://localhost/p"),
    ("https-default-port-not-listed", "https://localhost/p"),
    ("empty-port", "http://good.example:/"),
    ("non-numeric-port", "http://good.example:80a/"),
    ("port-out-of-range", "http://good.example:99999/"),
    ("two-ports", "http://localhost:8080:8080/"),
    ("ipv4-not-listed", "http://127.0.0.1:8080/"),
    ("ipv6-not-listed", "http://[::1]:8080/"),
    ("broken-ipv6", "http://[::1/"),
]

ACCEPTED = [
    ("root", "/"),
    ("path-query-fragment", "/app?x=1#y"),
    ("trailing-slash", "/a/b/"),
    ("exact-host", "https://good.example/x"),
    ("exact-host-any-port", "http://good.example:1234/"),
    ("subdomain", "https://sub.trusted.example/"),
    ("domain-itself-no-path", "https://trusted.example"),
    ("host-and-listed-port", "http://localhost:8080/p"),
    ("deep-subdomain-any-port", "https://a.b.trusted.example:8443/x"),
    ("upper-case-host-and-scheme", "HTTPS://GOOD.Example/x"),
    ("encoded-slash-in-query", "/app?next=%2Fhome"),
    ("encoded-query-kept-encoded", "https://good.example/x?a=%3D1"),
    ("unicode-path", "/caf\u00e9"),
    ("at-in-path", "/@someone"),
    ("at-in-absolute-path", "https://good.example/@someone"),
]


@pytest.mark.parametrize("payload", OAUTH2_PROXY_PAYLOADS)
def test_oauth2_proxy_payload_refused(payload: str) -> None:
    assert safe_redirect(payload, ALLOWED) is None


@pytest.mark.parametrize("payload", OAUTH2_PROXY_PAYLOADS)
def test_oauth2_proxy_payload_refused_once_unescaped(payload: str) -> None:
    """oauth2-proxy's own test unescapes each payload (Go's url.QueryUnescape) before validating it."""
    assert safe_redirect(unquote_plus(payload), (*ALLOWED, "www.whitelisteddomain.tld")) is None


@pytest.mark.parametrize("payload", [p for _, p in OWN_PAYLOADS], ids=[i for i, _ in OWN_PAYLOADS])
def test_own_payload_refused(payload: str) -> None:
    assert safe_redirect(payload, ALLOWED) is None


@pytest.mark.parametrize("rd", [r for _, r in ACCEPTED], ids=[i for i, _ in ACCEPTED])
def test_safe_target_returned_as_given(rd: str) -> None:
    assert safe_redirect(rd, ALLOWED) == rd


@pytest.mark.parametrize("rd", [None, ""], ids=["none", "empty"])
def test_no_target(rd: str | None) -> None:
    assert safe_redirect(rd, ALLOWED) is None


@pytest.mark.parametrize(
    ("rd", "allowed", "expected"),
    [
        ("https://good.com/", ("good.com:443",), True),
        ("https://good.com:443/", ("good.com:443",), True),
        ("http://good.com:8080/", ("good.com:443",), False),
        ("http://good.com/", ("good.com:443",), False),
        ("https://good.com:8443/", ("good.com:*",), True),
        ("https://a.good.com:8443/", (".good.com:8443",), True),
        ("https://a.good.com:9443/", (".good.com:8443",), False),
        ("https://evilgood.com/", (".good.com",), False),
        ("https://good.evil.com/", (".good.com",), False),
        ("https://good.example/", ("GOOD.EXAMPLE",), True),
        ("https://b\u00fccher.example/", ("b\u00fccher.example",), True),
        ("https://b\u00fccher.example/", (".example",), False),
        ("https://good.example./", ("good.example.",), True),
        ("https://good.example./", (".good.example",), False),
        ("http://[::1]:8080/", ("[::1]:8080",), True),
        ("http://[::1]:8081/", ("[::1]:8080",), False),
        ("https://good.example/", (), False),
        ("https://good.example/", ("", ":", ".", "good.example:abc", "good.example:\u0663"), False),
        ("/", (), True),
    ],
    ids=[
        "listed-port-implicit",
        "listed-port-explicit",
        "other-port",
        "other-scheme-default-port",
        "any-port-star",
        "domain-with-port",
        "domain-other-port",
        "suffix-not-subdomain",
        "prefix-not-subdomain",
        "entry-case",
        "idn-exact",
        "idn-not-by-domain",
        "trailing-dot-exact",
        "trailing-dot-not-by-domain",
        "ipv6-exact",
        "ipv6-other-port",
        "nothing-allowed",
        "unreadable-entries-ignored",
        "path-needs-no-entry",
    ],
)
def test_allowed_host_entries(rd: str, allowed: tuple[str, ...], expected: bool) -> None:
    assert (safe_redirect(rd, allowed) == rd) is expected
    assert safe_redirect(rd, frozenset(allowed)) == safe_redirect(rd, list(allowed))


def test_one_string_is_not_a_host_list() -> None:
    with pytest.raises(TypeError):
        safe_redirect("/", "good.example")


def test_catalogue_size() -> None:
    assert len(OAUTH2_PROXY_PAYLOADS) >= 40
    assert len(OAUTH2_PROXY_PAYLOADS) + len(OWN_PAYLOADS) >= 60
    assert len({p for _, p in OWN_PAYLOADS}) == len(OWN_PAYLOADS)
