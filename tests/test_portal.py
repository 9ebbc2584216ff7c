"""The sign-in portal at /auth/sign-in, without a browser (Flask's test client posting its forms against the
emulator): every factor and step, `rd` kept to the end, each form's own CSRF token, replays refused, "forgot
password", sign-up, and the branding. tests/test_portal_browser.py takes the same paths in Chromium."""

from __future__ import annotations

import pytest

from app import create_app
from tests.support.helpers import PASSWORD, bearer, next_totp, totp
from tests.support.portal import form, post

RD = "/reports/7?tab=2"


@pytest.fixture
def app(pool):
    factors = "password,email_code,passkey"
    return create_app({**pool, "portal_factors": tuple(factors.split(",")), "rate_limit_login_username": "30/minute"})


def first_page(client, rd: str = RD):
    page = client.get("/auth/sign-in", query_string={"rd": rd})
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    return page.get_data(as_text=True)


def signed_in_to(response, rd: str = RD) -> None:
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    assert response.headers["Location"] == rd


def totp_user(client, users, name: str = "tina") -> str:
    access = users.tokens(name)["access_token"]
    secret = client.post("/auth/mfa/totp/setup", headers=bearer(access)).json["secret"]
    assert client.post("/auth/mfa/totp/verify", json={"code": totp(secret)}, headers=bearer(access)).status_code == 200
    return secret


def test_a_password_user_signs_in_and_lands_on_rd(client, users):
    users.tokens("alice")
    page = first_page(client)
    signed_in_to(post(client, page, "/auth/session", username="alice", password=PASSWORD))
    assert "Signed in as" in client.get("/auth/sign-in").get_data(as_text=True)


def test_a_totp_user_is_asked_for_the_code_and_a_wrong_one_is_refused(client, users):
    secret = totp_user(client, users)
    step = post(client, first_page(client), "/auth/session", username="tina", password=PASSWORD)
    assert step.status_code == 200
    html = step.get_data(as_text=True)
    assert "Code from your authenticator app" in html and form(html, "/auth/sign-in/step")["rd"] == RD
    wrong = post(client, html, "/auth/sign-in/step", code="000000" if next_totp(secret) != "000000" else "111111")
    assert wrong.status_code == 400 and "code" in wrong.get_data(as_text=True).lower()
    again = wrong.get_data(as_text=True)  # the same step again, under a new id and token
    signed_in_to(post(client, again, "/auth/sign-in/step", code=next_totp(secret)))


def test_a_step_answers_once_and_only_its_own_form(client, users):
    secret = totp_user(client, users)
    html = post(client, first_page(client), "/auth/session", username="tina", password=PASSWORD).get_data(as_text=True)
    fields = form(html, "/auth/sign-in/step")
    forged = client.post("/auth/sign-in/step", data={**fields, "csrf_token": "x" * 43, "code": next_totp(secret)})
    assert forged.status_code == 403  # not the page's token: and the step is spent
    replay = client.post("/auth/sign-in/step", data={**fields, "code": next_totp(secret)})
    assert replay.status_code == 400 and "already used" in replay.get_data(as_text=True)

    html = post(client, first_page(client), "/auth/session", username="tina", password=PASSWORD).get_data(as_text=True)
    fields = form(html, "/auth/sign-in/step")
    signed_in_to(client.post("/auth/sign-in/step", data={**fields, "code": next_totp(secret)}))
    replay = client.post("/auth/sign-in/step", data={**fields, "code": next_totp(secret)})
    assert replay.status_code in (400, 403)  # the step is gone, and so is the page's token
    assert "auth_session" in {cookie.key for cookie in client._cookies.values()}


def test_another_browser_cannot_answer_a_step(app, client, users):
    secret = totp_user(client, users)
    html = post(client, first_page(client), "/auth/session", username="tina", password=PASSWORD).get_data(as_text=True)
    other = app.test_client()
    first_page(other)  # its own page token, not this one's
    stolen = other.post("/auth/sign-in/step", data={**form(html, "/auth/sign-in/step"), "code": next_totp(secret)})
    assert stolen.status_code == 403


def test_an_email_code_user_signs_in_without_a_password(client, users, emulator):
    users.tokens("erin")
    page = first_page(client)
    fields = form(page, "/auth/session", index=1)
    step = client.post("/auth/session", data={**fields, "username": "erin", "preferred": "EMAIL_OTP"})
    html = step.get_data(as_text=True)
    assert step.status_code == 200 and "Enter the code we emailed you" in html
    signed_in_to(post(client, html, "/auth/sign-in/step", code=emulator.last_code("erin")))


def test_a_new_password_is_asked_for_then_signed_in(client, emulator, pool):
    emulator.client.admin_create_user(
        UserPoolId=pool["user_pool_id"],
        Username="nina",
        TemporaryPassword="Temp0rary!",
        UserAttributes=[{"Name": "email", "Value": "nina@example.com"}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    html = post(client, first_page(client), "/auth/session", username="nina", password="Temp0rary!").get_data(
        as_text=True
    )
    assert "Choose a new password" in html
    weak = post(client, html, "/auth/sign-in/step", new_password="short")
    assert weak.status_code == 400 and "Choose a new password" in weak.get_data(as_text=True)
    signed_in_to(post(client, weak.get_data(as_text=True), "/auth/sign-in/step", new_password="N3w-Passw0rd!"))


def test_mfa_set_up_at_sign_in_shows_the_key_and_takes_the_app_s_code(client, emulator, pool):
    """An invited user where MFA is required: a new password, then the authenticator app set up, then in."""
    emulator.client.set_user_pool_mfa_config(
        UserPoolId=pool["user_pool_id"], SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    emulator.client.admin_create_user(
        UserPoolId=pool["user_pool_id"], Username="mo", TemporaryPassword="Temp0rary!", MessageAction="SUPPRESS"
    )
    html = post(client, first_page(client), "/auth/session", username="mo", password="Temp0rary!").get_data(
        as_text=True
    )
    html = post(client, html, "/auth/sign-in/step", new_password=PASSWORD).get_data(as_text=True)
    assert "Set up your authenticator app" in html
    secret = html.split('id="totp-secret">')[1].split("<")[0]
    wrong = post(client, html, "/auth/sign-in/step", code="000000" if totp(secret) != "000000" else "111111")
    assert wrong.status_code == 400 and "Set up your authenticator app" in wrong.get_data(as_text=True)
    signed_in_to(post(client, wrong.get_data(as_text=True), "/auth/sign-in/step", code=next_totp(secret)))


def test_forgot_password_resets_with_the_code_then_signs_in(client, users, emulator):
    users.tokens("fred")
    page = client.get("/auth/sign-in/forgot", query_string={"rd": RD}).get_data(as_text=True)
    sent = post(client, page, "/auth/sign-in/forgot/code", username="fred")
    assert sent.status_code == 200
    html = sent.get_data(as_text=True)
    wrong = post(client, html, "/auth/sign-in/reset", code="000000", new_password="N3w-Passw0rd!")
    assert wrong.status_code == 400
    done = post(client, wrong.get_data(as_text=True), "/auth/sign-in/reset", code=emulator.last_code("fred"),
                new_password="N3w-Passw0rd!")  # fmt: skip
    assert done.status_code == 200 and "Your password is changed" in done.get_data(as_text=True)
    signed_in_to(post(client, done.get_data(as_text=True), "/auth/session", password="N3w-Passw0rd!"))


def test_sign_up_is_off_unless_enabled(client):
    assert client.get("/auth/sign-in/sign-up").status_code == 404
    assert "Create an account" not in first_page(client)


def test_sign_up_registers_confirms_then_signs_in(pool, emulator):
    client = create_app({**pool, "sign_up_enabled": True}).test_client()
    assert "Create an account" in first_page(client)
    page = client.get("/auth/sign-in/sign-up", query_string={"rd": RD}).get_data(as_text=True)
    asked = post(client, page, "/auth/sign-in/register", email="sam@example.com", username="sam", password=PASSWORD)
    assert asked.status_code == 200, asked.get_data(as_text=True)[:1500]
    html = asked.get_data(as_text=True)
    done = post(client, html, "/auth/sign-in/confirm", code=emulator.last_code("sam"))
    assert "Your account is confirmed" in done.get_data(as_text=True)
    signed_in_to(post(client, done.get_data(as_text=True), "/auth/session", password=PASSWORD))


def test_the_portal_carries_its_title_and_logo(pool, tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    client = create_app({**pool, "portal_title": "Acme staff", "portal_logo": str(logo)}).test_client()
    html = first_page(client)
    assert "<title>Acme staff</title>" in html and 'src="/auth/sign-in/logo"' in html
    served = client.get("/auth/sign-in/logo")
    assert served.status_code == 200 and served.mimetype == "image/svg+xml"
    assert "<svg" in served.get_data(as_text=True)


def test_no_logo_is_a_404(client):
    assert client.get("/auth/sign-in/logo").status_code == 404
    assert 'src="/auth/sign-in/logo"' not in first_page(client)
