"""Choice-based sign-in (Cognito's USER_AUTH flow): the first factor chosen among a password, a one-time code by
email or text message, and a passkey; and the sign-in that follows a confirmed (passwordless) sign-up.

The challenges that follow (SELECT_CHALLENGE, EMAIL_OTP, SMS_OTP, WEB_AUTHN, PASSWORD) are answered through
`SignIn.answer_challenge` (services/flows/sign_in.py), as every other challenge is.
"""

from __future__ import annotations

from typing import Any

import errors
from services.cognito.client import CognitoCalls
from services.flows.sign_in_answers import tokens_or_challenge

# An unknown user answers like a wrong password (with PreventUserExistenceErrors Cognito itself answers a
# challenge that leads nowhere); an unknown or spent confirmation session is a session that ended.
_REFUSALS = {
    "UserNotFoundException": errors.NotAuthorized,
    "InvalidPasswordException": errors.NotAuthorized,
    "ResourceNotFoundException": errors.SessionEnded,
}


class Passwordless(CognitoCalls):
    """InitiateAuth (or AdminInitiateAuth under the admin flow) with AuthFlow USER_AUTH."""

    def start_user_auth(
        self, username: str, preferred: str | None = None, password: str | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Start USER_AUTH: the factors to choose from (SELECT_CHALLENGE), or straight to `preferred` (with
        PASSWORD, `password` signs in at once); with a confirmed sign-up's `session`, the tokens."""
        parameters = {"USERNAME": username, **self.secret_hash(username, "SECRET_HASH")}
        if preferred:
            parameters["PREFERRED_CHALLENGE"] = preferred
        if preferred == "PASSWORD" and password is not None:
            parameters["PASSWORD"] = password
        result = self.sign_in_call(
            "initiate_auth",
            _REFUSALS,
            keep_message=False,
            AuthFlow="USER_AUTH",
            AuthParameters=parameters,
            **({"Session": session} if session else {}),
        )
        return tokens_or_challenge(result)
