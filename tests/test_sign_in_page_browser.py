"""A real browser at the plain sign-in form of a real server: posted without `rd` it lands on /auth/sign-in,
which says who is signed in and signs out by its button (no script); a plain sign-out link and the protected
app's static sign-out form (through deploy/nginx-forward-auth.conf) reach a confirmation form that signs out.
Screenshots in tests/artifacts/sign-in-page-*.png."""

from __future__ import annotations

import pytest

from tests.support.browser import chromium_page, screenshot
from tests.support.helpers import PASSWORD
from tests.support.servers import pool_env

pytestmark = [pytest.mark.browser, pytest.mark.subprocess]


@pytest.fixture
def server(emulator, pool, users, serve_gunicorn):
    users.tokens("alice")
    auth = serve_gunicorn(pool_env(pool), workers=1)
    yield auth
    output = auth.stop()
    assert "Traceback" not in output, output[-3000:]


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/auth/sign-in")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_the_form_without_rd_lands_on_the_signed_in_page_and_signs_out_by_its_button(server):
    with chromium_page() as page:
        sign_in(page, server.url)
        assert page.url == f"{server.url}/auth/sign-in"  # not raw JSON at /auth/session
        assert page.locator("#signed-in-as").text_content().startswith("Signed in as alice")
        assert page.get_by_role("button", name="Sign in").count() == 0
        assert page.evaluate("document.scripts.length") == 0  # nothing but a form
        screenshot(page, "sign-in-page-signed-in")
        assert page.request.get(f"{server.url}/auth/session").status == 200

        with page.expect_navigation():
            page.get_by_role("button", name="Sign out").click()
        assert page.url == f"{server.url}/auth/sign-in"
        assert page.get_by_role("button", name="Sign in").is_visible()
        assert page.locator("#signed-in-as").count() == 0
        assert "auth_session" not in {cookie["name"] for cookie in page.context.cookies()}
        assert page.request.get(f"{server.url}/auth/session").status == 401
        screenshot(page, "sign-in-page-signed-out")


def test_a_plain_sign_out_link_confirms_then_signs_out(server):
    with chromium_page() as page:
        sign_in(page, server.url)
        page.goto(f"{server.url}/auth/sign-out?rd=/auth/sign-in")
        assert page.locator("#signed-in-as").text_content().startswith("Signed in as alice")
        assert page.request.get(f"{server.url}/auth/session").status == 200  # the link alone signed nothing out
        with page.expect_navigation():
            page.get_by_role("button", name="Sign out").click()
        assert page.url == f"{server.url}/auth/sign-in"
        assert page.request.get(f"{server.url}/auth/session").status == 401


@pytest.mark.nginx
def test_the_protected_app_s_static_sign_out_form_works_through_the_proxy(behind_nginx):
    """The app's page cannot know the session's CSRF token: its form posts without one, and gets the
    confirmation form, which carries it."""
    stack = behind_nginx
    stack.tokens("alice")
    with chromium_page() as page:
        page.goto(f"{stack.url}/reports/7")
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        assert page.locator("#user").text_content() == "alice"
        with page.expect_navigation():
            page.get_by_role("button", name="Sign out").click()  # the app's own form: no token in it
        assert page.url == f"{stack.url}/auth/sign-out"
        assert page.locator("#signed-in-as").text_content().startswith("Signed in as alice")
        screenshot(page, "sign-in-page-confirm-sign-out")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign out").click()
        assert page.url.startswith(f"{stack.url}/auth/sign-in?rd=")  # back to "/", protected: the form again
        assert "auth_session" not in {cookie["name"] for cookie in page.context.cookies()}
