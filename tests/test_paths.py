"""services/common/paths.py: the request paths a proxy and an app might read differently, and the proxies' copies of
the rule (deploy/nginx-forward-auth.conf, deploy/Caddyfile) being the same text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.common.paths import AMBIGUOUS_PATH, is_ambiguous
from tests.support.helpers import ROOT
from tests.support.path_cases import AMBIGUOUS

CLEAR = [
    "/",
    "/admin",
    "/Admin/users",
    "/ADMIN/",
    "/%61dmin/",  # one decoding, the same for everyone: /admin/
    "/reports/7?format=csv",
    "/reports?groups=nobody&machine=true&page=2",
    "/search?q=a;b%25c%2f..%00\\",  # the query string is the app's: only the path is judged
    "/files/report.v2.pdf",
    "/x/.hidden/..a/a..",
    "/caf%C3%A9/%E6%9D%8E",
    "/a-b_c~d!$&'()*+,=:@",
]


@pytest.mark.parametrize("target", AMBIGUOUS)
def test_a_path_an_app_might_read_otherwise_is_ambiguous(target):
    assert is_ambiguous(target)


@pytest.mark.parametrize("target", CLEAR)
def test_a_plain_path_is_not(target):
    assert not is_ambiguous(target)


# Where each file holds the rule: nginx's `if` on the raw target, Caddy's CEL raw string on the raw target.
SITES = [("nginx-forward-auth.conf", '$request_uri ~ "'), ("Caddyfile", '{http.request.uri}.matches(r"')]


@pytest.mark.parametrize(("config", "before"), SITES)
def test_the_proxies_refuse_with_the_same_rule_character_for_character(config, before):
    """One rule in three places can drift: the proxies' copies must be the module's text itself."""
    text = (Path(ROOT) / "deploy" / config).read_text()
    assert f"{before}{AMBIGUOUS_PATH}" in text
    assert text.count(AMBIGUOUS_PATH) == 1


def test_the_rule_reads_alike_without_pythons_extensions():
    """RE2 (Caddy) has no lookaround or backreferences; nginx's parser would unescape a `\\\\`."""
    assert not re.search(r"\(\?[=!<]|\\\\|\\[1-9]", AMBIGUOUS_PATH)
