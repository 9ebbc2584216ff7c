"""Custom sign-in and token customisation by tests/support/trigger_sample.py: CUSTOM_AUTH's three-round custom
challenge (define / create / verify auth challenge), CUSTOM_WITH_SRP (the password by SRP first), the app
client's ALLOW_CUSTOM_AUTH, and pre token generation's V2_0 answer in tokens that aws-jwt-verify accepts."""

from __future__ import annotations

import json

import pytest

from cognito_emulator.oauth.minting import unverified_claims
from tests.support import trigger_sample
from tests.support.conformance import verify
from tests.support.helpers import PASSWORD
from tests.support.srp_client import SrpClient
from tests.support.triggers import make_pool, refusal, user


def start(emulator, ids, username="amy", **parameters):
    return emulator.client.initiate_auth(
        ClientId=ids["client_id"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username, **parameters}
    )


def answer(emulator, ids, challenge, text, username="amy"):
    return emulator.client.respond_to_auth_challenge(
        ClientId=ids["client_id"],
        ChallengeName="CUSTOM_CHALLENGE",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, "ANSWER": text},
    )


def three_rounds(emulator, ids, challenge, username="amy"):
    """Answer each question right; return the final answer and the questions asked."""
    asked = []
    while challenge.get("ChallengeName") == "CUSTOM_CHALLENGE":
        parameters = challenge["ChallengeParameters"]
        asked.append(parameters["question"])
        n = int(parameters["round"])
        challenge = answer(emulator, ids, challenge, str(n + n), username)
    return challenge, asked


def test_three_rounds_of_custom_challenge_sign_in(emulator, trigger_pool):
    """Each round: CUSTOM_CHALLENGE with the public parameters and USERNAME, a new Session; after the third right
    answer, tokens; PostAuthentication ran once."""
    user(emulator, trigger_pool, "amy")
    first = start(emulator, trigger_pool)
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert first["ChallengeParameters"] == {"question": "What is 1 + 1?", "round": "1", "USERNAME": "amy"}
    done, asked = three_rounds(emulator, trigger_pool, first)
    assert asked == ["What is 1 + 1?", "What is 2 + 2?", "What is 3 + 3?"]
    assert set(done["AuthenticationResult"]) >= {"IdToken", "AccessToken", "RefreshToken"}
    assert trigger_sample.SEEN == [("PostAuthentication_Authentication", "amy")]


def test_a_wrong_answer_fails_the_sign_in(emulator, trigger_pool):
    """failAuthentication: NotAuthorizedException "Incorrect username or password."; the session is gone."""
    user(emulator, trigger_pool, "amy")
    first = start(emulator, trigger_pool)
    second = answer(emulator, trigger_pool, first, "2")
    assert refusal(answer, emulator=emulator, ids=trigger_pool, challenge=second, text="5") == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    assert refusal(answer, emulator=emulator, ids=trigger_pool, challenge=second, text="4")[0] == (
        "NotAuthorizedException"
    )


def test_a_session_answers_once(emulator, trigger_pool):
    user(emulator, trigger_pool, "amy")
    first = start(emulator, trigger_pool)
    answer(emulator, trigger_pool, first, "2")
    code, message = refusal(answer, emulator=emulator, ids=trigger_pool, challenge=first, text="2")
    assert (code, message) == ("NotAuthorizedException", "Invalid session for the user.")


def test_custom_auth_needs_the_flow_on_the_client(emulator, trigger_pool):
    """A client without ALLOW_CUSTOM_AUTH: InvalidParameterException, as for any flow it does not allow."""
    other = emulator.client.create_user_pool_client(
        UserPoolId=trigger_pool["user_pool_id"], ClientName="no-custom", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"]
    )["UserPoolClient"]
    user(emulator, trigger_pool, "amy")
    code, message = refusal(start, emulator=emulator, ids={"client_id": other["ClientId"]})
    assert (code, message) == ("InvalidParameterException", "CUSTOM_AUTH flow not enabled for this client")


def test_custom_auth_needs_a_define_trigger(emulator, trigger_pool):
    emulator.set_triggers(trigger_pool["user_pool_id"], None)
    user(emulator, trigger_pool, "amy")
    code, _ = refusal(start, emulator=emulator, ids=trigger_pool)
    assert code == "InvalidParameterException"


def test_custom_auth_for_an_unknown_user(emulator, trigger_pool):
    code, _ = refusal(start, emulator=emulator, ids=trigger_pool, username="nobody")
    assert code == "UserNotFoundException"


def test_custom_with_srp_checks_the_password_first(emulator, trigger_pool):
    """CUSTOM_WITH_SRP: SRP_A with CHALLENGE_NAME SRP_A → PASSWORD_VERIFIER; the right proof → the three questions
    → tokens. A wrong password: NotAuthorizedException, no question asked."""
    user(emulator, trigger_pool, "amy")
    srp = SrpClient(trigger_pool["user_pool_id"])
    verifier = start(emulator, trigger_pool, SRP_A=srp.srp_a, CHALLENGE_NAME="SRP_A")
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    first = emulator.client.respond_to_auth_challenge(
        ClientId=trigger_pool["client_id"],
        ChallengeName="PASSWORD_VERIFIER",
        Session=verifier["Session"],
        ChallengeResponses=srp.responses(PASSWORD, verifier["ChallengeParameters"]),
    )
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    done, asked = three_rounds(emulator, trigger_pool, first)
    assert len(asked) == 3 and "AuthenticationResult" in done

    srp = SrpClient(trigger_pool["user_pool_id"])
    verifier = start(emulator, trigger_pool, SRP_A=srp.srp_a, CHALLENGE_NAME="SRP_A")
    code, message = refusal(
        emulator.client.respond_to_auth_challenge,
        ClientId=trigger_pool["client_id"],
        ChallengeName="PASSWORD_VERIFIER",
        Session=verifier["Session"],
        ChallengeResponses=srp.responses("Wr0ngPassword", verifier["ChallengeParameters"]),
    )
    assert (code, message) == ("NotAuthorizedException", "Incorrect username or password.")


def test_plain_srp_is_unchanged_beside_custom_auth(emulator, trigger_pool):
    """USER_SRP_AUTH on the same pool still ends in tokens after the password (no custom challenge)."""
    user(emulator, trigger_pool, "amy")
    srp = SrpClient(trigger_pool["user_pool_id"])
    verifier = emulator.client.initiate_auth(
        ClientId=trigger_pool["client_id"],
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": "amy", "SRP_A": srp.srp_a},
    )
    done = emulator.client.respond_to_auth_challenge(
        ClientId=trigger_pool["client_id"],
        ChallengeName="PASSWORD_VERIFIER",
        Session=verifier["Session"],
        ChallengeResponses=srp.responses(PASSWORD, verifier["ChallengeParameters"]),
    )
    assert "AuthenticationResult" in done


def test_pre_token_generation_v2_shapes_both_tokens(emulator, trigger_pool):
    """The access token: the tenant claim, the orders/read scope beside Cognito's, the groups with beta-testers;
    the ID token: the plan claim and the same groups. A refresh runs it again (TokenGeneration_RefreshTokens)."""
    user(emulator, trigger_pool, "amy", groups=("admins",))
    result = emulator.client.initiate_auth(
        ClientId=trigger_pool["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "amy", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    access, id_claims = unverified_claims(result["AccessToken"]), unverified_claims(result["IdToken"])
    assert access["tenant"] == "acme" and "tenant" not in id_claims
    assert access["scope"].split() == ["aws.cognito.signin.user.admin", "orders/read"]
    assert access["cognito:groups"] == id_claims["cognito:groups"] == ["admins", "beta-testers"]
    assert id_claims["plan"] == "gold" and "plan" not in access
    refreshed = emulator.client.initiate_auth(
        ClientId=trigger_pool["client_id"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
    )["AuthenticationResult"]
    assert unverified_claims(refreshed["AccessToken"])["tenant"] == "acme"
    # The customised access token is the pool's: GetUser takes it.
    assert emulator.client.get_user(AccessToken=result["AccessToken"])["Username"] == "amy"


def test_pre_token_generation_v1_changes_the_id_token_only(emulator, trigger_pool):
    emulator.client.update_user_pool(
        UserPoolId=trigger_pool["user_pool_id"],
        AutoVerifiedAttributes=["email"],
        LambdaConfig={
            "PreTokenGenerationConfig": {"LambdaVersion": "V1_0", "LambdaArn": "arn:aws:lambda:us-east-1:1:function:x"}
        },
    )

    def pre_token_generation(event, context):
        assert event["version"] == "1" and "scopes" not in event["request"]
        event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"tier": "silver"}}
        return event

    import types

    emulator.set_triggers(
        trigger_pool["user_pool_id"], types.SimpleNamespace(pre_token_generation=pre_token_generation)
    )
    user(emulator, trigger_pool, "amy")
    result = emulator.client.initiate_auth(
        ClientId=trigger_pool["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "amy", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    assert unverified_claims(result["IdToken"])["tier"] == "silver"
    assert "tier" not in unverified_claims(result["AccessToken"])


def test_a_failing_pre_token_trigger_refuses_the_sign_in(emulator, trigger_pool):
    import types

    def pre_token_generation(event, context):
        raise ValueError("no tokens today")

    emulator.set_triggers(
        trigger_pool["user_pool_id"], types.SimpleNamespace(pre_token_generation=pre_token_generation)
    )
    user(emulator, trigger_pool, "amy")
    code, message = refusal(
        emulator.client.initiate_auth,
        ClientId=trigger_pool["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "amy", "PASSWORD": PASSWORD},
    )
    assert (code, message) == ("UserLambdaValidationException", "PreTokenGeneration failed with error no tokens today.")


@pytest.mark.node
@pytest.mark.subprocess
def test_aws_jwt_verify_accepts_the_customised_tokens(emulator, trigger_pool):
    """aws-jwt-verify (tests/amplify) verifies both customised tokens from the emulator's JWKS, and its payloads carry
    the trigger's claim, scope and group."""
    user(emulator, trigger_pool, "amy", groups=("admins",))
    first = start(emulator, trigger_pool)
    done, _ = three_rounds(emulator, trigger_pool, first)
    result = done["AuthenticationResult"]
    tokens = [(result["IdToken"], "id"), (result["AccessToken"], "access")]
    verdicts = verify(emulator, trigger_pool["user_pool_id"], [trigger_pool["client_id"]], tokens)["verdicts"]
    assert [v["accepted"] for v in verdicts] == [True, True], json.dumps(verdicts)[:2000]
    id_payload, access_payload = verdicts[0]["payload"], verdicts[1]["payload"]
    assert access_payload["tenant"] == "acme" and "orders/read" in access_payload["scope"].split()
    assert id_payload["cognito:groups"] == ["admins", "beta-testers"] and id_payload["plan"] == "gold"
    # The other way round is refused: the check can fail.
    swapped = verify(
        emulator, trigger_pool["user_pool_id"], [trigger_pool["client_id"]], [(result["IdToken"], "access")]
    )
    assert swapped["verdicts"][0]["accepted"] is False


def test_a_second_pool_without_triggers_is_untouched(emulator, trigger_pool):
    other = make_pool(emulator.client, "plain")
    emulator.client.sign_up(
        ClientId=other["client_id"],
        Username="zed",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "zed@blocked.example"}],
    )
    assert emulator.client.admin_get_user(UserPoolId=other["user_pool_id"], Username="zed")["UserStatus"] == (
        "UNCONFIRMED"
    )


def test_a_client_that_hides_users_runs_the_challenge_for_nobody_and_never_signs_in(emulator, trigger_pool):
    """PreventUserExistenceErrors: an unknown user gets questions like anyone (userNotFound true in the events),
    and the right answers end in "Incorrect username or password.", never in tokens."""
    hiding = emulator.client.create_user_pool_client(
        UserPoolId=trigger_pool["user_pool_id"],
        ClientName="hiding",
        ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]
    ids = {"client_id": hiding["ClientId"]}
    challenge = start(emulator, ids, username="nobody")
    assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    for _ in range(2):
        n = int(challenge["ChallengeParameters"]["round"])
        challenge = answer(emulator, ids, challenge, str(n + n), "nobody")
    assert refusal(answer, emulator=emulator, ids=ids, challenge=challenge, text="6", username="nobody") == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )


def test_admin_custom_auth(emulator, trigger_pool):
    """AdminInitiateAuth CUSTOM_AUTH and AdminRespondToAuthChallenge run the same loop (moto refuses the flow)."""
    user(emulator, trigger_pool, "amy")
    ids = {"UserPoolId": trigger_pool["user_pool_id"], "ClientId": trigger_pool["client_id"]}
    challenge = emulator.client.admin_initiate_auth(**ids, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "amy"})
    while challenge.get("ChallengeName") == "CUSTOM_CHALLENGE":
        n = int(challenge["ChallengeParameters"]["round"])
        challenge = emulator.client.admin_respond_to_auth_challenge(
            **ids,
            ChallengeName="CUSTOM_CHALLENGE",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "amy", "ANSWER": str(n + n)},
        )
    assert "AccessToken" in challenge["AuthenticationResult"]
