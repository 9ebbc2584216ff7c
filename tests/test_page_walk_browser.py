"""Issue 25's acceptance walk: `python server.py` as `make run` starts it (the embedded emulator), and in Chromium,
by the page's labels, a newcomer's first session: sign up, confirm with the delivered code, sign in, set up TOTP
with a code computed from the shown secret (a wrong code refused first), sign out, reset the password with the
delivered code, and sign in again with the new password and a TOTP code.

Every code is the one the page shows under the field that wants it ("The local emulator sent the code NNNNNN."),
as a newcomer without a terminal reads it; the test also checks it is the code the emulator wrote to its codes file
(cognito_emulator/emulator.py CODES_FILE, next to the state file)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from cognito_emulator.emulator import CODES_FILE
from tests.support.browser import screenshot, watched_page
from tests.support.conformance import wrong
from tests.support.helpers import PASSWORD, totp
from tests.support.page_codes import delivered, shown

pytestmark = [pytest.mark.browser, pytest.mark.subprocess, pytest.mark.slow]

NEW_PASSWORD = "Passw0rd!new"


@pytest.fixture
def served(tmp_path, serve):
    """`python server.py` as `make run` starts it: the embedded emulator, its state in a folder of the test's."""
    server = serve({"LOCAL_COGNITO_STATE": str(tmp_path / "state.pickle")})
    server.codes = tmp_path / CODES_FILE  # type: ignore[attr-defined]
    yield server
    server.stop()


def test_a_newcomers_first_session_by_labels(served):
    """SignUp sends a code to the email and ConfirmSignUp takes it; TOTP set-up refuses a wrong code
    (VerifySoftwareToken: EnableSoftwareTokenMFAException / CodeMismatchException) and takes an RFC 6238 code of
    the secret shown; ForgotPassword sends a code that ConfirmForgotPassword takes with a new password; then sign-in
    asks the TOTP code. Sources: botocore SignUp, ConfirmSignUp, VerifySoftwareToken, ForgotPassword,
    ConfirmForgotPassword; Developer Guide "Signing up and confirming user accounts", "TOTP software token MFA",
    "Forgot password"."""
    with watched_page(served.url) as page:
        page.goto(f"{served.url}/")
        register = page.locator("#register")
        register.get_by_label("Username").fill("erin")
        register.get_by_label("Email", exact=True).fill("erin@example.com")
        register.get_by_label("Password").fill(PASSWORD)
        register.get_by_role("button", name="Create account").click()
        expect(page.locator("#register-done")).to_contain_text("Account erin created")
        screenshot(page, "walk-1-signed-up")

        confirm = page.locator("#confirm")
        sign_up_code = shown(page, "confirm-code-sent")
        assert sign_up_code == delivered(served, "erin")
        confirm.get_by_label("Username", exact=True).fill("erin")
        confirm.get_by_label("Confirmation code").fill(sign_up_code)
        confirm.get_by_role("button", name="Confirm", exact=True).click()
        expect(page.locator("#confirm-done")).to_contain_text("erin is confirmed")
        screenshot(page, "walk-2-confirmed")

        login = page.locator("#login")
        login.get_by_label("Username", exact=True).fill("erin")
        login.get_by_label("Password", exact=True).fill(PASSWORD)
        login.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.locator("#session-title")).to_have_text("Signed in as erin")

        page.get_by_role("button", name="Set up an authenticator app").click()
        secret = page.locator("#totp-qr code.secret").inner_text()
        code = totp(secret)
        page.get_by_label("Code from the app").fill(wrong(code))
        page.get_by_role("button", name="Turn on TOTP").click()
        expect(page.locator("#totp-code-error")).not_to_be_empty()
        screenshot(page, "walk-3-totp-wrong-code-refused")
        page.get_by_label("Code from the app").fill(code)
        page.get_by_role("button", name="Turn on TOTP").click()
        expect(page.locator("#totp-done")).to_contain_text("TOTP is on")
        screenshot(page, "walk-4-totp-on")

        page.get_by_role("button", name="Sign out", exact=True).click()
        expect(page.locator("#signout-title")).to_be_visible()
        screenshot(page, "walk-5-signed-out")

        reset = page.get_by_role("region", name="Forgot your password?")
        reset.get_by_label("Username").fill("erin")
        reset.get_by_role("button", name="Send me a reset code").click()
        reset_code = shown(page, "reset-code-sent")
        assert reset_code == delivered(served, "erin", other_than=sign_up_code)
        reset.get_by_label("Reset code").fill(wrong(reset_code))
        reset.get_by_label("New password").fill(NEW_PASSWORD)
        reset.get_by_role("button", name="Set the new password").click()
        expect(page.locator("#reset-code-error")).not_to_be_empty()
        screenshot(page, "walk-6-reset-wrong-code-refused")
        reset.get_by_label("Reset code").fill(reset_code)
        reset.get_by_role("button", name="Set the new password").click()
        expect(page.locator("#forgot-done")).to_have_text("The password of erin is reset: sign in with it.")

        page.goto(f"{served.url}/")
        login.get_by_label("Username", exact=True).fill("erin")
        login.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        login.get_by_role("button", name="Sign in", exact=True).click()
        # The next 30-second step's code: within Cognito's window, and not the one set-up used.
        page.get_by_label("Code from the authenticator app").fill(totp(secret, at=time.time() + 30))
        page.locator("#challenge").get_by_role("button", name="Continue").click()
        expect(page.locator("#session-title")).to_have_text("Signed in as erin")
        screenshot(page, "walk-7-signed-in-after-reset")
