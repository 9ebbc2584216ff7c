"""Browser sessions: a cookie instead of tokens, its attributes, no fixation, CSRF on every change it makes,
and the plain sign-in and sign-out forms of proxied apps."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import pytest

from app import create_app
from tests.support.helpers import PASSWORD, bearer

COOKIE = "auth_session"


def cookie_attributes(response, name: str = COOKIE) -> dict[str, str]:
    """The attributes of the Set-Cookie header for `name` (lower-case keys; flags map to "")."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            parts = [part.strip() for part in header.split(";")]
            attributes = {"value": parts[0].partition("=")[2]}
            attributes.update({key.lower(): value for key, _, value in (part.partition("=") for part in parts[1:])})
            return attributes
    raise AssertionError(f"no {name} cookie set: {response.headers.getlist('Set-Cookie')}")


@pytest.fixture
def alice(users):
    users.tokens("alice")
    return users


def sign_in(client, username: str = "alice", **extra):
    return client.post("/auth/session", json={"username": username, "password": PASSWORD}, **extra)


def test_a_session_answers_no_tokens_and_sets_a_safe_cookie(client, alice):
    response = sign_in(client)
    assert response.status_code == 200
    assert set(response.json) == {"username", "expires_at", "csrf_token"}
    assert "token" not in response.get_data(as_text=True).replace("csrf_token", "")
    cookie = cookie_attributes(response)
    assert {"httponly", "path", "samesite"} <= set(cookie) and cookie["path"] == "/" and cookie["samesite"] == "Lax"
    assert "secure" not in cookie  # plain HTTP on loopback (the test client is "localhost")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", cookie["value"])  # 256 random bits
    assert response.headers["Cache-Control"] == "no-store"


def test_the_cookie_is_secure_anywhere_but_plain_http_on_loopback(pool, users):
    users.tokens("alice")
    for base in ("https://auth.example.com", "http://auth.example.com", "https://localhost"):
        client = create_app(pool).test_client()
        page = client.get("/auth/sign-in", base_url=base)  # the form (once signed in, the page has none)
        assert "secure" in cookie_attributes(page, "__Host-auth_sign_in"), base
        # Secure, and named __Host-: the browser takes it only from this host, over HTTPS, for Path=/.
        cookie = cookie_attributes(sign_in(client, base_url=base), "__Host-auth_session")
        assert "secure" in cookie and cookie["path"] == "/", base
        assert client.get("/auth/session", base_url=base).status_code == 200, base
        client.set_cookie("auth_session", "planted-by-a-sibling-0123456789abcdefghijk", domain="auth.example.com")
        assert client.get("/auth/session", base_url=base).status_code == 200  # the plain name is not read


def test_every_sign_in_gets_a_new_id_and_a_planted_one_is_never_adopted(client, alice):
    client.set_cookie(COOKIE, "chosen-by-an-attacker-0123456789abcdefghijklmnop", domain="localhost")
    first = cookie_attributes(sign_in(client))["value"]
    second = cookie_attributes(sign_in(client))["value"]
    assert len({first, second, "chosen-by-an-attacker-0123456789abcdefghijklmnop"}) == 3
    client.set_cookie(COOKIE, "chosen-by-an-attacker-0123456789abcdefghijklmnop", domain="localhost")
    assert client.get("/auth/session").status_code == 401


def test_the_cookie_works_where_a_bearer_token_does(client, alice):
    csrf = sign_in(client).json["csrf_token"]
    me = client.get("/auth/session")
    assert me.status_code == 200 and me.json["username"] == "alice" and me.json["email"] == "alice@example.com"
    assert me.json["csrf_token"] == csrf and me.json["groups"] == []
    assert client.get("/hello").json["username"] == "alice"
    assert client.get("/auth/me").json["username"] == "alice"
    check = client.get("/auth/check")
    assert check.status_code == 200 and check.headers["X-Auth-Request-User"] == "alice"


def test_a_change_by_cookie_needs_the_csrf_token_and_our_origin(client, alice):
    csrf = sign_in(client).json["csrf_token"]
    change = {"old_password": PASSWORD, "new_password": "N3wPassword!"}
    for headers in ({}, {"X-CSRF-Token": "wrong"}, {"X-CSRF-Token": csrf, "Origin": "https://evil.example"}):
        refused = client.post("/auth/change-password", json=change, headers=headers)
        assert (refused.status_code, refused.json["error"]) == (403, "csrf_failed"), headers
    # A cross-origin HTML form: no header, a form body, the attacker's origin.
    form = client.post("/auth/change-password", data=change, headers={"Origin": "https://evil.example"})
    assert (form.status_code, form.json["error"]) == (403, "csrf_failed")
    changed = client.post("/auth/change-password", json=change, headers={"X-CSRF-Token": csrf})
    assert changed.status_code == 200
    csrf = changed.json["csrf_token"]  # the session moved to a new id and CSRF token with the change
    # A form of our own may carry the token as a field.
    back = {"old_password": "N3wPassword!", "new_password": PASSWORD, "csrf_token": csrf}
    assert client.post("/auth/change-password", data=back, headers={"Origin": "http://localhost"}).status_code == 200


def test_bearer_requests_need_no_csrf_token(client, alice):
    token = alice.login("alice").json["access_token"]
    change = {"old_password": PASSWORD, "new_password": "N3wPassword!"}
    response = client.post(
        "/auth/change-password", json=change, headers={**bearer(token), "Origin": "https://x.example"}
    )
    assert response.status_code == 200


def test_sign_out_of_a_session_ends_it_everywhere(client, alice):
    csrf = sign_in(client).json["csrf_token"]
    assert client.delete("/auth/session").status_code == 403  # no CSRF token
    ended = client.delete("/auth/session", headers={"X-CSRF-Token": csrf})
    assert ended.status_code == 204
    assert cookie_attributes(ended)["value"] == "" or "max-age" in cookie_attributes(ended)
    for path in ("/hello", "/auth/session", "/auth/check"):
        assert client.get(path).status_code == 401, path


def test_the_sign_in_form_needs_no_script_and_sends_the_browser_back(pool, alice):
    client = create_app({**pool, "session_redirect_hosts": ("app.example",)}).test_client()
    page = client.get("/auth/sign-in?rd=https://app.example/reports?q=1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "<script" not in html and 'action="/auth/session"' in html
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)[1]
    form = {"username": "alice", "password": PASSWORD, "csrf_token": token, "rd": "https://app.example/reports?q=1"}
    signed_in = client.post("/auth/session", data=form)
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "https://app.example/reports?q=1"
    assert cookie_attributes(signed_in)["value"]
    assert client.get("/auth/session").json["username"] == "alice"


@pytest.mark.parametrize("rd", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"])
def test_the_sign_in_form_never_sends_the_browser_elsewhere(client, alice, rd):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/auth/sign-in").get_data(as_text=True))[1]
    form = {"username": "alice", "password": PASSWORD, "csrf_token": token, "rd": rd}
    answer = client.post("/auth/session", data=form)
    assert answer.status_code == 303 and answer.headers["Location"] == "/"


def test_the_sign_in_form_refuses_a_post_without_its_own_token(client, alice):
    """Login CSRF: another site cannot sign the browser in to an account of its choosing."""
    form = {"username": "alice", "password": PASSWORD, "csrf_token": "guessed"}
    refused = client.post("/auth/session", data=form)
    assert refused.status_code == 403 and "expired" in refused.get_data(as_text=True)
    assert COOKIE not in " ".join(refused.headers.getlist("Set-Cookie"))
    cross = client.post(
        "/auth/session", json={"username": "alice", "password": PASSWORD}, headers={"Origin": "https://evil.example"}
    )
    assert (cross.status_code, cross.json["error"]) == (403, "csrf_failed")


def test_a_wrong_password_on_the_form_shows_the_error_in_the_page(client, alice):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/auth/sign-in").get_data(as_text=True))[1]
    answer = client.post("/auth/session", data={"username": "alice", "password": "Wr0ng!pass", "csrf_token": token})
    assert answer.status_code == 401 and "Incorrect username or password." in answer.get_data(as_text=True)


def test_the_sign_out_form_signs_out_and_sends_the_browser_back(client, alice):
    csrf = sign_in(client).json["csrf_token"]
    # Without the session's token: nothing signed out; a form gets the confirmation page, JSON a 403.
    assert client.post("/auth/sign-out", json={"rd": "/bye"}).status_code == 403
    confirm = client.post("/auth/sign-out", data={"rd": "/bye", "csrf_token": "guessed"})
    assert confirm.status_code == 200 and f'name="csrf_token" value="{csrf}"' in confirm.get_data(as_text=True)
    assert client.get("/auth/session").status_code == 200
    out = client.post("/auth/sign-out", data={"rd": "/bye", "csrf_token": csrf})
    assert out.status_code == 303 and out.headers["Location"] == "/bye"
    assert client.get("/auth/session").status_code == 401
    again = client.post("/auth/sign-out", data={"rd": "https://evil.example/"})  # no session: only back home
    assert again.status_code == 303 and again.headers["Location"] == "/"


def test_a_challenge_signs_in_to_a_session_too(client, emulator, pool):
    emulator.client.admin_create_user(
        UserPoolId=pool["user_pool_id"], Username="carol", TemporaryPassword="Temp0rary!", MessageAction="SUPPRESS"
    )
    first = client.post("/auth/session", json={"username": "carol", "password": "Temp0rary!"})
    assert first.status_code == 200 and first.json["challenge"] == "NEW_PASSWORD_REQUIRED"
    assert COOKIE not in " ".join(first.headers.getlist("Set-Cookie"))
    answer = {"username": "carol", "challenge": "NEW_PASSWORD_REQUIRED", "session": first.json["session"]}
    done = client.post("/auth/session/challenge", json={**answer, "new_password": PASSWORD})
    assert done.status_code == 200 and set(done.json) == {"username", "expires_at", "csrf_token"}
    assert client.get("/hello").json["username"] == "carol"


def test_the_cookie_parses_as_one_cookie(client, alice):
    parsed = SimpleCookie()
    parsed.load(sign_in(client).headers.getlist("Set-Cookie")[0])
    assert list(parsed) == [COOKIE]


def test_logout_by_cookie_ends_the_session_too(client, alice):
    csrf = sign_in(client).json["csrf_token"]
    assert client.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/auth/session").status_code == 401


def test_a_lone_surrogate_as_csrf_token_is_refused_not_a_500(client, alice):
    sign_in(client)
    body = b'{"csrf_token": "\\ud800"}'
    answer = client.post("/auth/logout", data=body, content_type="application/json")
    assert (answer.status_code, answer.json["error"]) == (403, "csrf_failed")


def test_a_new_sign_in_ends_the_browsers_previous_session(client, alice):
    first = cookie_attributes(sign_in(client))["value"]
    sign_in(client)
    other = create_app_client_with_cookie(client, first)
    assert other.get("/auth/session").status_code == 401


def test_a_session_signed_out_elsewhere_is_over_and_its_forms_still_work(client, alice):
    csrf = sign_in(client).json["csrf_token"]
    tokens = alice.login("alice").json
    assert client.post("/auth/logout", headers=bearer(tokens["access_token"])).status_code == 204  # elsewhere
    assert client.get("/hello").status_code == 401
    out = client.post("/auth/sign-out", data={"rd": "/bye", "csrf_token": csrf})
    assert out.status_code == 303 and out.headers["Location"] == "/bye"


def create_app_client_with_cookie(client, value: str):
    """A second browser of the same app holding an old session id."""
    other = client.application.test_client()
    other.set_cookie(COOKIE, value, domain="localhost")
    return other
