"""AWS Amplify JS v6 (tests/amplify, pinned by its lock file) against the embedded emulator, in Node: each test runs
one scenario of tests/amplify/conformance.mjs and holds the answers to what real Cognito does.

Sources: botocore's cognito-idp service model (1.44, `service-2.json`: operations, errors and shapes), the Amazon
Cognito Developer Guide pages named per test, and Amplify's own code paths (`@aws-amplify/auth` 6.x)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.conformance import confirmed_user, ok, public_pool, refused, run_amplify

pytestmark = [pytest.mark.node, pytest.mark.subprocess]

WRONG_PASSWORD = "NotAuthorizedException"
BAD_CODE = "CodeMismatchException"


@pytest.fixture
def web(emulator) -> dict[str, str]:
    """A fresh pool with a public web client, and a confirmed user alice with a verified email."""
    emulator.reset()
    pool = public_pool(emulator.client)
    confirmed_user(emulator.client, pool["user_pool_id"], "alice")
    return pool


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def attributes(emulator, pool: dict[str, str], username: str) -> dict[str, Any]:
    user = emulator.client.admin_get_user(UserPoolId=pool["user_pool_id"], Username=username)
    return {"status": user["UserStatus"], **{a["Name"]: a["Value"] for a in user["UserAttributes"]}}


def test_sign_up_then_confirm_with_the_delivered_code_and_not_a_wrong_one(emulator, web):
    """SignUp on a pool with `AutoVerifiedAttributes: [email]` sends a code to the email (CodeDeliveryDetails:
    EMAIL, `email`, a masked destination); ConfirmSignUp refuses another code with CodeMismatchException and takes
    the delivered one, after which the user is CONFIRMED with `email_verified` true. Sources: botocore SignUp /
    ConfirmSignUp (errors CodeMismatchException, ExpiredCodeException); Developer Guide "Signing up and confirming
    user accounts" (confirming by an emailed code verifies the email)."""
    steps = run_amplify(emulator, web, "sign-up", username="bob", email="bob@example.com")
    signed_up = ok(steps["signUp"])
    assert signed_up["isSignUpComplete"] is False and signed_up["nextStep"]["signUpStep"] == "CONFIRM_SIGN_UP"
    delivery = signed_up["nextStep"]["codeDeliveryDetails"]
    assert (delivery["deliveryMedium"], delivery["attributeName"]) == ("EMAIL", "email"), delivery
    assert delivery["destination"].startswith("b") and "bob@example.com" not in delivery["destination"]
    assert not steps.undelivered, "no confirmation code was delivered"
    refused(steps["confirmSignUp wrong code"], BAD_CODE)
    confirmed = ok(steps["confirmSignUp"])
    assert confirmed["isSignUpComplete"] is True and confirmed["nextStep"]["signUpStep"] == "DONE"
    user = attributes(emulator, web, "bob")
    assert user["status"] == "CONFIRMED" and user["email_verified"] == "true"


@pytest.mark.parametrize("scenario", ["srp", "user-password", "user-auth-password-srp"])
def test_password_sign_in_takes_the_right_password_only(emulator, web, scenario):
    """Amplify's default signIn (USER_SRP_AUTH: SRP_A, then PASSWORD_VERIFIER with PASSWORD_CLAIM_SIGNATURE over
    the TIMESTAMP), USER_PASSWORD_AUTH, and USER_AUTH with PREFERRED_CHALLENGE PASSWORD_SRP (offered when the
    pool's AllowedFirstAuthFactors has PASSWORD): a wrong password is NotAuthorizedException "Incorrect username or
    password.", the right one signs in with tokens for the user. Sources: botocore InitiateAuth /
    RespondToAuthChallenge (AuthFlowType, ChallengeNameType PASSWORD_SRP); Developer Guide "Authentication flows"
    (SRP: USER_ID_FOR_SRP is what the client answers with, whether username, alias or sub)."""
    steps = run_amplify(emulator, web, scenario, username="alice")
    assert refused(steps["signIn wrong password"], WRONG_PASSWORD) == "Incorrect username or password."
    signed_in = ok(steps["signIn"])
    assert signed_in == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    tokens = ok(steps["tokens"])
    access, id_token = claims(tokens["accessToken"]), claims(tokens["idToken"])
    assert access["username"] == "alice" and access["token_use"] == "access" and access["client_id"] == web["client_id"]
    assert id_token["cognito:username"] == "alice" and id_token["email_verified"] is True


def test_email_code_sign_in_through_user_auth(emulator, web):
    """USER_AUTH with PREFERRED_CHALLENGE EMAIL_OTP sends a code to the verified email (challenge EMAIL_OTP,
    CODE_DELIVERY_DELIVERY_MEDIUM EMAIL) and EMAIL_OTP_CODE with it signs in. Sources: botocore InitiateAuth
    (AuthParameters PREFERRED_CHALLENGE), RespondToAuthChallenge (EMAIL_OTP_CODE); Developer Guide "Authentication
    flows: choice-based sign-in"."""
    steps = run_amplify(emulator, web, "user-auth-email-otp", username="alice")
    started = ok(steps["signIn"])
    assert started["nextStep"]["signInStep"] == "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
    assert started["nextStep"]["codeDeliveryDetails"]["deliveryMedium"] == "EMAIL"
    assert not steps.undelivered, "no email code was delivered"
    assert ok(steps["confirmSignIn"]) == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    assert claims(ok(steps["tokens"])["accessToken"])["username"] == "alice"


def test_totp_setup_with_a_computed_code_then_a_totp_sign_in(emulator, web):
    """AssociateSoftwareToken answers a random base32 secret per association (SecretCodeType; at least 160 bits,
    the RFC 4226 recommendation), so a second association replaces the first and a code of the old secret is
    refused; VerifySoftwareToken refuses a wrong code and takes an RFC 6238 code (SHA-1, 30 s, 6 digits) of the
    secret; with TOTP preferred, sign-in asks SOFTWARE_TOKEN_MFA, refuses a wrong code with CodeMismatchException
    and takes a code of an adjacent step (Cognito accepts codes 30 s before or after). Sources: botocore
    AssociateSoftwareToken / VerifySoftwareToken (EnableSoftwareTokenMFAException, CodeMismatchException) /
    SetUserMFAPreference; Developer Guide "TOTP software token MFA"."""
    steps = run_amplify(emulator, web, "totp", username="alice")
    ok(steps["signIn"])
    first, secret = ok(steps["setUpTOTP"]), ok(steps["setUpTOTP again"])
    for shared in (first, secret):
        assert re.fullmatch(r"[A-Z2-7]{32,}=*", shared), f"not a base32 secret of 160 bits or more: {shared!r}"
    assert first != secret, "every association must have a secret of its own"
    refused(steps["verifyTOTPSetup with the replaced secret's code"], "EnableSoftwareTokenMFAException", BAD_CODE)
    refused(steps["verifyTOTPSetup wrong code"], "EnableSoftwareTokenMFAException", BAD_CODE)
    ok(steps["verifyTOTPSetup"])
    ok(steps["updateMFAPreference"])
    assert ok(steps["fetchMFAPreference"]) == {"preferred": "TOTP", "enabled": ["TOTP"]}
    assert ok(steps["signIn with TOTP"])["nextStep"]["signInStep"] == "CONFIRM_SIGN_IN_WITH_TOTP_CODE"
    refused(steps["confirmSignIn wrong code"], BAD_CODE)
    assert ok(steps["confirmSignIn"]) == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    assert claims(ok(steps["tokens"])["accessToken"])["username"] == "alice"


def test_a_forced_refresh_answers_new_tokens_of_the_same_session(emulator, web):
    """fetchAuthSession({forceRefresh: true}) calls GetTokensFromRefreshToken (Amplify 6.15+): new ID and access
    tokens for the same user, later `iat`, new `jti`, the same `origin_jti` (kept across refreshes of one refresh
    token when revocation is on). Sources: botocore GetTokensFromRefreshToken; Developer Guide "Refresh tokens" and
    "Revoking tokens" (origin_jti)."""
    steps = run_amplify(emulator, web, "refresh", username="alice")
    ok(steps["signIn"])
    before, after = ok(steps["tokens"]), ok(steps["fetchAuthSession forceRefresh"])
    old, new = claims(before["accessToken"]), claims(after["accessToken"])
    assert new["sub"] == old["sub"] and new["username"] == "alice" and new["iat"] > old["iat"]
    assert new["jti"] != old["jti"] and new["origin_jti"] == old["origin_jti"]
    assert claims(after["idToken"])["cognito:username"] == "alice"


def test_an_email_change_applies_only_with_the_code_sent_to_the_new_address(emulator, web):
    """With `AttributesRequireVerificationBeforeUpdate: [email]`, UpdateUserAttributes keeps the old email (still
    verified) and sends a code to the new one (CodeDeliveryDetailsList: EMAIL, `email`); VerifyUserAttribute refuses
    a wrong code with CodeMismatchException and, with the delivered one, makes the new email the verified email.
    Sources: botocore UpdateUserAttributes / VerifyUserAttribute / UserAttributeUpdateSettingsType; Developer Guide
    "Configuring email or phone verification" (Verification of updated attribute values)."""
    steps = run_amplify(emulator, web, "attributes", username="alice", newEmail="alice.new@example.com")
    ok(steps["signIn"])
    update = ok(steps["updateUserAttributes"])["email"]
    assert update["isUpdated"] is False and update["nextStep"]["updateAttributeStep"] == "CONFIRM_ATTRIBUTE_WITH_CODE"
    delivery = update["nextStep"]["codeDeliveryDetails"]
    assert (delivery["deliveryMedium"], delivery["attributeName"]) == ("EMAIL", "email"), delivery
    pending = ok(steps["fetchUserAttributes before confirming"])
    assert (pending["email"], pending["email_verified"]) == ("alice@example.com", "true")
    assert not steps.undelivered, "no verification code was delivered"
    refused(steps["confirmUserAttribute wrong code"], BAD_CODE)
    ok(steps["confirmUserAttribute"])
    after = ok(steps["fetchUserAttributes"])
    assert (after["email"], after["email_verified"]) == ("alice.new@example.com", "true")


def test_delete_user_removes_the_user(emulator, web):
    """DeleteUser (access token) deletes the signed-in user: Amplify then signs out, the user is gone
    (AdminGetUser: UserNotFoundException) and a sign-in with the old password is refused as any unknown user is
    under PreventUserExistenceErrors ENABLED (NotAuthorizedException). Sources: botocore DeleteUser, AdminGetUser;
    Developer Guide "Managing error responses" (user existence errors)."""
    steps = run_amplify(emulator, web, "delete-user", username="alice")
    ok(steps["signIn"])
    ok(steps["deleteUser"])
    refused(steps["getCurrentUser after deleteUser"], "UserUnAuthenticatedException")
    refused(steps["signIn after deleteUser"], WRONG_PASSWORD)
    with pytest.raises(ClientError) as gone:
        emulator.client.admin_get_user(UserPoolId=web["user_pool_id"], Username="alice")
    assert gone.value.response["Error"]["Code"] == "UserNotFoundException"


def test_global_sign_out_revokes_the_access_token_it_was_called_with(emulator, web):
    """signOut({global: true}) calls GlobalSignOut, which invalidates the user's tokens: GetUser with the old
    access token is NotAuthorizedException ("Access Token has been revoked"). Amplify swallows GlobalSignOut's
    errors, so only the emulator's answer to the old token shows it happened. Sources: botocore GlobalSignOut /
    GetUser; Developer Guide "Signing out and revoking tokens"."""
    steps = run_amplify(emulator, web, "global-sign-out", username="alice")
    ok(steps["signIn"])
    access = ok(steps["tokens"])["accessToken"]
    ok(steps["signOut global"])
    refused(steps["getCurrentUser after signOut"], "UserUnAuthenticatedException")
    with pytest.raises(ClientError) as revoked:
        emulator.client.get_user(AccessToken=access)
    assert revoked.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert "revoked" in revoked.value.response["Error"]["Message"].lower()


def test_a_remembered_device_skips_totp_and_a_forgotten_one_does_not(emulator):
    """In a pool with DeviceConfiguration (ChallengeRequiredOnNewDevice, DeviceOnlyRememberedOnUserPrompt), a
    sign-in answers NewDeviceMetadata and Amplify confirms the device itself (ConfirmDevice with its SRP verifier):
    listed by fetchDevices (ListDevices) with its name; rememberDevice (UpdateDeviceStatus remembered); the next
    sign-in from it answers DEVICE_SRP_AUTH, and Amplify's device proof (DEVICE_PASSWORD_VERIFIER) signs in
    without the TOTP the user prefers, and its tokens refresh (Amplify sends DEVICE_KEY); forgetDevice (ForgetDevice)
    removes it, its tokens refresh no more, and the next sign-in asks TOTP again.
    Sources: botocore DeviceConfigurationType, NewDeviceMetadataType, ConfirmDevice, UpdateDeviceStatus,
    ListDevices, ForgetDevice; Developer Guide "Working with user devices in your user pool"; Amplify's
    handleDeviceSRPAuth and getNewDeviceMetadata."""
    emulator.reset()
    config = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}
    pool = public_pool(emulator.client, DeviceConfiguration=config)
    confirmed_user(emulator.client, pool["user_pool_id"], "alice")
    steps = run_amplify(emulator, pool, "devices", username="alice")
    assert ok(steps["signIn"]) == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    ok(steps["verifyTOTPSetup"])
    ok(steps["updateMFAPreference"])
    [device] = ok(steps["fetchDevices before remembering"])  # confirmed by Amplify, not remembered yet
    assert device["attributes"]["dev:device_remembered_status"] == "not_remembered" and device["name"]
    ok(steps["rememberDevice"])
    [remembered] = ok(steps["fetchDevices"])
    assert remembered["id"] == device["id"] and remembered["attributes"]["dev:device_remembered_status"] == "remembered"
    assert ok(steps["signIn from the remembered device"]) == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    signed_in = ok(steps["tokens"])["accessToken"]
    assert claims(signed_in)["username"] == "alice"
    # Amplify's refresh names the device (DEVICE_KEY), as Cognito wants of a device's tokens: new tokens.
    refreshed = ok(steps["fetchAuthSession forceRefresh on the device"])["accessToken"]
    assert refreshed and refreshed != signed_in and claims(refreshed)["username"] == "alice"
    ok(steps["forgetDevice"])
    assert ok(steps["fetchDevices after forgetDevice"]) == []
    # A forgotten device's refresh token no longer refreshes ("Invalid Refresh Token"): Amplify is left without tokens.
    assert ok(steps["fetchAuthSession forceRefresh after forgetDevice"]) == {}
    after = ok(steps["signIn after forgetDevice"])
    assert after["nextStep"]["signInStep"] == "CONFIRM_SIGN_IN_WITH_TOTP_CODE"
    assert ok(steps["confirmSignIn"]) == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    [new] = ok(steps["fetchDevices at the end"])  # that sign-in came from no known device: a new one
    assert new["id"] != device["id"]


def test_a_user_with_two_factors_chooses_one_and_answers_it(emulator):
    """TOTP and email MFA both on and neither preferred: each password sign-in answers SELECT_MFA_TYPE, whose
    MFAS_CAN_CHOOSE Amplify reads as allowedMFATypes ["TOTP", "EMAIL"] (CONTINUE_SIGN_IN_WITH_MFA_SELECTION); the
    choice (ANSWER) asks that factor: EMAIL sends a code that signs in (a wrong one refused), TOTP takes the app's
    code. Sources: botocore ChallengeNameType SELECT_MFA_TYPE, RespondToAuthChallenge's ANSWER; Developer Guide
    "Adding MFA to a user pool"; Amplify's signInHelpers (SELECT_MFA_TYPE, parseMFATypes, getMFAType)."""
    emulator.reset()
    ses = {"EmailSendingAccount": "DEVELOPER", "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com"}
    pool = public_pool(emulator.client, EmailConfiguration=ses)
    emulator.client.set_user_pool_mfa_config(
        UserPoolId=pool["user_pool_id"],
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Your code is {####}", "Subject": "Your code"},
        MfaConfiguration="OPTIONAL",
    )
    confirmed_user(emulator.client, pool["user_pool_id"], "alice")
    steps = run_amplify(emulator, pool, "mfa-select", username="alice")
    ok(steps["verifyTOTPSetup"])
    ok(steps["updateMFAPreference"])
    assert ok(steps["fetchMFAPreference"]) == {"enabled": ["TOTP", "EMAIL"]}
    choice = ok(steps["signIn asks the choice"])
    assert choice["nextStep"] == {
        "signInStep": "CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
        "allowedMFATypes": ["TOTP", "EMAIL"],
    }
    emailed = ok(steps["confirmSignIn EMAIL"])
    assert emailed["nextStep"]["signInStep"] == "CONFIRM_SIGN_IN_WITH_EMAIL_CODE", emailed
    refused(steps["confirmSignIn wrong emailed code"], "CodeMismatchException")
    assert ok(steps["confirmSignIn emailed code"]) == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    assert ok(steps["signIn asks the choice again"])["nextStep"]["signInStep"] == "CONTINUE_SIGN_IN_WITH_MFA_SELECTION"
    totp = ok(steps["confirmSignIn TOTP"])
    assert totp["nextStep"] == {"signInStep": "CONFIRM_SIGN_IN_WITH_TOTP_CODE"}
    assert ok(steps["confirmSignIn TOTP code"]) == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
