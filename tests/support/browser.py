"""Headless Chromium from Debian's packages, driven by Playwright (its own browser download is never used)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "artifacts")
# Without these, Chromium keeps trying to reach Google's hosts, which this closed network refuses.
QUIET = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium_page() -> Iterator:
    """A page in a fresh headless Chromium; fails (never skips) naming what to install when it is missing."""
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), "the browser tests need Debian's chromium: `make test` installs it as root"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=QUIET)
        try:
            yield browser.new_page()
        finally:
            browser.close()


# Chromium's virtual authenticator (the DevTools Protocol's WebAuthn domain) as a platform passkey holder.
PLATFORM_AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


def virtual_authenticator(page) -> tuple:
    """Give `page`'s browser context a virtual platform authenticator; return (the CDP session, its id)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": PLATFORM_AUTHENTICATOR})
    return cdp, added["authenticatorId"]


def screenshot(page, name: str) -> str:
    """Keep a screenshot as a test artifact (tests/artifacts/, ignored by git); return its path."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path


@contextmanager
def watched_page(base_url: str) -> Iterator:
    """A Chromium page that fails the test, when it ends, for a script error, a console error (an API's 4xx
    answer excepted: that is the page working) or a request to anywhere but `base_url`."""
    problems: list[str] = []
    with chromium_page() as page:
        page.on("pageerror", lambda err: problems.append(f"script error: {err}"))
        page.on("console", lambda message: problems.append(message.text) if _problem(message) else None)
        page.on("request", lambda r: None if r.url.startswith((base_url, "data:")) else problems.append(r.url))
        yield page
    assert not problems, problems


def _problem(message) -> bool:
    return message.type == "error" and "Failed to load resource" not in message.text
