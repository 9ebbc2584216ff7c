"""The documentation: every relative link and `#anchor` of the Markdown files resolves (as GitHub renders them),
and /docs in a real browser: Swagger UI loads from the server's own assets, shows every route, and tries one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from tests.support.browser import chromium_page, screenshot
from tests.support.doclinks import CODE_SPAN, anchors, broken_links, links, prose_lines, slug
from tests.support.helpers import ROOT


def markdown_files() -> list[Path]:
    """README.md and the other Markdown files at the top, and docs/*.md."""
    root = Path(ROOT)
    return sorted(root.glob("*.md")) + sorted((root / "docs").glob("*.md"))


def test_every_relative_link_and_anchor_in_the_docs_resolves():
    files = markdown_files()
    assert {"README.md", "api.md", "deployment.md"} <= {path.name for path in files}
    broken = broken_links(files, Path(ROOT))
    assert not broken, "\n".join(broken)


def test_every_link_in_the_docs_is_one_the_check_reads():
    """A `](` the link pattern does not take (odd spacing, a title in quotes it cannot parse) would go unchecked."""
    for path in markdown_files():
        text = path.read_text()
        written = sum(CODE_SPAN.sub("", line).count("](") for _, line in prose_lines(text))
        assert len(links(text)) == written, path.name


def test_the_endpoint_variables_the_docs_call_honoured_are_the_ones_botocore_reads(monkeypatch):
    """botocore reads AWS_ENDPOINT_URL_<service id>: ..._COGNITO_IDENTITY_PROVIDER for cognito-idp, no ..._IDP."""
    import boto3

    said = " ".join(path.read_text() for path in markdown_files())
    ignored = set(re.findall(r"ignores `(AWS_ENDPOINT_URL\w*)`", said))
    named = set(re.findall(r"AWS_ENDPOINT_URL\w*", re.sub(r"ignores `AWS_ENDPOINT_URL\w*`", "", said)))
    assert "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER" in named
    for name in named | ignored:
        monkeypatch.setenv(name, "http://127.0.0.1:9/emulator")
        client = boto3.client("cognito-idp", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
        monkeypatch.delenv(name)
        honoured = client.meta.endpoint_url == "http://127.0.0.1:9/emulator"
        assert honoured == (name in named), f"the docs say botocore {'reads' if name in named else 'ignores'} {name}"


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Forward auth (nginx, Caddy, Traefik)", "forward-auth-nginx-caddy-traefik"),
        ("The path of `GET /hello`", "the-path-of-get-hello"),
        ("What `make test` runs", "what-make-test-runs"),
        ("Several pools and ALB tokens", "several-pools-and-alb-tokens"),
        ("`SHARED_STATE_DIR` and __init__.py, *really*", "shared_state_dir-and-initpy-really"),
        ("Try it: locally!", "try-it-locally"),
        ("A [link](other.md#x) in it", "a-link-in-it"),
        ("Émulateur  à deux", "émulateur--à-deux"),
    ],
)
def test_anchors_are_githubs_slugs(heading, expected):
    assert anchors(f"# {heading}\n") == {expected}


def test_a_repeated_heading_gets_a_numbered_anchor_and_code_blocks_have_no_headings():
    text = "# Tests\n\n## Tests\n\n```sh\n# Tests in a shell comment\n```\n\n### Tests\n"
    assert anchors(text) == {"tests", "tests-1", "tests-2"}
    assert slug("Tests") == "tests"


def test_the_check_fails_on_a_broken_anchor_a_missing_file_and_a_stale_numbered_anchor(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "api.md").write_text("# The API\n\n## Sessions\n\n## Sessions\n")
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Project\n\n## Quickstart\n\n"
        "[good](docs/api.md#sessions) [good too](docs/api.md#sessions-1) [here](#quickstart)\n"
        "[gone](docs/api.md#browser-sessions) and [no such page](docs/nothing.md)\n"
        "[not yet](docs/api.md#sessions-2) [here, wrong](#quick-start) `[in code](#nowhere)`\n"
        "```md\n[in a block](#nowhere)\n```\n"
    )
    broken = broken_links([readme, tmp_path / "docs" / "api.md"], tmp_path)
    assert [line.split(" ", 1)[0] for line in broken] == ["README.md:6:"] * 2 + ["README.md:7:"] * 2
    assert "#browser-sessions" in broken[0] and "no such file" in broken[1]
    assert "#sessions-2" in broken[2] and "#quick-start" in broken[3]


@pytest.mark.browser
@pytest.mark.subprocess
@pytest.mark.slow
def test_docs_show_every_route_and_try_it_calls_health(serve):
    server = serve()
    outside = []
    try:
        document = requests.get(f"{server.url}/openapi.json", timeout=5).json()
        with chromium_page() as page:
            # Nothing but this server is reachable here: a CDN asset would leave the page blank.
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server.url) else None)
            page.goto(f"{server.url}/docs")
            page.wait_for_selector(".opblock", timeout=20000)
            paths = {el.get_attribute("data-path") for el in page.query_selector_all(".opblock-summary-path")}
            assert paths == set(document["paths"])
            health = page.locator("#operations-default-health")
            health.locator(".opblock-summary").click()  # "Try it out" is on from the start
            health.locator("button.execute").click()
            page.wait_for_selector("#operations-default-health .live-responses-table tr.response .response-col_status")
            status = health.locator(".live-responses-table tr.response .response-col_status").first.inner_text().strip()
            body = health.locator(".live-responses-table .microlight").first.inner_text()
            screenshot(page, "docs-try-health")
    finally:
        output = server.stop()
    assert status == "200", output[-2000:]
    assert '"status": "ok"' in body or '"status":"ok"' in body
    assert not outside, outside
