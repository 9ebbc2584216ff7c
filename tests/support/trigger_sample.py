"""A trigger module as it would be deployed to AWS Lambda: each function is a plain `(event, context) -> event`
handler of one Cognito trigger, with nothing of the emulator in it (tests/test_emulator_triggers*.py run it
under the emulator and call it directly with the events of tests/events/cognito-*.json).

- pre_sign_up: sign-ups from auto.example are confirmed with their email verified; blocked.example is refused.
- pre_authentication: the user `suspended` may not sign in.
- pre_token_generation (V2_0 event): a `tenant` claim and the `orders/read` scope in the access token, the user's
  groups plus `beta-testers` in both tokens, a `plan` claim in the ID token.
- user_migration: the old system's users (LEGACY) move in on first sign-in with their password, or at forgot
  password.
- custom_message: sign-up and reset messages of our own.
- define/create/verify auth challenge: three questions in a row (after the password, with CUSTOM_WITH_SRP).
- post_confirmation / post_authentication: remember whom they saw (SEEN), as a real one might write a table.
"""

from __future__ import annotations

from typing import Any

LEGACY = {"old-timer": {"password": "0ldSystem!pass", "email": "old-timer@legacy.example"}}
ROUNDS = 3
SEEN: list[tuple[str, str]] = []  # (triggerSource, userName)


def pre_sign_up(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Auto-confirm auto.example; refuse blocked.example."""
    email = event["request"]["userAttributes"].get("email", "")
    domain = email.rpartition("@")[2].lower()
    if domain == "blocked.example":
        raise Exception("Sign-ups from blocked.example are closed")
    if domain == "auto.example":
        event["response"]["autoConfirmUser"] = True
        event["response"]["autoVerifyEmail"] = True
    return event


def pre_authentication(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Refuse the suspended user."""
    if event["userName"] == "suspended":
        raise Exception("This account is suspended")
    return event


def pre_token_generation(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """V2_0: a tenant claim and a scope for the access token, a group for both, a plan claim for the ID token."""
    groups = [*event["request"]["groupConfiguration"]["groupsToOverride"], "beta-testers"]
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "idTokenGeneration": {"claimsToAddOrOverride": {"plan": "gold"}, "claimsToSuppress": []},
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {"tenant": "acme"},
            "claimsToSuppress": [],
            "scopesToAdd": ["orders/read"],
            "scopesToSuppress": [],
        },
        "groupOverrideDetails": {"groupsToOverride": groups, "iamRolesToOverride": [], "preferredRole": None},
    }
    return event


def user_migration(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Move a user of the old system in: at sign-in with the right password, or at forgot password."""
    old = LEGACY.get(event["userName"])
    if old is None:
        raise Exception("User not found")
    if event["triggerSource"] == "UserMigration_Authentication" and event["request"]["password"] != old["password"]:
        raise Exception("Bad password")
    event["response"]["userAttributes"] = {"email": old["email"], "email_verified": "true"}
    event["response"]["finalUserStatus"] = "CONFIRMED"
    event["response"]["messageAction"] = "SUPPRESS"
    return event


def custom_message(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Our own words for sign-up and reset codes."""
    code = event["request"]["codeParameter"]
    if event["triggerSource"] in ("CustomMessage_SignUp", "CustomMessage_ResendCode"):
        event["response"]["emailSubject"] = "Welcome to Example"
        event["response"]["emailMessage"] = f"Hello {event['userName']}, confirm your account with {code}."
        event["response"]["smsMessage"] = f"Example sign-up code: {code}"
    elif event["triggerSource"] == "CustomMessage_ForgotPassword":
        event["response"]["emailSubject"] = "Reset your Example password"
        event["response"]["emailMessage"] = f"Your reset code is {code}."
    return event


def define_auth_challenge(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The password first when SRP began the sign-in, then ROUNDS questions, all answered right."""
    session = event["request"]["session"]
    custom = [entry for entry in session if entry["challengeName"] == "CUSTOM_CHALLENGE"]
    response = event["response"]
    if any(not entry["challengeResult"] for entry in session):
        response.update(issueTokens=False, failAuthentication=True)
    elif session and session[-1]["challengeName"] == "SRP_A":
        response.update(issueTokens=False, failAuthentication=False, challengeName="PASSWORD_VERIFIER")
    elif len(custom) >= ROUNDS:
        response.update(issueTokens=True, failAuthentication=False)
    else:
        response.update(issueTokens=False, failAuthentication=False, challengeName="CUSTOM_CHALLENGE")
    return event


def create_auth_challenge(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Round n asks what n + n is."""
    n = 1 + sum(1 for entry in event["request"]["session"] if entry["challengeName"] == "CUSTOM_CHALLENGE")
    event["response"]["publicChallengeParameters"] = {"question": f"What is {n} + {n}?", "round": str(n)}
    event["response"]["privateChallengeParameters"] = {"answer": str(n + n)}
    event["response"]["challengeMetadata"] = f"QUESTION-{n}"
    return event


def verify_auth_challenge_response(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Right when the answer is the expected one."""
    expected = event["request"]["privateChallengeParameters"]["answer"]
    event["response"]["answerCorrect"] = event["request"]["challengeAnswer"].strip() == expected
    return event


def post_confirmation(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Remember the confirmation."""
    SEEN.append((event["triggerSource"], event["userName"]))
    return event


def post_authentication(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Remember the sign-in."""
    SEEN.append((event["triggerSource"], event["userName"]))
    return event
