"""The emulator's choice-based sign-in (InitiateAuth USER_AUTH) over HTTP: SELECT_CHALLENGE, email codes, the
password, and sign-up without a password, answered as Cognito answers them; tokens the server's verifier takes."""

from __future__ import annotations

import types

import pytest

import cognito_emulator.passwordless
from cognito_emulator import factors
from cognito_emulator.additions import _secret_hash
from cognito_emulator.pools import PASSWORD_POLICY
from tests.support.helpers import PASSWORD
from tests.support.userauth import Steps, refusal, signed_in

# The emulator serves in a thread of this process: an error it logs (an HTML 500) fails the test.
pytestmark = pytest.mark.usefixtures("no_emulator_errors")


def test_select_challenge_lists_the_factors_the_user_can_use(steps):
    steps.sign_up("alice")
    steps.sign_up("nopass", password=None)
    alice = steps.start("alice")
    assert alice["ChallengeName"] == "SELECT_CHALLENGE"
    assert alice["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]  # no passkey yet
    assert 20 <= len(alice["Session"]) <= 4096
    assert steps.start("nopass")["AvailableChallenges"] == ["EMAIL_OTP"]


def test_an_unverified_email_is_not_a_factor(steps, emulator, pool):
    attributes = [{"Name": "email", "Value": "carol@example.com"}, {"Name": "email_verified", "Value": "false"}]
    emulator.client.admin_create_user(UserPoolId=pool["user_pool_id"], Username="carol", UserAttributes=attributes)
    emulator.client.admin_set_user_password(
        UserPoolId=pool["user_pool_id"], Username="carol", Password=PASSWORD, Permanent=True
    )
    assert steps.start("carol")["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


def test_only_the_factors_the_pool_allows_are_offered(emulator, pool):
    emulator.client.update_user_pool(
        UserPoolId=pool["user_pool_id"],
        Policies={"PasswordPolicy": PASSWORD_POLICY, "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}},
        AutoVerifiedAttributes=["email"],
    )
    steps = Steps(emulator, pool)
    steps.sign_up("alice")
    assert steps.start("alice")["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    # A preference the pool does not allow falls back to the choice.
    assert steps.start("alice", "EMAIL_OTP")["ChallengeName"] == "SELECT_CHALLENGE"


def test_a_client_without_allow_user_auth_is_refused(emulator, pool):
    other = emulator.client.create_user_pool_client(
        UserPoolId=pool["user_pool_id"], ClientName="old", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]
    Steps(emulator, pool).sign_up("alice")
    code, _ = refusal(
        emulator.client.initiate_auth,
        ClientId=other["ClientId"],
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "alice"},
    )
    assert code == "InvalidParameterException"


def test_the_right_email_code_signs_in(steps, client):
    steps.sign_up("alice")
    chosen = steps.respond(steps.start("alice"), "alice", ANSWER="EMAIL_OTP")
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    assert chosen["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
        "CODE_DELIVERY_DESTINATION": "a***@e***",
    }
    signed_in(client, steps.respond(chosen, "alice", EMAIL_OTP_CODE=steps.email_code("alice")))


def test_a_preferred_email_code_is_sent_at_once_and_printed(steps, client, capsys):
    steps.sign_up("alice")
    started = steps.start("alice", "EMAIL_OTP")
    assert started["ChallengeName"] == "EMAIL_OTP"
    code = steps.email_code("alice")
    assert f"emulator: email code for alice: {code}" in capsys.readouterr().out
    signed_in(client, steps.respond(started, "alice", EMAIL_OTP_CODE=code))


def test_each_code_is_new(steps):
    steps.sign_up("alice")
    codes = set()
    for _ in range(5):
        steps.start("alice", "EMAIL_OTP")
        codes.add(steps.email_code("alice"))
    assert len(codes) >= 4  # six random digits: five alike by chance is one in 10**20


def test_two_wrong_codes_leave_the_session_usable(steps, client):
    steps.sign_up("alice")
    started = steps.start("alice", "EMAIL_OTP")
    wrong = "000000" if steps.email_code("alice") != "000000" else "111111"
    for _ in range(2):
        assert (
            refusal(steps.respond, previous=started, name="alice", EMAIL_OTP_CODE=wrong)[0] == "CodeMismatchException"
        )
    signed_in(client, steps.respond(started, "alice", EMAIL_OTP_CODE=steps.email_code("alice")))


def test_the_third_wrong_code_ends_the_session(steps):
    steps.sign_up("alice")
    started = steps.start("alice", "EMAIL_OTP")
    right = steps.email_code("alice")
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(factors.MAX_ATTEMPTS):
        assert (
            refusal(steps.respond, previous=started, name="alice", EMAIL_OTP_CODE=wrong)[0] == "CodeMismatchException"
        )
    assert refusal(steps.respond, previous=started, name="alice", EMAIL_OTP_CODE=right) == (
        "NotAuthorizedException",
        "Invalid session for the user.",
    )


def test_an_expired_session_is_refused(steps, monkeypatch):
    steps.sign_up("alice")
    started = steps.start("alice", "EMAIL_OTP")
    later = factors.time.time() + 60 * factors.DEFAULT_SESSION_MINUTES + 1
    monkeypatch.setattr(cognito_emulator.passwordless, "time", types.SimpleNamespace(time=lambda: later))
    code = steps.email_code("alice")
    assert refusal(steps.respond, previous=started, name="alice", EMAIL_OTP_CODE=code) == (
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    )


@pytest.mark.parametrize(
    "change",
    [
        {"name": "bob"},  # another user's name on alice's session
        {"challenge": "WEB_AUTHN"},  # another challenge than the session's
    ],
)
def test_a_session_answers_only_its_user_and_challenge(steps, change):
    steps.sign_up("alice")
    steps.sign_up("bob")
    started = steps.start("alice", "EMAIL_OTP")
    arguments = {"previous": started, "name": "alice", "EMAIL_OTP_CODE": steps.email_code("alice"), **change}
    assert refusal(steps.respond, **arguments)[0] in ("NotAuthorizedException", "InvalidParameterException")


def test_an_unknown_session_is_refused(steps):
    steps.sign_up("alice")
    forged = {"ChallengeName": "EMAIL_OTP", "Session": "x" * 40}
    assert refusal(steps.respond, previous=forged, name="alice", EMAIL_OTP_CODE="123456")[0] == "NotAuthorizedException"


def test_the_password_through_user_auth(steps, client):
    steps.sign_up("alice")
    signed_in(client, steps.start("alice", "PASSWORD", PASSWORD=PASSWORD))
    signed_in(client, steps.respond(steps.start("alice"), "alice", ANSWER="PASSWORD", PASSWORD=PASSWORD))
    asked = steps.respond(steps.start("alice"), "alice", ANSWER="PASSWORD")  # the choice first, the password next
    assert asked["ChallengeName"] == "PASSWORD"
    signed_in(client, steps.respond(asked, "alice", PASSWORD=PASSWORD))
    assert refusal(steps.start, name="alice", preferred="PASSWORD", PASSWORD="Wrong0ne!")[0] == "NotAuthorizedException"


def test_a_client_secret_needs_the_secret_hash(emulator, pool):
    secret = emulator.client.create_user_pool_client(
        UserPoolId=pool["user_pool_id"], ClientName="s", GenerateSecret=True, ExplicitAuthFlows=["ALLOW_USER_AUTH"]
    )["UserPoolClient"]
    steps = Steps(emulator, {"client_id": secret["ClientId"]})
    attributes = [{"Name": "email", "Value": "alice@example.com"}]
    emulator.client.admin_create_user(UserPoolId=pool["user_pool_id"], Username="alice", UserAttributes=attributes)
    emulator.client.admin_set_user_password(
        UserPoolId=pool["user_pool_id"], Username="alice", Password=PASSWORD, Permanent=True
    )
    assert refusal(steps.start, name="alice")[0] == "NotAuthorizedException"
    assert refusal(steps.start, name="alice", SECRET_HASH="d3Jvbmc=")[0] == "NotAuthorizedException"
    good = _secret_hash(secret["ClientSecret"], "alice", secret["ClientId"])
    started = steps.start("alice", SECRET_HASH=good)
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert refusal(steps.respond, previous=started, name="alice", ANSWER="EMAIL_OTP")[0] == "NotAuthorizedException"
    assert steps.respond(started, "alice", ANSWER="EMAIL_OTP", SECRET_HASH=good)["ChallengeName"] == "EMAIL_OTP"


def test_an_unknown_user_gets_a_choice_that_never_signs_in(steps):
    started = steps.start("nobody")  # the client hides which users exist (PreventUserExistenceErrors)
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    chosen = steps.respond(started, "nobody", ANSWER="EMAIL_OTP")
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    assert refusal(steps.respond, previous=chosen, name="nobody", EMAIL_OTP_CODE="123456")[0] == "CodeMismatchException"
    steps.sign_up("alice")
    shapes = [steps.start(name, "EMAIL_OTP") for name in ("nobody", "alice")]  # alike: nothing tells them apart
    assert [answer["ChallengeName"] for answer in shapes] == ["EMAIL_OTP", "EMAIL_OTP"]
    assert [answer["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] for answer in shapes] == [
        "n***@e***",
        "a***@e***",
    ]


def test_an_sms_code_where_the_pool_allows_it(emulator, pool, client):
    policies = {"PasswordPolicy": PASSWORD_POLICY, "SignInPolicy": {"AllowedFirstAuthFactors": ["SMS_OTP"]}}
    emulator.client.update_user_pool(UserPoolId=pool["user_pool_id"], Policies=policies)
    attributes = [
        {"Name": "email", "Value": "fay@example.com"},
        {"Name": "phone_number", "Value": "+15555550123"},
        {"Name": "phone_number_verified", "Value": "true"},
    ]
    emulator.client.admin_create_user(UserPoolId=pool["user_pool_id"], Username="fay", UserAttributes=attributes)
    emulator.client.admin_set_user_password(
        UserPoolId=pool["user_pool_id"], Username="fay", Password=PASSWORD, Permanent=True
    )
    steps = Steps(emulator, pool)
    started = steps.start("fay")
    assert started["AvailableChallenges"] == ["SMS_OTP"]
    chosen = steps.respond(started, "fay", ANSWER="SMS_OTP")
    assert chosen["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
        "CODE_DELIVERY_DESTINATION": "+*******0123",
    }
    assert refusal(steps.respond, previous=chosen, name="fay", SMS_OTP_CODE="12345")[0] == "CodeMismatchException"
    signed_in(client, steps.respond(chosen, "fay", SMS_OTP_CODE=emulator.last_code("fay", "SMS")))


def test_a_wrong_password_in_the_choice_counts_as_an_attempt(steps, client):
    steps.sign_up("alice")
    started = steps.start("alice")
    for _ in range(2):
        wrong = refusal(steps.respond, previous=started, name="alice", ANSWER="PASSWORD", PASSWORD="Wrong0ne!")
        assert wrong[0] == "NotAuthorizedException"
    signed_in(client, steps.respond(started, "alice", ANSWER="PASSWORD", PASSWORD=PASSWORD))
    assert (
        refusal(steps.respond, previous=started, name="alice", ANSWER="EMAIL_OTP")[1] == "Invalid session for the user."
    )
