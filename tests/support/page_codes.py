"""The codes a page test reads as a newcomer would: the one the page shows under a field, and the one the emulator
of `python server.py` wrote to its codes file (cognito_emulator/emulator.py CODES_FILE, next to the state file)."""

from __future__ import annotations

import json
import re
import time

from playwright.sync_api import expect


def delivered(served, username: str, other_than: str | None = None) -> str:
    """The last EMAIL code the emulator sent `username` (a new one when `other_than` is given), from its codes file."""
    path = served.codes  # type: ignore[attr-defined]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            with open(path) as file:
                code = json.load(file).get(username, {}).get("EMAIL")
        except (FileNotFoundError, json.JSONDecodeError):  # not written yet, or being replaced
            code = None
        if code and code != other_than:
            return str(code)
        time.sleep(0.1)
    raise AssertionError(f"no code for {username} in {path}: the emulator never delivered it")


def shown(page, hint: str) -> str:
    """The code the page shows in its hint `hint` (an element id), once it is there."""
    expect(page.locator(f"#{hint}")).to_contain_text("The local emulator sent the code")
    found = re.search(r"\b(\d{6})\b", page.locator(f"#{hint}").inner_text())
    assert found, page.locator(f"#{hint}").inner_text()
    return found.group(1)
