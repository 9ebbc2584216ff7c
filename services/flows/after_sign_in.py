"""What follows a sign-in Cognito accepted, for every way in (the API, a browser session, managed login), and
the sign-out that undoes it: the names the user signed in by, the new tokens admitted past an earlier
sign-out, the browser's session started, and a sign-out recorded so that every worker refuses the old tokens.

Controllers reach it as `services().sign_ins`; the request's side (the guess limit, the cookie, the request's
session) is middleware/signed_in.py's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.flows.auth_service import AuthService
from services.flows.sign_in_answers import unverified_claims
from services.state.attempts import Attempts
from services.state.revocations import Revocations
from services.state.session_record import Session
from services.state.session_store import Sessions


class SignIns:
    """The work after a sign-in and at a sign-out, over the app's Cognito calls, revocations, attempt counters
    and session store."""

    def __init__(
        self,
        auth: AuthService,
        revocations: Revocations,
        attempts: Attempts,
        sessions: Sessions,
        leeway: float,
        session_lifetime: float,
    ) -> None:
        self.auth, self.revocations, self.attempts, self.sessions = auth, revocations, attempts, sessions
        self.leeway, self.session_lifetime = leeway, session_lifetime

    def first_factor(self, username: str, password: str | None, preferred: str | None) -> dict[str, Any]:
        """The sign-in's first step: the password flow for a password alone, else USER_AUTH."""
        if password is not None and preferred is None:
            return self.auth.login(username, password)
        if preferred == "PASSWORD_SRP":  # the password proven by SRP, here (services/flows/srp_sign_in.py)
            return self.auth.srp_first_factor(username, password)
        return self.auth.start_user_auth(username, preferred, password)

    def signed_in(self, answer: dict[str, Any], proven_name: str | None = None) -> dict[str, Any]:
        """After Cognito answered tokens: the names the tokens carry (and `proven_name`, the one a password was
        just accepted for) count as the user's for the guess limit, and the new tokens are admitted past any
        earlier sign-out of the user (within the same second)."""
        if "access_token" not in answer:  # a challenge comes next
            return answer
        id_claims, access_claims = unverified_claims(answer["id_token"]), unverified_claims(answer["access_token"])
        for claims in (id_claims, access_claims):
            self.revocations.admit(claims)
        names = {proven_name, id_claims.get("cognito:username")}
        if id_claims.get("email_verified") in (True, "true"):  # an unverified email may be someone else's
            names.add(id_claims.get("email"))
        if isinstance(id_claims.get("sub"), str):
            self.attempts.alias({n for n in names if isinstance(n, str)} | {id_claims["sub"]}, id_claims["sub"])
        return answer

    def reset_password(self, username: str, code: str, new_password: str) -> None:
        """ConfirmForgotPassword, then every session of the user Cognito reset ends.

        That user is found by username and sub (AdminGetUser): the name given may be an alias, and the names seen
        at sign-in could name someone else (another user's username may be this user's email). Without the
        permission for AdminGetUser: the name itself and the user it was last seen to be at a sign-in here."""
        self.auth.reset_password(username, code, new_password)
        names = self.auth.names_of(username)
        if names is None:
            names = {username, self.attempts.user_of(username)}
        self.revocations.end_sessions(names, self.session_lifetime)

    def start_session(self, answer: Mapping[str, Any], previous: str | None) -> tuple[str, Session]:
        """A new session for a sign-in's tokens: its id (for the cookie) and the session. The browser's
        `previous` session (its cookie's id) ends here: a sign-in replaces it."""
        if previous and len(previous) <= 128:
            self.sessions.delete(previous)
        return self.sessions.create(answer)

    def renew_under_new_id(self, session_id: str, at: float) -> tuple[str, Session] | None:
        """After a password change made through the session `session_id`: the session begun again at `at` with
        tokens refreshed now, under a new id and CSRF token; the old id forgotten, so a copy of the old cookie (the
        reason to change a password, often) signs in no one. None if it is gone or cannot refresh."""
        renewed = self.sessions.renew(session_id, at)
        if renewed is None:
            return None
        tokens = {"access_token": renewed.access_token, "id_token": renewed.id_token, "username": renewed.username}
        moved = self.sessions.create({**tokens, "refresh_token": renewed.refresh_token})
        self.sessions.delete(session_id)
        return moved

    def sign_out(self, access_token: str, claims: Mapping[str, Any], refresh_token: str | None) -> None:
        """GlobalSignOut (and RevokeToken), then the revocation list: Cognito refuses the user's tokens, but a
        JWT checked locally passes until it expires, so every worker and instance refuses them too until then."""
        self.auth.logout(access_token, refresh_token)
        lifetime = max(claims["exp"] - claims["iat"], 3600) + self.leeway
        self.revocations.revoke_user(claims["sub"], lifetime)
        self.revocations.end_sessions({claims["sub"]}, self.session_lifetime)  # every session of theirs, too
        if refresh_token and "origin_jti" in claims:
            self.revocations.revoke_family(claims["origin_jti"], lifetime)
