"""The signed-in user's profile through the API against the emulator: change attributes (standard, custom, email),
verify with the code the emulator sent, resend it, delete an attribute, and every refusal (never a 5xx)."""

from __future__ import annotations

import pytest

from app import create_app
from tests.support.helpers import PASSWORD, bearer


def _me(client, token: str) -> dict[str, str]:
    answer = client.get("/auth/me", headers=bearer(token))
    assert answer.status_code == 200, answer.json
    return answer.json["attributes"]


def _patch(client, token: str, attributes: dict[str, str]):
    return client.patch("/auth/me", json={"attributes": attributes}, headers=bearer(token))


def test_a_standard_and_a_custom_attribute_change_and_read_back(emulator, pool, client, users):
    emulator.client.add_custom_attributes(
        UserPoolId=pool["user_pool_id"], CustomAttributes=[{"Name": "team", "AttributeDataType": "String"}]
    )
    token = users.tokens("alice")["access_token"]
    answer = _patch(client, token, {"given_name": "Alice", "custom:team": "blue"})
    assert answer.status_code == 200, answer.json
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.json["code_deliveries"] == []
    assert {"given_name": "Alice", "custom:team": "blue"}.items() <= answer.json["attributes"].items()
    assert {"given_name": "Alice", "custom:team": "blue"}.items() <= _me(client, token).items()


def test_a_new_email_is_verified_with_the_code_sent_to_it(emulator, client, users):
    token = users.tokens("alice")["access_token"]
    answer = _patch(client, token, {"email": "alice.new@example.com"})
    assert answer.status_code == 200, answer.json
    assert answer.json["code_deliveries"] == [{"destination": "a***@e***", "medium": "EMAIL", "attribute": "email"}]
    # This pool changes the email at once, unverified (no "keep the original value until verified").
    assert (answer.json["attributes"]["email"], answer.json["attributes"]["email_verified"]) == (
        "alice.new@example.com",
        "false",
    )
    code = emulator.last_code("alice")
    wrong = client.post("/auth/me/verify", json={"attribute": "email", "code": "0" if code != "0" else "1"},
                        headers=bearer(token))  # fmt: skip
    assert wrong.status_code == 400 and wrong.json["error"] == "code_mismatch"
    right = client.post("/auth/me/verify", json={"attribute": "email", "code": code}, headers=bearer(token))
    assert right.status_code == 200, right.json
    assert right.json == {"attribute": "email", "verified": True}
    assert _me(client, token)["email_verified"] == "true"


def test_a_pool_that_keeps_the_old_email_changes_it_only_when_verified(emulator, pool, client, users):
    token = users.tokens("alice")["access_token"]
    emulator.client.update_user_pool(
        UserPoolId=pool["user_pool_id"],
        AutoVerifiedAttributes=["email"],
        UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]},
    )
    answer = _patch(client, token, {"email": "bob@example.org"})
    assert answer.status_code == 200, answer.json
    assert answer.json["code_deliveries"] == [{"destination": "b***@e***", "medium": "EMAIL", "attribute": "email"}]
    assert answer.json["attributes"]["email"] == "alice@example.com"  # until the code comes back
    first = emulator.last_code("alice")
    resent = client.post("/auth/me/verify/resend", json={"attribute": "email"}, headers=bearer(token))
    assert resent.status_code == 200, resent.json
    assert resent.json["code_delivery"] == {"destination": "b***@e***", "medium": "EMAIL", "attribute": "email"}
    code = emulator.last_code("alice")
    if code != first:  # the resent code replaced the first one
        stale = client.post("/auth/me/verify", json={"attribute": "email", "code": first}, headers=bearer(token))
        assert stale.status_code == 400 and stale.json["error"] == "code_mismatch"
    right = client.post("/auth/me/verify", json={"attribute": "email", "code": code}, headers=bearer(token))
    assert right.status_code == 200, right.json
    attributes = _me(client, token)
    assert (attributes["email"], attributes["email_verified"]) == ("bob@example.org", "true")


def test_an_attribute_is_deleted_but_not_a_required_or_foreign_one(client, users):
    token = users.tokens("alice")["access_token"]
    assert _patch(client, token, {"nickname": "Al"}).status_code == 200
    deleted = client.delete("/auth/me/attributes/nickname", headers=bearer(token))
    assert deleted.status_code == 204
    assert "nickname" not in _me(client, token)
    required = client.delete("/auth/me/attributes/email", headers=bearer(token))
    assert required.status_code == 400 and required.json["error"] == "invalid_parameter"
    assert "Required" in required.json["message"]
    for name in ("sub", "email_verified", "cognito:username", "custom:no%20such!"):
        refused = client.delete(f"/auth/me/attributes/{name}", headers=bearer(token))
        assert refused.status_code == 400 and refused.json["error"] == "invalid_request", name
    assert _me(client, token)["email"] == "alice@example.com"


def test_an_attribute_the_app_client_may_not_write_is_refused(emulator, pool, client, users):
    token = users.tokens("alice")["access_token"]
    cognito, ids = emulator.client, {"UserPoolId": pool["user_pool_id"], "ClientId": pool["client_id"]}
    current = cognito.describe_user_pool_client(**ids)["UserPoolClient"]
    cognito.update_user_pool_client(**ids, ExplicitAuthFlows=current["ExplicitAuthFlows"], WriteAttributes=["email"])
    refused = _patch(client, token, {"given_name": "Alice"})
    assert refused.status_code == 400 and refused.json["error"] == "attribute_not_writable"
    gone = client.delete("/auth/me/attributes/given_name", headers=bearer(token))
    assert gone.status_code == 400 and gone.json["error"] == "attribute_not_writable"
    assert "given_name" not in _me(client, token)


@pytest.mark.parametrize(
    ("attributes", "error"),
    [
        ({"sub": "x"}, "invalid_request"),
        ({"email_verified": "true"}, "invalid_request"),
        ({}, "invalid_request"),
        ({"given_name": ""}, "invalid_request"),
        ({"custom:nope": "x"}, "invalid_parameter"),  # Cognito's: the pool has no such attribute
        ({"email": "not an email"}, "invalid_request"),
    ],
)
def test_profile_changes_cognito_or_the_api_refuses(client, users, attributes, error):
    token = users.tokens("alice")["access_token"]
    refused = _patch(client, token, attributes)
    assert refused.status_code == 400, refused.json
    assert refused.json["error"] == error


def test_verify_and_resend_refuse_other_attributes_and_need_an_access_token(client, users):
    tokens = users.tokens("alice")
    access, id_token = tokens["access_token"], tokens["id_token"]
    for body in ({"attribute": "given_name", "code": "123456"}, {"attribute": "email"}, {"code": "123456"}):
        assert client.post("/auth/me/verify", json=body, headers=bearer(access)).status_code == 400
    assert client.post("/auth/me/verify/resend", json={"attribute": "name"}, headers=bearer(access)).status_code == 400
    phone = client.post("/auth/me/verify/resend", json={"attribute": "phone_number"}, headers=bearer(access))
    assert phone.status_code == 400 and phone.json["error"] == "invalid_parameter"  # she has no phone number
    assert _patch(client, id_token, {"given_name": "A"}).status_code == 401
    assert client.patch("/auth/me", json={"attributes": {"given_name": "A"}}).status_code == 401
    assert client.delete("/auth/me/attributes/nickname").status_code == 401


def test_wrong_verification_codes_count_as_guesses_at_the_user(emulator, pool, users):
    client = create_app({**pool, "rate_limit_login_username": "3/minute"}).test_client()
    users.client = client
    token = users.tokens("alice")["access_token"]
    assert _patch(client, token, {"email": "alice.new@example.com"}).status_code == 200
    code = emulator.last_code("alice")
    wrong = {"attribute": "email", "code": "0" if code != "0" else "1"}
    for _ in range(3):
        assert client.post("/auth/me/verify", json=wrong, headers=bearer(token)).json["error"] == "code_mismatch"
    right = client.post("/auth/me/verify", json={"attribute": "email", "code": code}, headers=bearer(token))
    assert right.status_code == 429
    assert users.login("alice").status_code == 429  # one bucket per user: the sign-in waits too


def test_a_change_by_session_cookie_needs_the_csrf_token(client, users):
    users.tokens("alice")
    session = client.post("/auth/session", json={"username": "alice", "password": PASSWORD})
    assert session.status_code == 200, session.json
    csrf = session.json["csrf_token"]
    change = {"attributes": {"given_name": "Alice"}}
    for method, path, body in (
        ("patch", "/auth/me", change),
        ("put", "/auth/mfa", {"enabled": []}),
        ("delete", "/auth/me/attributes/given_name", None),
    ):
        refused = getattr(client, method)(path, json=body)
        assert (refused.status_code, refused.json["error"]) == (403, "csrf_failed"), path
    changed = client.patch("/auth/me", json=change, headers={"X-CSRF-Token": csrf})
    assert changed.status_code == 200, changed.json
    assert client.get("/auth/mfa").json["enabled"] == []  # a read needs no token
