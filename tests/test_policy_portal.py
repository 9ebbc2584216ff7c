"""The portal's side of a step-up (controllers/browser_session.py, services/policy/step_up.py): a live session
sees "signed in as" at /auth/sign-in, but the form itself with `prompt=login`, or with `max_age` shorter than the
time since its sign-in; the form then begins a new session and goes back to `rd`."""

from __future__ import annotations

import re
import time

import pytest

from tests.support.helpers import PASSWORD


@pytest.fixture
def signed_in(client, users):
    users.tokens("alice")
    answer = client.post("/auth/session", json={"username": "alice", "password": PASSWORD})
    assert answer.status_code == 200, answer.get_data()
    return client


def is_form(page) -> bool:
    return page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)


def test_a_live_session_sees_the_form_only_when_a_fresh_sign_in_is_asked(signed_in):
    client = signed_in
    assert not is_form(client.get("/auth/sign-in?rd=/app"))
    assert not is_form(client.get("/auth/sign-in?rd=/app&max_age=3600"))
    assert not is_form(client.get("/auth/sign-in?rd=/app&max_age=soon"))  # unreadable: as without it
    assert is_form(client.get("/auth/sign-in?rd=/app&prompt=login"))
    time.sleep(1.1)
    page = client.get("/auth/sign-in?max_age=0&rd=/app/page")
    assert is_form(page) and "needs a recent sign-in" in page.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert csrf
    form = {"csrf_token": csrf.group(1), "rd": "/app/page", "username": "alice", "password": PASSWORD}
    again = client.post("/auth/session", data=form)
    assert again.status_code == 303 and again.headers["Location"] == "/app/page"
    assert not is_form(client.get("/auth/sign-in?max_age=3600&rd=/app"))  # the new session: signed in now
