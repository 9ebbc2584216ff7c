"""What a signed-in user may change of their own record, and email MFA, as Cognito checks them (attribute_rules.py,
mfa_email.py): through boto3 against the running emulator."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

PASSWORD = "Correct-Horse-9"  # conftest.py's alice

SES = {"EmailSendingAccount": "DEVELOPER", "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com"}


def _signed_in(cognito_emulator, alice) -> str:
    alice()
    answer = cognito_emulator.client.initiate_auth(
        ClientId=cognito_emulator.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    return answer["AuthenticationResult"]["AccessToken"]


def _refused(call, code: str, **kwargs) -> str:
    with pytest.raises(ClientError) as refused:
        call(**kwargs)
    assert refused.value.response["Error"]["Code"] == code, refused.value.response["Error"]
    return refused.value.response["Error"]["Message"]


def _attributes(cognito, token: str) -> dict[str, str]:
    return {item["Name"]: item["Value"] for item in cognito.get_user(AccessToken=token)["UserAttributes"]}


def test_a_user_changes_standard_and_custom_attributes_but_not_sub_or_unknown_ones(cognito_emulator, alice):
    cognito, pool = cognito_emulator.client, cognito_emulator.user_pool_id
    cognito.add_custom_attributes(UserPoolId=pool, CustomAttributes=[{"Name": "team", "AttributeDataType": "String"}])
    token = _signed_in(cognito_emulator, alice)
    changes = [{"Name": "given_name", "Value": "Alice"}, {"Name": "custom:team", "Value": "blue"}]
    cognito.update_user_attributes(AccessToken=token, UserAttributes=changes)
    assert {"given_name": "Alice", "custom:team": "blue"}.items() <= _attributes(cognito, token).items()

    update = cognito.update_user_attributes
    message = _refused(
        update, "InvalidParameterException", AccessToken=token, UserAttributes=[{"Name": "custom:nope", "Value": "x"}]
    )
    assert "custom:nope: Attribute does not exist in the schema" in message
    _refused(update, "InvalidParameterException", AccessToken=token, UserAttributes=[{"Name": "sub", "Value": "x"}])
    verified = [{"Name": "email_verified", "Value": "true"}]
    _refused(update, "NotAuthorizedException", AccessToken=token, UserAttributes=verified)
    assert _attributes(cognito, token)["given_name"] == "Alice"  # a refused call changes nothing


def test_the_app_clients_write_attributes_limit_what_its_users_write_and_delete(cognito_emulator, alice):
    cognito, pool, client = cognito_emulator.client, cognito_emulator.user_pool_id, cognito_emulator.client_id
    current = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)["UserPoolClient"]
    cognito.update_user_pool_client(
        UserPoolId=pool, ClientId=client, ExplicitAuthFlows=current["ExplicitAuthFlows"], WriteAttributes=["email"]
    )
    token = _signed_in(cognito_emulator, alice)
    message = _refused(
        cognito.update_user_attributes, "NotAuthorizedException", AccessToken=token,
        UserAttributes=[{"Name": "given_name", "Value": "Alice"}],
    )  # fmt: skip
    assert message == "A client attempted to write unauthorized attribute"
    _refused(cognito.delete_user_attributes, "NotAuthorizedException", AccessToken=token, UserAttributeNames=["name"])


def test_delete_user_attributes_refuses_required_ones(cognito_emulator, alice):
    cognito = cognito_emulator.client
    token = _signed_in(cognito_emulator, alice)
    cognito.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "nickname", "Value": "Al"}])
    cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["nickname"])
    assert "nickname" not in _attributes(cognito, token)
    delete = cognito.delete_user_attributes
    assert "Required" in _refused(delete, "InvalidParameterException", AccessToken=token, UserAttributeNames=["email"])
    _refused(delete, "InvalidParameterException", AccessToken=token, UserAttributeNames=["sub"])
    _refused(delete, "NotAuthorizedException", AccessToken="not-a-token", UserAttributeNames=["nickname"])
    assert _attributes(cognito, token)["email"] == "alice@example.com"


def _offer_email_mfa(cognito, pool: str) -> None:
    cognito.update_user_pool(UserPoolId=pool, EmailConfiguration=SES, AutoVerifiedAttributes=["email"])
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Your code is {####}", "Subject": "Your code"},
        MfaConfiguration="OPTIONAL",
    )


def test_email_mfa_needs_ses_and_is_never_on_with_mfa_off(cognito_emulator):
    cognito, pool = cognito_emulator.client, cognito_emulator.user_pool_id
    email = {"Message": "Your code is {####}"}
    set_config = cognito.set_user_pool_mfa_config
    _refused(
        set_config,
        "InvalidParameterException",
        UserPoolId=pool,
        EmailMfaConfiguration=email,
        MfaConfiguration="OPTIONAL",
    )
    cognito.update_user_pool(UserPoolId=pool, EmailConfiguration=SES)
    message = _refused(
        set_config, "InvalidParameterException", UserPoolId=pool, EmailMfaConfiguration=email, MfaConfiguration="OFF"
    )
    assert "can't turn off MFA and configure an MFA together" in message
    set_config(UserPoolId=pool, EmailMfaConfiguration=email, MfaConfiguration="OPTIONAL")
    answer = cognito.get_user_pool_mfa_config(UserPoolId=pool)
    assert answer["EmailMfaConfiguration"] == email and answer["MfaConfiguration"] == "OPTIONAL"


def test_email_mfa_preferred_makes_the_password_sign_in_ask_an_emailed_code(cognito_emulator, alice):
    cognito, pool, client = cognito_emulator.client, cognito_emulator.user_pool_id, cognito_emulator.client_id
    token = _signed_in(cognito_emulator, alice)
    settings = {"Enabled": True, "PreferredMfa": True}
    message = _refused(
        cognito.set_user_mfa_preference, "InvalidParameterException", AccessToken=token, EmailMfaSettings=settings
    )
    assert "not enabled for this user pool" in message  # the pool does not offer it yet
    _offer_email_mfa(cognito, pool)
    cognito.set_user_mfa_preference(AccessToken=token, EmailMfaSettings=settings)
    user = cognito.get_user(AccessToken=token)
    assert (user["UserMFASettingList"], user["PreferredMfaSetting"]) == (["EMAIL_OTP"], "EMAIL_OTP")

    login = {"USERNAME": "alice", "PASSWORD": PASSWORD}
    challenge = cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=login)
    assert challenge["ChallengeName"] == "EMAIL_OTP" and "AuthenticationResult" not in challenge
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    code = cognito_emulator.last_code("alice")
    answer = {"ChallengeName": "EMAIL_OTP", "ClientId": client, "Session": challenge["Session"]}
    wrong = "000000" if code != "000000" else "111111"
    _refused(cognito.respond_to_auth_challenge, "CodeMismatchException", **answer,
             ChallengeResponses={"USERNAME": "alice", "EMAIL_OTP_CODE": wrong})  # fmt: skip
    tokens = cognito.respond_to_auth_challenge(
        **answer, ChallengeResponses={"USERNAME": "alice", "EMAIL_OTP_CODE": code}
    )
    assert tokens["AuthenticationResult"]["AccessToken"]

    cognito.set_user_mfa_preference(AccessToken=token, EmailMfaSettings={"Enabled": False, "PreferredMfa": False})
    assert cognito.get_user(AccessToken=token)["UserMFASettingList"] == []
    again = cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=login)
    assert "AuthenticationResult" in again
