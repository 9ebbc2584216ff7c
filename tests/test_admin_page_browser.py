"""The sign-in page's "Delete my account" (with its confirmation) and its admin view (issue 28), in headless
Chromium by labels, against `python server.py` (its embedded emulator) with ADMIN_GROUP set: an admin lists,
finds, disables, enables and signs out users; a user in no admin group never sees the view; each deletes their
own account, by token and by cookie, and the page comes back signed out."""

from __future__ import annotations

import boto3
import pytest
import requests
from playwright.sync_api import expect

from tests.support.browser import screenshot, watched_page
from tests.support.helpers import PASSWORD

GROUP = "admins"


@pytest.fixture
def served(serve):
    return serve({"ADMIN_GROUP": GROUP})


def emulator_of(served):
    config = requests.get(f"{served.url}/auth/config", timeout=5).json()
    keys = {"aws_access_key_id": "emulator", "aws_secret_access_key": "emulator"}  # any will do
    return boto3.client("cognito-idp", config["region"], endpoint_url=config["endpoint_url"], **keys), config


def make_users(served) -> tuple:
    cognito, config = emulator_of(served)
    pool = config["user_pool_id"]
    for name in ("root", "alice"):
        attributes = [{"Name": "email", "Value": f"{name}@example.com"}, {"Name": "email_verified", "Value": "true"}]
        cognito.admin_create_user(UserPoolId=pool, Username=name, UserAttributes=attributes, MessageAction="SUPPRESS")
        cognito.admin_set_user_password(UserPoolId=pool, Username=name, Password=PASSWORD, Permanent=True)
    cognito.create_group(UserPoolId=pool, GroupName=GROUP)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="root", GroupName=GROUP)
    return cognito, pool


def sign_in(page, username: str, cookie: bool = False) -> None:
    form = page.locator("#login")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Keep me signed in with a cookie (the tokens stay on the server)").set_checked(cookie)
    page.click("#login button[type=submit]")
    expect(page.locator("#session-title")).to_have_text(f"Signed in as {username}")


def gone(cognito, pool: str, username: str) -> bool:
    try:
        cognito.admin_get_user(UserPoolId=pool, Username=username)
    except cognito.exceptions.UserNotFoundException:
        return True
    return False


def delete_account(page) -> None:
    button = page.get_by_role("button", name="Delete my account")
    expect(button).to_be_disabled()  # until the confirmation is ticked
    page.get_by_label("Yes, delete my account for good").check()
    expect(button).to_be_enabled()
    button.click()
    expect(page.get_by_text("Your account was deleted.")).to_be_visible()
    expect(page.locator("#session-view")).to_be_hidden()


@pytest.mark.browser
@pytest.mark.subprocess
@pytest.mark.slow
def test_an_admin_manages_users_and_everyone_deletes_their_own_account(served):
    cognito, pool = make_users(served)
    with watched_page(served.url) as page:
        page.goto(f"{served.url}/")
        sign_in(page, "alice", cookie=True)
        expect(page.get_by_role("heading", name="Delete my account")).to_be_visible()
        expect(page.locator("#admin-section")).to_be_hidden()  # alice is in no admin group
        page.get_by_role("button", name="Sign out").click()
        expect(page.locator("#session-view")).to_be_hidden()

        sign_in(page, "root")  # by token: the page holds it, and the admin view is offered from its groups
        expect(page.locator("#tokens-section")).to_be_visible()
        expect(page.get_by_role("heading", name="Users (admin)")).to_be_visible()
        users = page.locator("#admin-users")
        expect(users).to_contain_text("alice <alice@example.com>: CONFIRMED, enabled")
        page.get_by_label("Disable alice").click()
        expect(page.locator("#admin-done")).to_have_text("Disable: done for alice.")
        expect(users).to_contain_text("alice <alice@example.com>: CONFIRMED, disabled")
        assert cognito.admin_get_user(UserPoolId=pool, Username="alice")["Enabled"] is False
        page.get_by_label("Enable alice").click()
        expect(users).to_contain_text("alice <alice@example.com>: CONFIRMED, enabled")
        page.get_by_label("Sign out alice").click()
        expect(page.locator("#admin-done")).to_have_text("Sign out: done for alice.")
        page.get_by_label('Filter, as Cognito\'s ListUsers takes it (e.g. email ^= "al")').fill('username = "root"')
        page.get_by_role("button", name="Find users").click()
        expect(users).to_have_text("root <root@example.com>: CONFIRMED, enabled DisableSign out")
        page.get_by_label('Filter, as Cognito\'s ListUsers takes it (e.g. email ^= "al")').fill("nonsense")
        page.get_by_role("button", name="Find users").click()
        expect(page.locator("#admin-filter-error")).to_contain_text("(400 invalid_request)")
        screenshot(page, "page-admin-view")

        delete_account(page)  # root, by token
        assert gone(cognito, pool, "root")
        sign_in(page, "alice", cookie=True)
        delete_account(page)  # alice, by cookie
        assert gone(cognito, pool, "alice")
        assert page.evaluate("fetch('auth/session').then(r => r.status)") == 401
        screenshot(page, "page-account-deleted")
