"""A real browser through deploy/nginx-forward-auth.conf: the protected page sends it to the sign-in form, the
form signs it in with the session cookie and back to the page, which names the user; signing out locks it out
again. Screenshots in tests/artifacts/forward-auth-*.png."""

from __future__ import annotations

import pytest

from tests.support.browser import chromium_page, screenshot
from tests.support.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.nginx, pytest.mark.subprocess]


def test_a_browser_signs_in_through_the_proxy_and_out_again(behind_nginx):
    stack = behind_nginx
    stack.tokens("alice")  # registered and confirmed through the proxy's /auth/
    protected = f"{stack.url}/reports/7?tab=2"
    with chromium_page() as page:
        page.goto(protected)
        assert page.url.startswith(f"{stack.url}/auth/sign-in?rd=")
        assert page.get_by_role("button", name="Sign in").is_visible()
        screenshot(page, "forward-auth-sign-in")

        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        assert page.url == protected
        assert page.locator("#user").text_content() == "alice"
        assert page.locator("#email").text_content() == "alice@example.com"
        screenshot(page, "forward-auth-signed-in")
        cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
        assert cookies["auth_session"]["httpOnly"] is True
        assert page.evaluate("document.cookie").find("auth_session") == -1  # out of the page's script's reach

        # The page has no script: the test fills its sign-out form's CSRF field from GET /auth/session (the
        # browser's own request, with its cookie), then the browser posts the form.
        session = page.request.get(f"{stack.url}/auth/session", headers={"Accept": "application/json"})
        assert session.status == 200, session.text()
        assert session.json()["username"] == "alice"
        page.eval_on_selector("#csrf_token", "(field, token) => { field.value = token; }", session.json()["csrf_token"])
        with page.expect_navigation():
            page.get_by_role("button", name="Sign out").click()
        # Back to "/", which is protected: the sign-in form again.
        assert page.url.startswith(f"{stack.url}/auth/sign-in?rd=")
        assert "auth_session" not in {cookie["name"] for cookie in page.context.cookies()}

        page.goto(protected)
        assert page.url.startswith(f"{stack.url}/auth/sign-in?rd=")
        assert page.get_by_role("button", name="Sign in").is_visible()
        screenshot(page, "forward-auth-signed-out")
    # The app saw the signed-in page load only, as alice; the others never reached it.
    assert [seen["path"] for seen in stack.upstream.requests] == ["/reports/7?tab=2"]
    assert stack.upstream.headers_seen("X-Auth-Request-User") == ["alice"]
