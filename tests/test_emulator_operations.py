"""Operations moto lacks (an HTML 500 before) or answers short, answered as Cognito does, by boto3: DeleteUser,
DeleteUserAttributes, ListDevices and AdminListDevices of a pool without device tracking
(tests/test_emulator_devices*.py for one with it), DescribeUserPool's UserPoolTier, DescribeUserPoolDomain.

Sources: botocore's cognito-idp model (the shapes; UserPoolTier ESSENTIALS for new pools), AWS's DeleteUser page.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from cognito_emulator.pools import enable_oauth
from tests.support.helpers import PASSWORD


def refused(call, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def signed_in(emulator, pool, attributes: list | None = None) -> str:
    attributes = attributes or [{"Name": "email", "Value": "alice@example.com"}]
    emulator.client.sign_up(ClientId=pool["client_id"], Username="alice", Password=PASSWORD, UserAttributes=attributes)
    emulator.client.admin_confirm_sign_up(UserPoolId=pool["user_pool_id"], Username="alice")
    parameters = {"USERNAME": "alice", "PASSWORD": PASSWORD}
    answer = emulator.client.initiate_auth(
        ClientId=pool["client_id"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters
    )
    return answer["AuthenticationResult"]["AccessToken"]


def test_delete_user_removes_the_user_and_refuses_the_token(emulator, pool):
    token = signed_in(emulator, pool)
    emulator.client.delete_user(AccessToken=token)
    get = emulator.client.admin_get_user
    assert refused(get, UserPoolId=pool["user_pool_id"], Username="alice")[0] == "UserNotFoundException"
    assert refused(emulator.client.get_user, AccessToken=token) == (
        "NotAuthorizedException",
        "Access Token has been revoked",
    )
    assert refused(emulator.client.delete_user, AccessToken="not-a-token")[0] == "NotAuthorizedException"


def test_delete_user_attributes(emulator, pool):
    token = signed_in(emulator, pool, [{"Name": "email", "Value": "a@example.com"}, {"Name": "name", "Value": "Al"}])
    emulator.client.delete_user_attributes(AccessToken=token, UserAttributeNames=["name"])
    names = {a["Name"] for a in emulator.client.get_user(AccessToken=token)["UserAttributes"]}
    assert "name" not in names and "email" in names
    required = refused(emulator.client.delete_user_attributes, AccessToken=token, UserAttributeNames=["email"])
    assert required[0] == "InvalidParameterException"  # the pool's schema requires email


def test_a_pool_without_device_tracking_lists_no_devices(emulator, pool):
    token = signed_in(emulator, pool)
    assert emulator.client.list_devices(AccessToken=token)["Devices"] == []
    assert emulator.client.admin_list_devices(UserPoolId=pool["user_pool_id"], Username="alice")["Devices"] == []
    nobody = refused(emulator.client.admin_list_devices, UserPoolId=pool["user_pool_id"], Username="nobody")
    assert nobody[0] == "UserNotFoundException"


def test_describe_user_pool_has_a_tier(emulator, pool):
    described = emulator.client.describe_user_pool(UserPoolId=pool["user_pool_id"])["UserPool"]
    assert described["UserPoolTier"] == "ESSENTIALS"
    plus = emulator.client.create_user_pool(PoolName="plus", UserPoolTier="PLUS")["UserPool"]
    assert emulator.client.describe_user_pool(UserPoolId=plus["Id"])["UserPool"]["UserPoolTier"] == "PLUS"


def test_describe_user_pool_domain_describes_the_pools_domain(emulator, pool):
    enable_oauth(emulator.client, pool)
    domain = emulator.client.describe_user_pool(UserPoolId=pool["user_pool_id"])["UserPool"]["Domain"]
    described = emulator.client.describe_user_pool_domain(Domain=domain)["DomainDescription"]
    assert described["UserPoolId"] == pool["user_pool_id"] and described["Domain"] == domain
    assert described["Status"] == "ACTIVE" and described["CloudFrontDistribution"]
    assert described["AWSAccountId"].isdigit()
    enable_oauth(emulator.client, pool)  # idempotent: the same domain
    assert emulator.client.describe_user_pool(UserPoolId=pool["user_pool_id"])["UserPool"]["Domain"] == domain
    assert emulator.client.describe_user_pool_domain(Domain="nobodys")["DomainDescription"] == {}
