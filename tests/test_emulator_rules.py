"""The app client's rules on the emulator, by boto3: ExplicitAuthFlows, SECRET_HASH, PreventUserExistenceErrors and
the wrong old password, each refused (and accepted) with Cognito's exception name and message.

Sources: botocore's cognito-idp model (ExplicitAuthFlowsListType, PreventUserExistenceErrors, SecretHash docs),
../shared/COGNITO.md (SECRET_HASH's formula), AWS's "Managing user existence error responses" page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from botocore.exceptions import ClientError

from cognito_emulator.pools import allow_flows, create_pool
from tests.support.helpers import PASSWORD


def refused(call, **params) -> tuple[str, str]:
    """The (code, message) Cognito's error answers for a call that must fail."""
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def user(emulator, pool, username: str = "alice", confirmed: bool = True) -> None:
    """A user with PASSWORD, confirmed by an administrator (no code needed)."""
    kwargs = (
        {"SecretHash": secret_hash(pool["client_secret"], username, pool["client_id"])}
        if "client_secret" in pool
        else {}
    )
    attributes = [{"Name": "email", "Value": f"{username}@example.com"}]
    emulator.client.sign_up(
        ClientId=pool["client_id"], Username=username, Password=PASSWORD, UserAttributes=attributes, **kwargs
    )
    if confirmed:
        emulator.client.admin_confirm_sign_up(UserPoolId=pool["user_pool_id"], Username=username)


def new_client(emulator, pool, **settings) -> str:
    made = emulator.client.create_user_pool_client(UserPoolId=pool["user_pool_id"], ClientName="other", **settings)
    return made["UserPoolClient"]["ClientId"]


def password_sign_in(emulator, client_id: str, username: str = "alice", password: str = PASSWORD, **more):
    parameters = {"USERNAME": username, "PASSWORD": password, **more}
    return emulator.client.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters)


def admin_sign_in(emulator, pool, client_id: str, username: str = "alice", password: str = PASSWORD):
    return emulator.client.admin_initiate_auth(
        UserPoolId=pool["user_pool_id"],
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


# ExplicitAuthFlows: a flow the client does not list is InvalidParameterException "<FLOW> flow not enabled for this
# client"; a client given no flows allows only ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH.
def test_user_password_auth_needs_its_flow(emulator, pool):
    user(emulator, pool)
    assert password_sign_in(emulator, pool["client_id"])["AuthenticationResult"]["AccessToken"]
    bare = new_client(emulator, pool)
    assert refused(password_sign_in, emulator=emulator, client_id=bare) == (
        "InvalidParameterException",
        "USER_PASSWORD_AUTH flow not enabled for this client",
    )
    srp_only = new_client(emulator, pool, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    assert refused(password_sign_in, emulator=emulator, client_id=srp_only)[0] == "InvalidParameterException"
    legacy = new_client(emulator, pool, ExplicitAuthFlows=["USER_PASSWORD_AUTH"])  # the legacy name allows it
    assert password_sign_in(emulator, legacy)["AuthenticationResult"]["AccessToken"]


def test_admin_flow_needs_its_flow_and_a_confirmed_user(emulator, pool):
    user(emulator, pool)
    user(emulator, pool, "bob", confirmed=False)
    code, message = refused(admin_sign_in, emulator=emulator, pool=pool, client_id=pool["client_id"])
    assert (code, message) == ("InvalidParameterException", "ADMIN_USER_PASSWORD_AUTH flow not enabled for this client")
    allow_flows(emulator.client, pool, "ALLOW_ADMIN_USER_PASSWORD_AUTH")
    assert admin_sign_in(emulator, pool, pool["client_id"])["AuthenticationResult"]["AccessToken"]
    # Cognito gives an unconfirmed user no tokens, and tells the wrong password apart from it without the username.
    unconfirmed = refused(admin_sign_in, emulator=emulator, pool=pool, client_id=pool["client_id"], username="bob")
    assert unconfirmed == ("UserNotConfirmedException", "User is not confirmed.")
    wrong = refused(admin_sign_in, emulator=emulator, pool=pool, client_id=pool["client_id"], password="Wr0ngPass!")
    assert wrong == ("NotAuthorizedException", "Incorrect username or password.")
    legacy = new_client(emulator, pool, ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH"])
    assert admin_sign_in(emulator, pool, legacy)["AuthenticationResult"]["AccessToken"]


def test_refresh_and_user_auth_need_their_flows(emulator, pool):
    user(emulator, pool)
    refresh_token = password_sign_in(emulator, pool["client_id"])["AuthenticationResult"]["RefreshToken"]
    no_refresh = new_client(emulator, pool, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    refresh = {"REFRESH_TOKEN": refresh_token}
    call = emulator.client.initiate_auth
    assert refused(call, ClientId=no_refresh, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh) == (
        "InvalidParameterException",
        "REFRESH_TOKEN_AUTH flow not enabled for this client",
    )
    user_auth = {"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD"}
    assert refused(call, ClientId=no_refresh, AuthFlow="USER_AUTH", AuthParameters=user_auth) == (
        "InvalidParameterException",
        "USER_AUTH flow not enabled for this client",
    )
    srp = {"USERNAME": "alice", "SRP_A": "ab" * 64}
    assert refused(call, ClientId=no_refresh, AuthFlow="USER_SRP_AUTH", AuthParameters=srp)[1] == (
        "USER_SRP_AUTH flow not enabled for this client"
    )
    custom = {"USERNAME": "alice"}
    assert refused(call, ClientId=no_refresh, AuthFlow="CUSTOM_AUTH", AuthParameters=custom)[1] == (
        "CUSTOM_AUTH flow not enabled for this client"
    )


# SECRET_HASH: a client with a secret needs it on every call naming a user (NotAuthorizedException "Client <id> is
# configured with secret but SECRET_HASH was not received" when missing, "Unable to verify secret hash for client
# <id>" when wrong).
@pytest.fixture
def secret_pool(emulator, pool):
    return create_pool(emulator.client, "secret", with_secret=True)


def test_sign_up_and_sign_in_need_the_secret_hash(emulator, secret_pool):
    ids = secret_pool
    good = secret_hash(ids["client_secret"], "alice", ids["client_id"])
    attributes = [{"Name": "email", "Value": "alice@example.com"}]
    sign_up = emulator.client.sign_up
    missing = refused(
        sign_up, ClientId=ids["client_id"], Username="alice", Password=PASSWORD, UserAttributes=attributes
    )
    assert missing == (
        "NotAuthorizedException",
        f"Client {ids['client_id']} is configured with secret but SECRET_HASH was not received",
    )
    wrong = refused(
        sign_up,
        ClientId=ids["client_id"],
        Username="alice",
        Password=PASSWORD,
        UserAttributes=attributes,
        SecretHash="x",
    )
    assert wrong == ("NotAuthorizedException", f"Unable to verify secret hash for client {ids['client_id']}")
    user(emulator, ids)
    assert refused(password_sign_in, emulator=emulator, client_id=ids["client_id"])[0] == "NotAuthorizedException"
    signed_in = password_sign_in(emulator, ids["client_id"], SECRET_HASH=good)["AuthenticationResult"]
    refresh = {"REFRESH_TOKEN": signed_in["RefreshToken"]}
    call = emulator.client.initiate_auth
    assert refused(call, ClientId=ids["client_id"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh)[1] == (
        f"Client {ids['client_id']} is configured with secret but SECRET_HASH was not received"
    )
    refreshed = call(
        ClientId=ids["client_id"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={**refresh, "SECRET_HASH": good}
    )
    assert refreshed["AuthenticationResult"]["AccessToken"]


@pytest.mark.parametrize(
    "operation", ["confirm_sign_up", "forgot_password", "confirm_forgot_password", "resend_confirmation_code"]
)
def test_confirmation_and_recovery_need_the_secret_hash(emulator, secret_pool, operation):
    user(emulator, secret_pool)
    params = {"ClientId": secret_pool["client_id"], "Username": "alice"}
    more = {
        "confirm_sign_up": {"ConfirmationCode": "123456"},
        "confirm_forgot_password": {"ConfirmationCode": "123456", "Password": PASSWORD},
    }.get(operation, {})
    call = getattr(emulator.client, operation)
    assert refused(call, **params, **more)[1].endswith("SECRET_HASH was not received")
    assert refused(call, **params, **more, SecretHash="bad") == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {secret_pool['client_id']}",
    )


def test_challenge_answers_need_the_secret_hash(emulator, secret_pool):
    emulator.client.admin_create_user(
        UserPoolId=secret_pool["user_pool_id"],
        Username="invited",
        TemporaryPassword="Temp0rary!",
        MessageAction="SUPPRESS",
    )
    good = secret_hash(secret_pool["client_secret"], "invited", secret_pool["client_id"])
    challenge = password_sign_in(emulator, secret_pool["client_id"], "invited", "Temp0rary!", SECRET_HASH=good)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    respond = emulator.client.respond_to_auth_challenge
    answer = {
        "ClientId": secret_pool["client_id"],
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": challenge["Session"],
    }
    responses = {"USERNAME": "invited", "NEW_PASSWORD": PASSWORD}
    assert refused(respond, **answer, ChallengeResponses=responses)[0] == "NotAuthorizedException"
    signed_in = respond(**answer, ChallengeResponses={**responses, "SECRET_HASH": good})
    assert signed_in["AuthenticationResult"]["AccessToken"]


# PreventUserExistenceErrors ENABLED (create_pool sets it): nobody's sign-in is the wrong password's error,
# their forgot/resend a made-up delivery, their confirmation a wrong code. LEGACY (the API's default): the truth.
def test_a_client_that_hides_users_answers_for_nobody_as_for_a_wrong_password(emulator, pool):
    assert refused(password_sign_in, emulator=emulator, client_id=pool["client_id"], username="nobody") == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    tells = new_client(emulator, pool, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    assert refused(password_sign_in, emulator=emulator, client_id=tells, username="nobody") == (
        "UserNotFoundException",
        "User does not exist.",
    )


def test_forgot_resend_and_confirm_for_nobody(emulator, pool):
    forgot = emulator.client.forgot_password(ClientId=pool["client_id"], Username="nobody")["CodeDeliveryDetails"]
    assert forgot["DeliveryMedium"] == "EMAIL" and forgot["Destination"].startswith("n***@")
    again = emulator.client.forgot_password(ClientId=pool["client_id"], Username="nobody")["CodeDeliveryDetails"]
    assert again == forgot  # the same made-up destination each time: nothing to compare
    resend = emulator.client.resend_confirmation_code(ClientId=pool["client_id"], Username="nobody")
    assert "9934" not in resend["CodeDeliveryDetails"]["Destination"]  # not moto's fixed phone number
    confirm = emulator.client.confirm_sign_up
    assert refused(confirm, ClientId=pool["client_id"], Username="nobody", ConfirmationCode="123456") == (
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )
    tells = new_client(emulator, pool)
    for call, more in (
        (emulator.client.forgot_password, {}),
        (confirm, {"ConfirmationCode": "123456"}),
        (emulator.client.confirm_forgot_password, {"ConfirmationCode": "123456", "Password": PASSWORD}),
    ):
        assert refused(call, ClientId=tells, Username="nobody", **more) == (
            "UserNotFoundException",
            "Username/client id combination not found.",
        )


def test_change_password_with_a_wrong_old_password(emulator, pool):
    """Cognito: NotAuthorizedException "Incorrect username or password." (moto's message was the username)."""
    user(emulator, pool)
    token = password_sign_in(emulator, pool["client_id"])["AuthenticationResult"]["AccessToken"]
    change = emulator.client.change_password
    assert refused(change, AccessToken=token, PreviousPassword="Wr0ngPass!", ProposedPassword="N3wPassword!") == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    change(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="N3wPassword!")
    assert password_sign_in(emulator, pool["client_id"], password="N3wPassword!")["AuthenticationResult"]
