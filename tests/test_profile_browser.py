"""The page's Profile and MFA sections in Chromium, by their labels: `python server.py` as `make run` starts it (the
embedded emulator). Change a name and the email, verify the email with the code the page shows (a wrong one refused
first; the code is the one the emulator delivered), then choose MFA factors: a preferred factor that is off refused,
TOTP off and on again after set-up, and the next sign-in asks for its code."""

from __future__ import annotations

import time

import pytest
import requests
from playwright.sync_api import expect

from cognito_emulator.emulator import CODES_FILE
from tests.support.browser import screenshot, watched_page
from tests.support.conformance import wrong
from tests.support.helpers import PASSWORD, totp
from tests.support.page_codes import delivered, shown

pytestmark = [pytest.mark.browser, pytest.mark.subprocess, pytest.mark.slow]


@pytest.fixture
def served(tmp_path, serve):
    """`python server.py` as `make run` starts it: the embedded emulator, its state (and codes file) in the test's."""
    server = serve({"LOCAL_COGNITO_STATE": str(tmp_path / "state.pickle")})
    server.codes = tmp_path / CODES_FILE  # type: ignore[attr-defined]
    yield server
    server.stop()


def _sign_in(page, url: str) -> None:
    page.goto(f"{url}/")
    login = page.locator("#login")
    login.get_by_label("Username", exact=True).fill("erin")
    login.get_by_label("Password", exact=True).fill(PASSWORD)
    login.get_by_role("button", name="Sign in", exact=True).click()


def test_profile_and_mfa_sections_by_labels(served):
    body = {"username": "erin", "email": "erin@example.com", "password": PASSWORD}
    assert requests.post(f"{served.url}/auth/register", json=body, timeout=10).status_code == 201
    sign_up_code = delivered(served, "erin")
    confirm = {"username": "erin", "code": sign_up_code}
    assert requests.post(f"{served.url}/auth/confirm", json=confirm, timeout=10).status_code == 200

    with watched_page(served.url) as page:
        _sign_in(page, served.url)
        expect(page.locator("#session-title")).to_have_text("Signed in as erin")

        profile = page.get_by_role("region", name="Profile")
        expect(profile.get_by_label("Email address")).to_have_value("erin@example.com")
        profile.get_by_label("Given name").fill("Erin")
        profile.get_by_role("button", name="Save profile").click()
        expect(page.locator("#profile-done")).to_have_text("Saved.")
        profile.get_by_label("Email address").fill("erin.new@example.com")
        profile.get_by_role("button", name="Save profile").click()
        expect(page.locator("#profile-done")).to_contain_text("A code was sent to verify email (EMAIL to e***@e***)")
        expect(page.locator("#profile-verified")).to_have_text("Not verified yet: email.")
        code = shown(page, "verify-code-sent")
        assert code == delivered(served, "erin", other_than=sign_up_code)
        profile.get_by_label("Verification code").fill(wrong(code))
        profile.get_by_role("button", name="Verify", exact=True).click()
        expect(page.locator("#profile-verify-error")).to_contain_text("code_mismatch")
        profile.get_by_label("Verification code").fill(code)
        profile.get_by_role("button", name="Verify", exact=True).click()
        expect(page.locator("#profile-verify-done")).to_have_text("email is verified.")
        expect(page.locator("#profile-verified")).to_be_empty()
        expect(profile.get_by_label("Given name")).to_have_value("Erin")
        screenshot(page, "profile-1-email-verified")

        mfa = page.get_by_role("region", name="MFA")
        expect(page.locator("#mfa-offered")).to_have_text("The pool offers: TOTP.")
        expect(mfa.get_by_label("Emailed code")).to_be_disabled()  # the pool does not offer it
        mfa.get_by_label("Preferred factor").select_option("TOTP")
        mfa.get_by_role("button", name="Save MFA choices").click()
        expect(page.locator("#mfa-error")).to_contain_text("mfa_preferred_not_enabled")
        mfa.get_by_label("Authenticator app (TOTP)").check()
        mfa.get_by_role("button", name="Save MFA choices").click()
        expect(page.locator("#mfa-error")).to_contain_text("totp_not_set_up")

        page.get_by_role("button", name="Set up an authenticator app").click()
        secret = page.locator("#totp-qr code.secret").inner_text()
        page.get_by_label("Code from the app").fill(totp(secret))
        page.get_by_role("button", name="Turn on TOTP").click()
        expect(page.locator("#totp-done")).to_contain_text("TOTP is on")
        expect(mfa.get_by_label("Authenticator app (TOTP)")).to_be_checked()
        mfa.get_by_label("Authenticator app (TOTP)").uncheck()
        mfa.get_by_label("Preferred factor").select_option("")
        mfa.get_by_role("button", name="Save MFA choices").click()
        expect(page.locator("#mfa-done")).to_have_text("Saved. On: none; preferred: none.")
        mfa.get_by_label("Authenticator app (TOTP)").check()
        mfa.get_by_label("Preferred factor").select_option("TOTP")
        mfa.get_by_role("button", name="Save MFA choices").click()
        expect(page.locator("#mfa-done")).to_have_text("Saved. On: TOTP; preferred: TOTP.")
        screenshot(page, "profile-2-mfa-chosen")

        page.get_by_role("button", name="Sign out", exact=True).click()
        expect(page.locator("#signout-title")).to_be_visible()
        _sign_in(page, served.url)
        page.get_by_label("Code from the authenticator app").fill(totp(secret, at=time.time() + 30))
        page.locator("#challenge").get_by_role("button", name="Continue").click()
        expect(page.locator("#session-title")).to_have_text("Signed in as erin")
