"""Email MFA (EMAIL_OTP as a second factor) as Cognito has it, taught to moto (which has none: it drops
EmailMfaConfiguration and EmailMfaSettings, and signs such a user in with the password alone).

- SetUserPoolMfaConfig takes EmailMfaConfiguration ({Message, Subject}); leaving it out turns email MFA off, as
  leaving out the others does. Cognito offers it only to pools that send email through Amazon SES
  (EmailConfiguration.EmailSendingAccount DEVELOPER), and never with MfaConfiguration OFF ("Invalid MFA
  configuration given, can't turn off MFA and configure an MFA together.", Cognito's message).
  GetUserPoolMfaConfig answers it back.
- SetUserMFAPreference / AdminSetUserMFAPreference take EmailMfaSettings {Enabled, PreferredMfa}: refused when the
  pool does not offer email MFA, and for a user with no email ("User does not have delivery config set to turn on
  EMAIL_OTP", the wording of Cognito's SMS refusal). GetUser / AdminGetUser list EMAIL_OTP in UserMFASettingList
  and PreferredMfaSetting.
- A password sign-in (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, SRP, a new password) of a user whose email MFA
  is on and preferred (or their only MFA factor) answers the EMAIL_OTP challenge, its code sent to the email
  (CODE_DELIVERY_DELIVERY_MEDIUM, CODE_DELIVERY_DESTINATION); RespondToAuthChallenge EMAIL_OTP with EMAIL_OTP_CODE
  is answered by passwordless.py's sessions (three wrong codes end one).
The wordings of the SES and pool-offers refusals are the emulator's. moto is imported inside `teach()` only.
"""

from __future__ import annotations

from typing import Any

from cognito_emulator import factors, passwordless
from cognito_emulator.webauthn_ops import error

EMAIL = "EMAIL_OTP"
OFF_WITH_FACTOR = "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
SKIPPED = {"SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP", "DEVICE_PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "MFA_SETUP"}


def _data(pool: Any) -> dict[str, Any]:
    return factors.extras(pool).setdefault("email_mfa", {"config": None, "users": {}})  # type: ignore[no-any-return]


def pool_config(pool: Any) -> dict[str, Any] | None:
    """The pool's EmailMfaConfiguration, or None when it does not offer email MFA."""
    return _data(pool)["config"]  # type: ignore[no-any-return]


def enabled(pool: Any, username: str) -> bool:
    """Whether the user turned email MFA on (and the pool still offers it)."""
    return pool_config(pool) is not None and bool(_data(pool)["users"].get(username))


def set_config(pool: Any, config: Any, mfa: Any) -> None:
    """Keep (or, with None, turn off) the pool's email MFA; Cognito's refusals first."""
    if config is None:
        _data(pool)["config"] = None
        return
    if mfa == "OFF":
        raise error("InvalidParameterException", OFF_WITH_FACTOR)
    sending = (pool.extended_config.get("EmailConfiguration") or {}).get("EmailSendingAccount")
    if sending != "DEVELOPER":
        raise error("InvalidParameterException", "Email MFA needs the pool to send email with Amazon SES (DEVELOPER).")
    _data(pool)["config"] = dict(config) if isinstance(config, dict) else {}


def set_preference(pool: Any, user: Any, settings: Any, before: str) -> None:
    """Apply EmailMfaSettings (None: keep email MFA as it was, and keep it preferred if it was)."""
    if not isinstance(settings, dict):
        if before == EMAIL and not user.preferred_mfa_setting:
            user.preferred_mfa_setting = EMAIL  # moto clears a preference it does not know when others change
        return
    if settings.get("Enabled") or settings.get("PreferredMfa"):
        if pool_config(pool) is None:
            raise error("InvalidParameterException", "Email MFA is not enabled for this user pool.")
        if not user.attribute_lookup.get("email"):
            raise error("InvalidParameterException", "User does not have delivery config set to turn on EMAIL_OTP")
    _data(pool)["users"][user.username] = bool(settings.get("Enabled"))
    if settings.get("PreferredMfa"):
        user.preferred_mfa_setting = EMAIL
    elif user.preferred_mfa_setting == EMAIL or (before == EMAIL and not user.preferred_mfa_setting):
        user.preferred_mfa_setting = ""


def _asks_email(pool: Any, user: Any) -> bool:
    if not enabled(pool, user.username):
        return False
    others = user.software_token_mfa_enabled or user.sms_mfa_enabled
    return user.preferred_mfa_setting == EMAIL or not others


def _email_challenge(backend: Any, result: Any, username: Any) -> Any:
    """Tokens for a user whose sign-in needs an email code: that challenge instead (the tokens dropped)."""
    tokens = result.get("AuthenticationResult") if isinstance(result, dict) else None
    if not tokens:
        return result
    for pool in backend.user_pools.values():
        if tokens.get("AccessToken") in pool.access_tokens:
            client_id, stored = pool.access_tokens[tokens["AccessToken"]]
            user = pool._get_user(stored)
            if user is None or not _asks_email(pool, user):
                return result
            pool.access_tokens.pop(tokens["AccessToken"], None)
            pool.id_tokens.pop(tokens.get("IdToken"), None)
            pool.refresh_tokens.pop(tokens.get("RefreshToken"), None)
            flow = passwordless.Flow(backend, pool, pool.clients[client_id])
            name = username if isinstance(username, str) and pool._get_user(username) is user else user.username
            return flow.start(user, name, EMAIL, {}, None)
    return result


def teach() -> None:
    """Patch email MFA into moto's pool MFA settings, preferences, GetUser and password sign-ins."""
    from moto.cognitoidp.models import CognitoIdpBackend
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult, EmptyResult

    set_pool, get_pool = CognitoIdpResponse.set_user_pool_mfa_config, CognitoIdpResponse.get_user_pool_mfa_config
    get_user, admin_get_user = CognitoIdpResponse.get_user, CognitoIdpResponse.admin_get_user
    initiate, admin_initiate = CognitoIdpBackend.initiate_auth, CognitoIdpBackend.admin_initiate_auth
    respond = CognitoIdpBackend.respond_to_auth_challenge

    def with_email(self: Any, answer: Any) -> Any:
        pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
        config = pool_config(pool)
        return ActionResult({**answer.result, **({"EmailMfaConfiguration": config} if config is not None else {})})

    def set_user_pool_mfa_config(self: Any) -> Any:
        pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
        email, mfa = self._get_param("EmailMfaConfiguration"), self._get_param("MfaConfiguration")
        others = self._get_param("SmsMfaConfiguration") or self._get_param("SoftwareTokenMfaConfiguration")
        set_config(pool, email, mfa)
        if email is not None and not others:  # moto asks for one of its two; email is the one here
            self.backend.set_user_pool_mfa_config(pool.id, None, None, mfa)
            return with_email(self, get_pool(self))
        return with_email(self, set_pool(self))

    def preference(self: Any, pool: Any, user: Any, call: Any) -> EmptyResult:
        before = user.preferred_mfa_setting or ""
        settings = self._get_param("EmailMfaSettings")
        if isinstance(settings, dict) and (settings.get("Enabled") or settings.get("PreferredMfa")):
            set_preference(pool, user, settings, before)  # refusals before anything changes
        call()
        set_preference(pool, user, settings, before)
        return EmptyResult()

    def set_user_mfa_preference(self: Any) -> EmptyResult:
        token = self._get_param("AccessToken")
        backend = self._get_region_agnostic_backend()
        user = backend.get_user(token)
        pool = next(
            p for p in backend._find_backend_by_access_token(token).user_pools.values() if token in p.access_tokens
        )
        return preference(self, pool, user, lambda: original_set(self))

    def admin_set_user_mfa_preference(self: Any) -> EmptyResult:
        pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
        user = self.backend.admin_get_user(pool.id, self._get_param("Username"))
        return preference(self, pool, user, lambda: original_admin_set(self))

    def listed(pool: Any, answer: Any) -> Any:
        result = dict(answer.result)
        if enabled(pool, result.get("Username", "")):
            result["UserMFASettingList"] = [*result.get("UserMFASettingList", []), EMAIL]
        return ActionResult(result)

    def get_user_with_email(self: Any) -> Any:
        token = self._get_param("AccessToken")
        answer = get_user(self)
        pools = self._get_region_agnostic_backend()._find_backend_by_access_token(token).user_pools.values()
        return listed(next(p for p in pools if token in p.access_tokens), answer)

    def admin_get_user_with_email(self: Any) -> Any:
        return listed(self.backend.describe_user_pool(self._get_param("UserPoolId")), admin_get_user(self))

    def initiate_auth(self: Any, client_id: str, flow: str, parameters: Any) -> Any:
        result = initiate(self, client_id, flow, parameters)
        if flow in ("REFRESH_TOKEN", "REFRESH_TOKEN_AUTH"):
            return result
        return _email_challenge(self, result, (parameters or {}).get("USERNAME"))

    def admin_initiate_auth(self: Any, pool_id: str, client_id: str, flow: str, parameters: Any) -> Any:
        result = admin_initiate(self, pool_id, client_id, flow, parameters)
        if flow in ("REFRESH_TOKEN", "REFRESH_TOKEN_AUTH"):
            return result
        return _email_challenge(self, result, (parameters or {}).get("USERNAME"))

    def respond_to_auth_challenge(self: Any, session: str, client_id: str, name: str, responses: Any) -> Any:
        result = respond(self, session, client_id, name, responses)
        if name in SKIPPED:
            return result
        return _email_challenge(self, result, (responses or {}).get("USERNAME"))

    original_set = CognitoIdpResponse.set_user_mfa_preference
    original_admin_set = CognitoIdpResponse.admin_set_user_mfa_preference
    CognitoIdpResponse.set_user_pool_mfa_config = set_user_pool_mfa_config
    CognitoIdpResponse.get_user_pool_mfa_config = lambda self: with_email(self, get_pool(self))
    CognitoIdpResponse.set_user_mfa_preference = set_user_mfa_preference
    CognitoIdpResponse.admin_set_user_mfa_preference = admin_set_user_mfa_preference
    CognitoIdpResponse.get_user = get_user_with_email
    CognitoIdpResponse.admin_get_user = admin_get_user_with_email
    CognitoIdpBackend.initiate_auth = initiate_auth
    CognitoIdpBackend.admin_initiate_auth = admin_initiate_auth
    CognitoIdpBackend.respond_to_auth_challenge = respond_to_auth_challenge
