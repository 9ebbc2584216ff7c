"""Issue 24's smaller holes and a newcomer's edges, through Flask's test client: sign-out by GET only ever shows
a confirmation page (managed login's and the proxied apps'), the sign-in form without `rd` lands on a page
that says who is signed in, and managed login started on another host moves to the callback's first."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from app import create_app
from tests.support.helpers import PASSWORD

DOMAIN = "https://example.auth.us-east-1.amazoncognito.com"  # logout only builds a URL to it: nothing is fetched
CALLBACK = "http://localhost/auth/oauth/callback"


@pytest.fixture
def browser(pool, users):
    users.tokens("alice")
    return create_app({**pool, "cognito_domain": DOMAIN, "oauth_redirect_uri": CALLBACK}).test_client()


def signed_in(browser) -> str:
    """A session for alice; its CSRF token."""
    answer = browser.post("/auth/session", json={"username": "alice", "password": PASSWORD})
    assert answer.status_code == 200
    return answer.json["csrf_token"]


def form_token(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]


def live(browser) -> bool:
    return browser.get("/auth/session").status_code == 200


def test_managed_logout_by_get_shows_a_page_and_signs_nothing_out(browser):
    csrf = signed_in(browser)
    for headers in ({}, {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}):
        page = browser.get("/auth/oauth/logout", headers=headers)
        assert page.status_code == 200 and "Location" not in page.headers
        assert "auth_session=;" not in " ".join(page.headers.getlist("Set-Cookie"))  # the cookie is not cleared
        text = page.get_data(as_text=True)
        assert 'method="post" action="/auth/oauth/logout"' in text and form_token(page) == csrf
        assert "Signed in as" in text and "alice" in text
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]  # its button cannot be clickjacked
        assert page.headers["Cache-Control"] == "no-store"
        assert live(browser)


@pytest.mark.parametrize(
    "sent, refusal",
    [
        ({}, (403, "csrf_failed")),
        ({"csrf_token": "guessed"}, (403, "csrf_failed")),
        ({"csrf_token": ""}, (400, "invalid_request")),
    ],
    ids=["none", "bad", "empty"],
)
def test_managed_logout_by_post_without_the_session_s_token_is_refused(browser, sent, refusal):
    signed_in(browser)
    refused = browser.post("/auth/oauth/logout", data=sent)
    assert (refused.status_code, refused.json["error"]) == refusal
    assert live(browser)


def test_managed_logout_by_post_with_the_session_s_token_signs_out(browser, pool):
    signed_in(browser)
    page = browser.get("/auth/oauth/logout")
    out = browser.post("/auth/oauth/logout", data={"csrf_token": form_token(page)})  # the page's own form
    assert out.status_code == 303 and out.headers["Cache-Control"] == "no-store"
    location = urlsplit(out.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{DOMAIN}/logout"
    assert parse_qs(location.query)["client_id"] == [pool["client_id"]]
    assert not live(browser)
    by_header = browser.post("/auth/oauth/logout", headers={"X-CSRF-Token": signed_in(browser)})  # the API's way
    assert by_header.status_code == 303 and not live(browser)


def test_managed_logout_with_no_session_goes_straight_to_cognito_s_logout(browser):
    for answer in (browser.get("/auth/oauth/logout"), browser.post("/auth/oauth/logout")):
        assert answer.status_code == 303 and answer.headers["Location"].startswith(f"{DOMAIN}/logout?")


def test_the_sign_in_form_without_rd_lands_on_the_signed_in_page(browser):
    form = browser.get("/auth/sign-in")
    assert "Signed in as" not in form.get_data(as_text=True)
    posted = browser.post(
        "/auth/session", data={"username": "alice", "password": PASSWORD, "csrf_token": form_token(form)}
    )
    assert posted.status_code == 303 and posted.headers["Location"] == "/auth/sign-in"
    page = browser.get("/auth/sign-in")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and re.search(r"Signed in as <strong[^>]*>alice</strong>", text)
    assert 'action="/auth/sign-out"' in text and 'name="password"' not in text
    assert form_token(page) == browser.get("/auth/session").json["csrf_token"]  # the session's own
    out = browser.post("/auth/sign-out", data={"csrf_token": form_token(page), "rd": "/auth/sign-in"})
    assert out.status_code == 303 and out.headers["Location"] == "/auth/sign-in"
    assert not live(browser)
    again = browser.get("/auth/sign-in").get_data(as_text=True)
    assert "Signed in as" not in again and 'name="password"' in again


def test_a_session_signed_out_elsewhere_is_not_shown_as_signed_in(browser, users):
    signed_in(browser)
    token = users.login("alice").json["access_token"]
    assert browser.post("/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    assert 'name="password"' in browser.get("/auth/sign-in").get_data(as_text=True)


def test_a_plain_sign_out_link_shows_the_confirmation_form(browser):
    csrf = signed_in(browser)
    page = browser.get("/auth/sign-out?rd=/bye")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and form_token(page) == csrf and 'name="rd" value="/bye"' in text
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert live(browser)  # the link alone signed nothing out
    unsafe = browser.get("/auth/sign-out?rd=https://evil.example/").get_data(as_text=True)
    assert "evil.example" not in unsafe  # an rd that is not allowed is not carried on
    out = browser.post("/auth/sign-out", data={"csrf_token": csrf, "rd": "/bye"})
    assert out.status_code == 303 and out.headers["Location"] == "/bye" and not live(browser)
    gone = browser.get("/auth/sign-out?rd=/bye")  # nothing to sign out of: straight back
    assert gone.status_code == 303 and gone.headers["Location"] == "/bye"


def test_a_proxy_s_static_sign_out_form_gets_the_confirmation_form(browser):
    csrf = signed_in(browser)
    for sent in ({"rd": "/"}, {"rd": "/", "csrf_token": ""}):  # a static page cannot know the token
        page = browser.post("/auth/sign-out", data=sent)
        assert page.status_code == 200 and form_token(page) == csrf and live(browser)
    cross = browser.post("/auth/sign-out", data={"rd": "/"}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403 and "csrf_token" not in cross.get_data(as_text=True)


def test_authorize_on_another_host_moves_to_the_callback_s_host_first(browser):
    query = "rd=%2Fafter&login_hint=alice"
    moved = browser.get(f"/auth/oauth/authorize?{query}", base_url="http://127.0.0.1:5000")
    assert moved.status_code == 302 and moved.headers["Location"] == f"http://localhost/auth/oauth/authorize?{query}"
    assert moved.headers.getlist("Set-Cookie") == []  # no binding cookie on the wrong host
    there = browser.get(f"/auth/oauth/authorize?{query}")  # on localhost, the callback's host
    assert there.status_code == 302 and there.headers["Location"].startswith(f"{DOMAIN}/oauth2/authorize?")
    assert any(cookie.startswith("auth_oauth=") for cookie in there.headers.getlist("Set-Cookie"))


def test_authorize_on_another_host_refuses_what_it_would_refuse_there(browser):
    for query in ("rd=https://evil.example/", "login_hint=a%0Ab"):
        refused = browser.get(f"/auth/oauth/authorize?{query}", base_url="http://127.0.0.1:5000")
        assert refused.status_code == 400 and "Location" not in refused.headers, query


def test_authorize_without_a_configured_callback_stays_on_the_request_s_host(pool):
    browser = create_app({**pool, "cognito_domain": DOMAIN}).test_client()
    answer = browser.get("/auth/oauth/authorize", base_url="http://127.0.0.1:5000")
    assert answer.status_code == 302 and answer.headers["Location"].startswith(f"{DOMAIN}/oauth2/authorize?")
    asked = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert asked["redirect_uri"] == ["http://127.0.0.1:5000/auth/oauth/callback"]
