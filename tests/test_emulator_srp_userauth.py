"""PASSWORD_SRP under the choice-based sign-in (InitiateAuth USER_AUTH), over HTTP against the emulator: offered
beside PASSWORD, chosen by PREFERRED_CHALLENGE or as SELECT_CHALLENGE's ANSWER (each with SRP_A), then
PASSWORD_VERIFIER checked for real. Sources: the ChallengeResponseType API reference ("Available challenges are
PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, and WEB_AUTHN"; `"ANSWER": "PASSWORD_SRP", "USERNAME": ..., "SRP_A": ...`),
InitiateAuthResponse.ChallengeName ("PASSWORD_SRP: Respond with the initial SRP secret as SRP_A"), and
../shared/PROTOCOLS-2.md section 1 for PASSWORD_VERIFIER.
"""

from __future__ import annotations

import pytest

from cognito_emulator.pools import PASSWORD_POLICY
from tests.support.helpers import PASSWORD
from tests.support.srp_client import SrpClient
from tests.support.srp_steps import WRONG, add_user
from tests.support.userauth import Steps, refusal

# The emulator serves in a thread of this process: an error it logs (an HTML 500) fails the test.
pytestmark = pytest.mark.usefixtures("no_emulator_errors")


def verifier_answer(steps: Steps, client: SrpClient, challenge: dict, password: str = PASSWORD) -> dict:
    """RespondToAuthChallenge PASSWORD_VERIFIER on the challenge's session, as Amplify answers it."""
    responses = client.responses(password, challenge["ChallengeParameters"])
    return steps.respond(challenge, responses.pop("USERNAME"), **responses)


def test_password_srp_is_offered_beside_password(steps, srp_alice):
    """Wherever the password is a factor, PASSWORD_SRP is too; a user with no password gets neither."""
    assert steps.start("alice")["AvailableChallenges"][:2] == ["PASSWORD", "PASSWORD_SRP"]
    steps.sign_up("nopass", password=None)
    assert "PASSWORD_SRP" not in steps.start("nopass")["AvailableChallenges"]


def test_preferred_password_srp_with_the_right_password_signs_in(steps, pool, srp_alice):
    """PREFERRED_CHALLENGE PASSWORD_SRP with SRP_A: PASSWORD_VERIFIER at once, then tokens."""
    client = SrpClient(pool["user_pool_id"])
    started = steps.start("alice", "PASSWORD_SRP", SRP_A=client.srp_a)
    assert started["ChallengeName"] == "PASSWORD_VERIFIER" and started["Session"]
    assert started["ChallengeParameters"]["USER_ID_FOR_SRP"] == "alice"
    assert "AuthenticationResult" in verifier_answer(steps, client, started)


def test_preferred_password_srp_with_a_wrong_password_is_refused(steps, pool, srp_alice):
    """A wrong password under USER_AUTH: NotAuthorizedException, as in USER_SRP_AUTH; the challenge is then used up."""
    client = SrpClient(pool["user_pool_id"])
    started = steps.start("alice", "PASSWORD_SRP", SRP_A=client.srp_a)
    assert refusal(verifier_answer, steps=steps, client=client, challenge=started, password="Wr0ngPass!") == WRONG
    assert refusal(verifier_answer, steps=steps, client=client, challenge=started) == WRONG


def test_select_challenge_answered_password_srp(steps, pool, srp_alice):
    """SELECT_CHALLENGE → ANSWER PASSWORD_SRP with SRP_A → PASSWORD_VERIFIER → tokens; the wrong password refused."""
    for password, signs_in in (("Wr0ngPass!", False), (PASSWORD, True)):
        client = SrpClient(pool["user_pool_id"])
        chosen = steps.respond(steps.start("alice"), "alice", ANSWER="PASSWORD_SRP", SRP_A=client.srp_a)
        assert chosen["ChallengeName"] == "PASSWORD_VERIFIER"
        if signs_in:
            assert "AuthenticationResult" in verifier_answer(steps, client, chosen, password)
        else:
            assert refusal(verifier_answer, steps=steps, client=client, challenge=chosen, password=password) == WRONG


def test_password_srp_without_srp_a_is_refused(steps, srp_alice):
    """SRP_A is required with PASSWORD_SRP."""
    code, message = refusal(steps.respond, previous=steps.start("alice"), name="alice", ANSWER="PASSWORD_SRP")
    assert (code, message) == ("InvalidParameterException", "Missing required parameter SRP_A")


def test_password_srp_is_not_offered_where_the_password_is_not_a_factor(emulator, pool):
    """A pool whose AllowedFirstAuthFactors leave out PASSWORD offers no PASSWORD_SRP, and refuses it as an answer."""
    emulator.client.update_user_pool(
        UserPoolId=pool["user_pool_id"],
        Policies={"PasswordPolicy": PASSWORD_POLICY, "SignInPolicy": {"AllowedFirstAuthFactors": ["EMAIL_OTP"]}},
        AutoVerifiedAttributes=["email"],
    )
    add_user(emulator, pool["user_pool_id"], "alice")
    steps = Steps(emulator, pool)
    started = steps.start("alice")
    assert started["AvailableChallenges"] == ["EMAIL_OTP"]
    client = SrpClient(pool["user_pool_id"])
    code, _ = refusal(steps.respond, previous=started, name="alice", ANSWER="PASSWORD_SRP", SRP_A=client.srp_a)
    assert code == "InvalidParameterException"
