"""AuthService: every Cognito call the API makes, one class per stage of an account's life."""

from __future__ import annotations

from services.account import Account
from services.passkeys import Passkeys
from services.passwordless import Passwordless
from services.signin import CHALLENGE_ANSWER, SignIn
from services.signup import SignUp

__all__ = ["CHALLENGE_ANSWER", "AuthService"]


class AuthService(SignUp, SignIn, Passwordless, Account, Passkeys):
    """Sign-up, sign-in (password or choice-based) and the signed-in account and its passkeys, against one
    user pool app client."""
