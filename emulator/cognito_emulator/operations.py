"""Operations moto 5.2.5 lacks or answers short of Cognito, taught to moto: DeleteUser, DeleteUserAttributes,
DescribeUserPool's UserPoolTier, and
DescribeUserPoolDomain's full DomainDescription. Without them moto answers an HTML 500 (or a bare `{}`).

Shapes from botocore's cognito-idp model; UserPoolTier's default is ESSENTIALS (CreateUserPool's documentation:
new pools are Essentials unless told otherwise).
"""

from __future__ import annotations

from typing import Any

from cognito_emulator import tokens
from cognito_emulator.client_checks import access_token_user
from cognito_emulator.webauthn_ops import error

DEFAULT_TIER = "ESSENTIALS"


def _signed_in(response: Any) -> tuple[Any, Any]:
    """The pool and user of the request's access token (client_checks.py has refused a bad one already)."""
    token = response._get_param("AccessToken")
    backend = response._get_region_agnostic_backend()._find_backend_by_access_token(token)
    found = access_token_user(backend, token)
    if found is None:
        raise error("NotAuthorizedException", "Invalid Access Token")
    return found[0], found[1]


def _forget(pool: Any, user: Any) -> None:
    """Remove a user and every token of theirs (their families revoked), as AdminDeleteUser should."""
    tokens.revoke_user(pool, user.username)
    pool.sign_out(user.username)
    for issued in (pool.access_tokens, pool.id_tokens):
        for token in [token for token, (_, owner) in issued.items() if owner == user.username]:
            del issued[token]
    for group in user.groups:
        group.users.discard(user)
    pool.users.pop(user.username, None)


def description(domain: Any, pool: Any) -> dict[str, Any]:
    """A DomainDescription as Cognito answers it for a prefix or custom domain."""
    answer: dict[str, Any] = {
        "UserPoolId": domain.user_pool_id,
        "AWSAccountId": pool.account_id if pool is not None else "",
        "Domain": domain.domain,
        "CloudFrontDistribution": domain._distribution_name(),
        "Version": "1",
        "Status": "ACTIVE",
        "ManagedLoginVersion": 1,
    }
    if domain.custom_domain_config:
        answer["CustomDomainConfig"] = domain.custom_domain_config
    return answer


def teach() -> None:
    """Patch the operations into moto's Cognito responses (once per process)."""
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult, EmptyResult

    if getattr(CognitoIdpResponse, "delete_user", None) is not None:
        return
    describe_user_pool = CognitoIdpResponse.describe_user_pool

    def delete_user(self: Any) -> EmptyResult:
        pool, user = _signed_in(self)
        _forget(pool, user)
        return EmptyResult()

    def delete_user_attributes(self: Any) -> EmptyResult:
        pool, user = _signed_in(self)
        names = self._get_param("UserAttributeNames")
        if not isinstance(names, list) or not names:
            raise error("InvalidParameterException", "UserAttributeNames is required.")
        required = [n for n, a in pool.schema_attributes.items() if getattr(a, "required", False) and n in names]
        if required:
            raise error("InvalidParameterException", f"Cannot delete required attribute: {required[0]}")
        user.delete_attributes(names)  # moto's: InvalidParameterException for an attribute the user has not
        return EmptyResult()

    def describe_user_pool_with_tier(self: Any) -> ActionResult:
        answer = describe_user_pool(self)
        answer.result["UserPool"].setdefault("UserPoolTier", DEFAULT_TIER)
        return answer  # type: ignore[no-any-return]

    def describe_user_pool_domain(self: Any) -> ActionResult:
        domain = self.backend.describe_user_pool_domain(self._get_param("Domain"))
        if domain is None:
            return ActionResult({"DomainDescription": {}})  # Cognito's answer for a domain nobody has
        pool = self.backend.user_pools.get(domain.user_pool_id)
        return ActionResult({"DomainDescription": description(domain, pool)})

    CognitoIdpResponse.delete_user = delete_user
    CognitoIdpResponse.delete_user_attributes = delete_user_attributes
    CognitoIdpResponse.describe_user_pool = describe_user_pool_with_tier
    CognitoIdpResponse.describe_user_pool_domain = describe_user_pool_domain
