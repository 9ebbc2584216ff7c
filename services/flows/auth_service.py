"""AuthService: every Cognito call the API makes, one class per stage of an account's life."""

from __future__ import annotations

from services.flows.account_calls import Account
from services.flows.devices import DeviceCalls
from services.flows.passkey_calls import Passkeys
from services.flows.passwordless import Passwordless
from services.flows.profile_calls import Profile
from services.flows.sign_in import CHALLENGE_ANSWER, SignIn
from services.flows.sign_up import SignUp

__all__ = ["CHALLENGE_ANSWER", "AuthService"]


class AuthService(DeviceCalls, SignUp, SignIn, Passwordless, Account, Passkeys, Profile):
    """Sign-up, sign-in (password or choice-based) and the signed-in account and its passkeys, against one
    user pool app client; DeviceCalls first, as its sign_in_call names and proves a remembered device."""
