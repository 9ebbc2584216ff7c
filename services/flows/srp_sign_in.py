"""SRP sign-in: the server proves the user's password to Cognito without sending it, as Amplify's `signIn` does by
default. `LOGIN_FLOW=USER_SRP_AUTH` signs in this way (InitiateAuth USER_SRP_AUTH with SRP_A, then
PASSWORD_VERIFIER), and so does USER_AUTH's PASSWORD_SRP factor (chosen first, or as SELECT_CHALLENGE's answer).

Many pools' app clients allow only ALLOW_USER_SRP_AUTH and ALLOW_REFRESH_TOKEN_AUTH (the console's default), so
USER_PASSWORD_AUTH is refused there. Whatever follows the password proof (MFA, NEW_PASSWORD_REQUIRED) is answered
through `SignIn.answer_challenge`, as after any other sign-in. ../shared/PROTOCOLS-2.md section 1 has the protocol.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import errors
from services.cognito.client import CognitoCalls
from services.flows.sign_in_answers import tokens_or_challenge

log = logging.getLogger(__name__)

# An unknown user answers exactly like a wrong password: no user enumeration.
_REFUSALS = {"UserNotFoundException": errors.NotAuthorized, "InvalidPasswordException": errors.NotAuthorized}


class SrpSignIn(CognitoCalls):
    """The client half of Cognito's SRP, computed here with the user's password; the answers go through
    `_respond` (SignIn's, services/flows/sign_in.py), the one way a challenge is answered."""

    def srp_login(self, username: str, password: str) -> dict[str, Any]:
        """LOGIN_FLOW=USER_SRP_AUTH: InitiateAuth with SRP_A, then the password proven; tokens or the next challenge."""
        srp = self._srp(username, password)
        started = self.sign_in_call(
            "initiate_auth",
            _REFUSALS,
            keep_message=False,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters={**srp.get_auth_params(), **self.secret_hash(username, "SECRET_HASH")},
        )
        return self._prove_password(srp, tokens_or_challenge(started))

    def srp_first_factor(self, username: str, password: str | None) -> dict[str, Any]:
        """USER_AUTH with PREFERRED_CHALLENGE PASSWORD_SRP (and SRP_A), then the password proven."""
        srp = self._srp(username, _required(password))
        parameters = {**srp.get_auth_params(), "PREFERRED_CHALLENGE": "PASSWORD_SRP"}
        started = self.sign_in_call(
            "initiate_auth",
            _REFUSALS,
            keep_message=False,
            AuthFlow="USER_AUTH",
            AuthParameters={**parameters, **self.secret_hash(username, "SECRET_HASH")},
        )
        return self._prove_password(srp, tokens_or_challenge(started))

    def srp_selected(self, username: str, session: str, password: str | None) -> dict[str, Any]:
        """SELECT_CHALLENGE answered PASSWORD_SRP (with SRP_A), then the password proven."""
        srp = self._srp(username, _required(password))
        responses = {"USERNAME": username, "ANSWER": "PASSWORD_SRP", "SRP_A": srp.get_auth_params()["SRP_A"]}
        return self._prove_password(srp, self._respond("SELECT_CHALLENGE", session, responses, username))

    def _respond(self, challenge: str, session: str | None, responses: dict[str, str], username: str) -> dict[str, Any]:
        raise NotImplementedError  # SignIn's (services/flows/sign_in.py), which derives from this class

    def _srp(self, username: str, password: str) -> Any:
        # pycognito's AWSSRP: a maintained client of Cognito's SRP (the constants, padding, HKDF and timestamp
        # format that must match Cognito's bit for bit), checked against Amplify's in ../shared/PROTOCOLS-2.md;
        # only its arithmetic is used, the calls are ours (with our client, SECRET_HASH and error mapping).
        # Imported on first use, as boto3 is (services/cognito/client.py): a cold start without sign-ins skips it.
        from pycognito.aws_srp import AWSSRP

        return AWSSRP(username, password, self.user_pool_id, self.client_id, client=self.client)

    def _prove_password(self, srp: Any, answer: Mapping[str, Any]) -> dict[str, Any]:
        """Answer PASSWORD_VERIFIER; any other answer (tokens, another challenge) is the caller's as it is."""
        if answer.get("challenge") != "PASSWORD_VERIFIER":
            return dict(answer)
        parameters = answer.get("parameters") or {}
        try:
            # Cognito's internal name for the user: the proof, USERNAME and SECRET_HASH are over it, not the name
            # typed (an email or alias). pycognito would send the challenge's USERNAME; Amplify sends this one.
            user_id = parameters["USER_ID_FOR_SRP"]
            responses = dict(srp.process_challenge(parameters, {"USERNAME": user_id}))
        except (KeyError, IndexError, ValueError, TypeError) as err:
            log.error("Cognito's PASSWORD_VERIFIER challenge could not be answered (%s)", type(err).__name__)
            raise errors.ApiError() from err
        responses["USERNAME"] = user_id
        return self._respond("PASSWORD_VERIFIER", answer.get("session"), responses, user_id)


def _required(password: str | None) -> str:
    if password is None:
        raise errors.InvalidRequest("Invalid request: 'password' is required with PASSWORD_SRP.")
    return password
