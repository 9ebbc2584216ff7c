"""The page's "Devices" section in headless Chromium, by labels, against `python server.py` and its embedded
emulator with device tracking on: signed in with a cookie, the browser's device is confirmed, kept in its own
HttpOnly cookie and listed as this browser's; its "Forget" button forgets it at Cognito and clears the cookie."""

from __future__ import annotations

import boto3
import pytest
import requests
from playwright.sync_api import expect

from tests.support.browser import watched_page
from tests.support.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.subprocess, pytest.mark.slow]
ALWAYS = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}


@pytest.fixture
def served(serve):
    server = serve()
    yield server
    server.stop()


def track_devices(served) -> None:
    """Device tracking on in the served pool (UpdateUserPool with its other settings passed back as they are)."""
    config = requests.get(f"{served.url}/auth/config", timeout=5).json()
    keys = {"aws_access_key_id": "emulator", "aws_secret_access_key": "emulator"}  # any will do
    cognito = boto3.client("cognito-idp", config["region"], endpoint_url=config["endpoint_url"], **keys)
    pool = cognito.describe_user_pool(UserPoolId=config["user_pool_id"])["UserPool"]
    writable = cognito.meta.service_model.operation_model("UpdateUserPool").input_shape.members
    kept = {name: value for name, value in pool.items() if name in writable}
    cognito.update_user_pool(**{**kept, "UserPoolId": config["user_pool_id"], "DeviceConfiguration": ALWAYS})


def test_the_browsers_device_is_listed_and_forgotten(served):
    track_devices(served)
    body = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}
    assert requests.post(f"{served.url}/auth/register", json=body, timeout=10).status_code == 201
    code = served.code("alice")
    assert requests.post(f"{served.url}/auth/confirm", json={"username": "alice", "code": code}, timeout=10).ok
    with watched_page(served.url) as page:
        page.goto(f"{served.url}/")
        sign_in = page.get_by_role("region", name="3. Sign in")
        sign_in.get_by_label("Username", exact=True).fill("alice")
        sign_in.get_by_label("Password", exact=True).fill(PASSWORD)
        sign_in.get_by_label("Keep me signed in with a cookie (the tokens stay on the server)").check()
        sign_in.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.locator("#session-title")).to_have_text("Signed in as alice")
        devices = page.get_by_role("list").filter(has=page.get_by_role("button", name="Forget the device"))
        expect(devices.get_by_role("listitem")).to_have_count(1)
        expect(devices).to_contain_text("remembered, this browser")
        cookies = {c["name"]: c for c in page.context.cookies()}
        assert cookies["auth_device"]["httpOnly"] and cookies["auth_device"]["sameSite"] == "Lax"
        assert page.evaluate("document.cookie") == ""  # no script reads it
        page.get_by_role("button", name="Forget the device Chrome on Linux (this browser)").click()
        expect(page.get_by_role("status").filter(has_text="Device forgotten")).to_be_visible()
        expect(page.locator("#device-list")).to_have_text("No device remembered.")
        assert "auth_device" not in {c["name"] for c in page.context.cookies()}
