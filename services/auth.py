"""AuthService: every Cognito call the API makes, one class per stage of an account's life."""

from __future__ import annotations

from services.account import Account
from services.signin import CHALLENGE_ANSWER, SignIn
from services.signup import SignUp

__all__ = ["CHALLENGE_ANSWER", "AuthService"]


class AuthService(SignUp, SignIn, Account):
    """Sign-up, sign-in and the signed-in account against one user pool app client."""
