"""Choice-based sign-in, passwordless sign-up and passkeys against real Cognito's answers, where no emulator
shows them: a proxy in front of the emulator answers InitiateAuth, RespondToAuthChallenge, SignUp,
ConfirmSignUp and the WebAuthn operations as Cognito does (botocore's model: AvailableChallenges,
CREDENTIAL_REQUEST_OPTIONS as a JSON string, the CredentialCreationOptions document, CreatedAt in epoch
seconds), and records what the server sent. Every other call reaches the emulator.
"""

from __future__ import annotations

import json

import pytest

from app import create_app
from tests.support.helpers import Minter, Request, bearer, cognito_error, json_reply

COMPLETE = "CompleteWebAuthnRegistration"
SESSION = "AYABeC" + "s" * 60  # Cognito's sessions are 20 to 2048 characters
REQUEST_OPTIONS = {
    "challenge": "q2m4yYMfSUy-n4JwPUfYtA",
    "timeout": 180000,
    "rpId": "localhost",
    "allowCredentials": [{"id": "AbCd_eFgH-1", "type": "public-key"}],
    "userVerification": "required",
}
CREATION_OPTIONS = {  # StartWebAuthnRegistration's CredentialCreationOptions (a JSON document, not a string)
    "challenge": "7UYc0xv9T9WfQ_sW1JlE0g",
    "rp": {"id": "localhost", "name": "localhost"},
    "user": {"id": "ZjNhNGQ1ZTY", "name": "alice", "displayName": "alice"},
    "pubKeyCredParams": [{"alg": -7, "type": "public-key"}, {"alg": -257, "type": "public-key"}],
    "timeout": 300000,
    "excludeCredentials": [],
    "authenticatorSelection": {"residentKey": "required", "userVerification": "required"},
}
ASSERTION = {  # navigator.credentials.get's answer, as JSON (AuthenticationResponseJSON)
    "id": "AbCd_eFgH-1",
    "rawId": "AbCd_eFgH-1",
    "type": "public-key",
    "authenticatorAttachment": "platform",
    "clientExtensionResults": {},
    "response": {
        "clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0",
        "authenticatorData": "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ",
        "signature": "MEUCIQDx",
        "userHandle": "ZjNhNGQ1ZTY",
    },
}
ATTESTATION = {  # navigator.credentials.create's answer, as JSON (RegistrationResponseJSON)
    "id": "AbCd_eFgH-1",
    "rawId": "AbCd_eFgH-1",
    "type": "public-key",
    "authenticatorAttachment": "platform",
    "clientExtensionResults": {"credProps": {"rk": True}},
    "response": {
        "clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0",
        "attestationObject": "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVjF",
        "transports": ["internal"],
        "publicKeyAlgorithm": -7,
    },
}


@pytest.fixture
def app(pool, proxy):
    return create_app({**pool, "endpoint_url": proxy.url, "rate_limit_login_username": "3/minute"})


@pytest.fixture
def minted(pool) -> dict:
    """Cognito's AuthenticationResult for alice, signed with the emulator's key (its JWKS verifies them)."""
    minter = Minter(f"https://cognito-idp.us-east-1.amazonaws.com/{pool['user_pool_id']}", pool["client_id"])
    claims = {"sub": "5c1d2e3f-0000-4000-8000-00000000a11c"}
    return {
        "AccessToken": minter.token("access", username="alice", client_id=pool["client_id"], **claims),
        "IdToken": minter.token("id", aud=pool["client_id"], **{"cognito:username": "alice"}, **claims),
        "RefreshToken": "refresh-token-opaque",
        "ExpiresIn": 3600,
        "TokenType": "Bearer",
    }


class Recorder:
    """Answers an operation with scripted replies in turn, keeping each request's JSON body."""

    def __init__(self, *replies) -> None:
        self.replies = list(replies)
        self.bodies: list[dict] = []

    def __call__(self, request: Request):
        self.bodies.append(json.loads(request.body))
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


def challenge(name: str, parameters: dict | None = None, **more) -> tuple:
    return json_reply(200, {"ChallengeName": name, "Session": SESSION, "ChallengeParameters": parameters or {}, **more})


def test_login_without_a_password_starts_user_auth_and_answers_the_factors_to_choose(client, proxy, conforms):
    initiate = proxy.answers["InitiateAuth"] = Recorder(
        challenge("SELECT_CHALLENGE", AvailableChallenges=["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"])
    )
    response = conforms(client.post("/auth/login", json={"username": "alice"}), "/auth/login", "POST")
    assert response.status_code == 200
    assert response.json == {
        "challenge": "SELECT_CHALLENGE",
        "available_challenges": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"],
        "session": SESSION,
        "parameters": {},
    }
    sent = initiate.bodies[0]
    assert sent["AuthFlow"] == "USER_AUTH"
    assert sent["AuthParameters"] == {"USERNAME": "alice"}
    assert response.headers["Cache-Control"] == "no-store"


def test_preferred_email_code_goes_straight_to_it_and_says_where_the_code_went(client, proxy, conforms):
    delivered = {"CODE_DELIVERY_DESTINATION": "a***@e***", "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL"}
    initiate = proxy.answers["InitiateAuth"] = Recorder(challenge("EMAIL_OTP", delivered))
    response = client.post("/auth/login", json={"username": "alice", "preferred": "EMAIL_OTP"})
    conforms(response, "/auth/login", "POST")
    assert response.json["challenge"] == "EMAIL_OTP"
    assert response.json["code_delivery"] == {"destination": "a***@e***", "medium": "EMAIL"}
    assert response.json["parameters"] == delivered
    assert initiate.bodies[0]["AuthParameters"] == {"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"}


def test_a_password_with_preferred_password_signs_in_through_user_auth(client, proxy, minted):
    initiate = proxy.answers["InitiateAuth"] = Recorder(json_reply(200, {"AuthenticationResult": minted}))
    response = client.post("/auth/login", json={"username": "alice", "password": "Passw0rd!", "preferred": "PASSWORD"})
    assert response.status_code == 200, response.json
    assert initiate.bodies[0]["AuthFlow"] == "USER_AUTH"
    assert initiate.bodies[0]["AuthParameters"] == {
        "USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Passw0rd!"
    }  # fmt: skip
    assert client.get("/hello", headers=bearer(response.json["access_token"])).status_code == 200


def test_a_password_alone_keeps_the_password_flow(client, proxy, users):
    assert users.register("alice").status_code == 201
    assert users.confirm("alice").status_code == 200
    assert users.login("alice").status_code == 200
    assert "InitiateAuth" in proxy.operations  # forwarded: USER_PASSWORD_AUTH, which the emulator signs in


def test_choosing_a_passkey_answers_the_request_options_as_an_object(client, proxy, minted, conforms):
    """Cognito sends CREDENTIAL_REQUEST_OPTIONS as a JSON string; the browser needs the object."""
    options = {"CREDENTIAL_REQUEST_OPTIONS": json.dumps(REQUEST_OPTIONS)}
    respond = proxy.answers["RespondToAuthChallenge"] = Recorder(
        challenge("WEB_AUTHN", options), json_reply(200, {"AuthenticationResult": minted})
    )
    body = {"username": "alice", "challenge": "SELECT_CHALLENGE", "session": SESSION, "answer": "WEB_AUTHN"}
    chosen = conforms(client.post("/auth/challenge", json=body), "/auth/challenge", "POST")
    assert chosen.json["challenge"] == "WEB_AUTHN"
    assert chosen.json["credential_request_options"] == REQUEST_OPTIONS
    assert chosen.json["parameters"] == options  # Cognito's own, as sent
    assert respond.bodies[0]["ChallengeName"] == "SELECT_CHALLENGE"
    assert respond.bodies[0]["ChallengeResponses"] == {"USERNAME": "alice", "ANSWER": "WEB_AUTHN"}

    body = {"username": "alice", "challenge": "WEB_AUTHN", "session": SESSION, "credential": ASSERTION}
    signed_in = conforms(client.post("/auth/challenge", json=body), "/auth/challenge", "POST")
    assert signed_in.status_code == 200, signed_in.json
    responses = respond.bodies[1]["ChallengeResponses"]
    assert respond.bodies[1]["ChallengeName"] == "WEB_AUTHN"
    assert isinstance(responses["CREDENTIAL"], str)  # a JSON string, as Cognito takes it
    assert json.loads(responses["CREDENTIAL"]) == ASSERTION
    assert client.get("/hello", headers=bearer(signed_in.json["access_token"])).status_code == 200


def test_request_options_that_are_not_json_are_left_out_not_a_crash(client, proxy, caplog):
    proxy.answers["RespondToAuthChallenge"] = challenge("WEB_AUTHN", {"CREDENTIAL_REQUEST_OPTIONS": "{not json"})
    body = {"username": "alice", "challenge": "SELECT_CHALLENGE", "session": SESSION, "answer": "WEB_AUTHN"}
    response = client.post("/auth/challenge", json=body)
    assert response.status_code == 200
    assert "credential_request_options" not in response.json
    assert "not a JSON object" in caplog.text


@pytest.mark.parametrize(
    ("body", "responses"),
    [
        ({"challenge": "EMAIL_OTP", "code": "12345678"}, {"EMAIL_OTP_CODE": "12345678"}),
        ({"challenge": "SMS_OTP", "code": "123456"}, {"SMS_OTP_CODE": "123456"}),
        ({"challenge": "PASSWORD", "password": "Passw0rd!"}, {"PASSWORD": "Passw0rd!"}),
        (
            {"challenge": "SELECT_CHALLENGE", "answer": "PASSWORD", "password": "Passw0rd!"},
            {"ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!"},
        ),
        ({"challenge": "SELECT_CHALLENGE", "answer": "SMS_OTP"}, {"ANSWER": "SMS_OTP"}),
    ],
)
def test_each_answer_reaches_cognito_under_its_own_key(client, proxy, minted, body, responses):
    respond = proxy.answers["RespondToAuthChallenge"] = Recorder(json_reply(200, {"AuthenticationResult": minted}))
    response = client.post("/auth/challenge", json={"username": "alice", "session": SESSION, **body})
    assert response.status_code == 200, response.json
    assert respond.bodies[0]["ChallengeName"] == body["challenge"]
    assert respond.bodies[0]["ChallengeResponses"] == {"USERNAME": "alice", **responses}
    assert respond.bodies[0]["Session"] == SESSION


def test_wrong_codes_count_as_guesses_and_a_spent_session_is_session_expired(client, proxy):
    """Three guesses a minute per user here: wrong codes use them up as wrong passwords do."""
    proxy.answers["RespondToAuthChallenge"] = cognito_error("CodeMismatchException", message="Invalid code received.")
    body = {"username": "alice", "challenge": "EMAIL_OTP", "session": SESSION, "code": "00000000"}
    for _ in range(3):
        wrong = client.post("/auth/challenge", json=body)
        assert (wrong.status_code, wrong.json["error"]) == (400, "code_mismatch")
    refused = client.post("/auth/challenge", json=body)
    assert (refused.status_code, refused.json["error"]) == (429, "too_many_requests")
    assert "Retry-After" in refused.headers


@pytest.mark.parametrize(
    "message", ["Invalid session for the user, session is expired.", "Invalid session for the user."]
)
def test_an_expired_or_used_up_session_is_refused_as_such(client, proxy, message):
    proxy.answers["RespondToAuthChallenge"] = cognito_error("NotAuthorizedException", message=message)
    body = {"username": "alice", "challenge": "SMS_OTP", "session": SESSION, "code": "123456"}
    response = client.post("/auth/challenge", json=body)
    assert response.status_code == 401
    assert response.json["error"] == "session_expired"


def test_a_wrong_password_answer_is_still_not_authorized(client, proxy):
    proxy.answers["RespondToAuthChallenge"] = cognito_error(
        "NotAuthorizedException", message="Incorrect username or password."
    )
    body = {"username": "alice", "challenge": "PASSWORD", "session": SESSION, "password": "Wr0ngPass"}
    response = client.post("/auth/challenge", json=body)
    assert (response.status_code, response.json["error"]) == (401, "not_authorized")


def test_passwordless_sign_up_then_confirmation_signs_in_with_its_session(client, proxy, minted, conforms):
    sign_up = proxy.answers["SignUp"] = Recorder(
        json_reply(
            200,
            {
                "UserConfirmed": False,
                "UserSub": "5c1d2e3f-0000-4000-8000-00000000a11c",
                "Session": SESSION,
                "CodeDeliveryDetails": {
                    "Destination": "a***@e***",
                    "DeliveryMedium": "EMAIL",
                    "AttributeName": "email",
                },
            },
        )
    )
    confirmed_session = "AYABconfirmed" + "c" * 40
    confirm = proxy.answers["ConfirmSignUp"] = Recorder(json_reply(200, {"Session": confirmed_session}))
    initiate = proxy.answers["InitiateAuth"] = Recorder(json_reply(200, {"AuthenticationResult": minted}))

    registered = client.post("/auth/register", json={"username": "alice", "email": "alice@example.com"})
    assert registered.status_code == 201, registered.json
    assert "Password" not in sign_up.bodies[0]
    assert registered.json["session"] == SESSION
    body = {"username": "alice", "code": "12345678", "session": registered.json["session"]}
    response = conforms(client.post("/auth/confirm", json=body), "/auth/confirm", "POST")
    assert response.status_code == 200, response.json
    assert response.json["confirmed"] is True
    assert confirm.bodies[0]["Session"] == SESSION
    assert initiate.bodies[0]["AuthFlow"] == "USER_AUTH"
    assert initiate.bodies[0]["Session"] == confirmed_session
    assert initiate.bodies[0]["AuthParameters"] == {"USERNAME": "alice"}
    assert client.get("/hello", headers=bearer(response.json["access_token"])).status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_passwordless_sign_up_refused_by_the_pool_is_a_clear_400(client, proxy):
    message = "Password is required when passwordless sign-in is not available."
    proxy.answers["SignUp"] = cognito_error("InvalidParameterException", message=message)
    response = client.post("/auth/register", json={"email": "alice@example.com"})
    assert (response.status_code, response.json["error"]) == (400, "invalid_parameter")


@pytest.fixture
def token(users) -> str:
    return users.tokens("alice")["access_token"]


def test_passkey_registration_answers_the_creation_options_document_and_sends_the_credential(
    client, proxy, token, conforms
):
    start = proxy.answers["StartWebAuthnRegistration"] = Recorder(
        json_reply(200, {"CredentialCreationOptions": CREATION_OPTIONS})
    )
    path = "/auth/passkeys/register/start"
    started = conforms(client.post(path, headers=bearer(token)), path, "POST")
    assert started.status_code == 200, started.json
    assert started.json == {"credential_creation_options": CREATION_OPTIONS}
    assert start.bodies[0] == {"AccessToken": token}

    complete = proxy.answers["CompleteWebAuthnRegistration"] = Recorder(json_reply(200, {}))
    listed = proxy.answers["ListWebAuthnCredentials"] = Recorder(
        json_reply(
            200,
            {
                "Credentials": [
                    {
                        "CredentialId": "AbCd_eFgH-1",
                        "FriendlyCredentialName": "Chrome on Linux",
                        "RelyingPartyId": "localhost",
                        "AuthenticatorAttachment": "platform",
                        "AuthenticatorTransports": ["internal"],
                        "CreatedAt": 1764633600,
                    }
                ]
            },
        )
    )
    path = "/auth/passkeys/register/finish"
    finished = conforms(client.post(path, headers=bearer(token), json={"credential": ATTESTATION}), path, "POST")
    assert finished.status_code == 201, finished.json
    assert complete.bodies[0] == {"AccessToken": token, "Credential": ATTESTATION}
    assert finished.json["passkeys"] == [
        {
            "credential_id": "AbCd_eFgH-1",
            "name": "Chrome on Linux",
            "relying_party_id": "localhost",
            "attachment": "platform",
            "transports": ["internal"],
            "created_at": 1764633600,
        }
    ]
    assert listed.bodies[0]["AccessToken"] == token


def test_the_passkey_list_follows_every_page(client, proxy, token):
    def credential(n):
        return {
            "CredentialId": f"id{n}", "FriendlyCredentialName": f"key {n}", "RelyingPartyId": "localhost",
            "AuthenticatorTransports": [], "CreatedAt": 1764633600 + n,
        }  # fmt: skip

    listed = proxy.answers["ListWebAuthnCredentials"] = Recorder(
        json_reply(200, {"Credentials": [credential(1)], "NextToken": "page-2"}),
        json_reply(200, {"Credentials": [credential(2)]}),
    )
    response = client.get("/auth/passkeys", headers=bearer(token))
    assert [p["credential_id"] for p in response.json["passkeys"]] == ["id1", "id2"]
    assert response.json["passkeys"][1]["attachment"] is None
    assert listed.bodies[1]["NextToken"] == "page-2"


@pytest.mark.parametrize(
    ("operation", "code", "status", "error"),
    [
        ("StartWebAuthnRegistration", "WebAuthnNotEnabledException", 400, "webauthn_not_enabled"),
        ("StartWebAuthnRegistration", "WebAuthnConfigurationMissingException", 400, "webauthn_configuration_missing"),
        ("StartWebAuthnRegistration", "FeatureUnavailableInTierException", 400, "feature_unavailable"),
        ("StartWebAuthnRegistration", "NotAuthorizedException", 401, "invalid_token"),
        ("CompleteWebAuthnRegistration", "WebAuthnChallengeNotFoundException", 400, "webauthn_challenge_not_found"),
        (COMPLETE, "WebAuthnRelyingPartyMismatchException", 400, "webauthn_relying_party_mismatch"),
        ("CompleteWebAuthnRegistration", "WebAuthnClientMismatchException", 400, "webauthn_client_mismatch"),
        ("CompleteWebAuthnRegistration", "WebAuthnOriginNotAllowedException", 400, "webauthn_origin_not_allowed"),
        (COMPLETE, "WebAuthnCredentialNotSupportedException", 400, "webauthn_credential_not_supported"),
        ("CompleteWebAuthnRegistration", "WebAuthnNotEnabledException", 400, "webauthn_not_enabled"),
        ("DeleteWebAuthnCredential", "ResourceNotFoundException", 404, "passkey_not_found"),
        ("ListWebAuthnCredentials", "NotAuthorizedException", 401, "invalid_token"),
    ],
)  # fmt: skip
def test_cognitos_webauthn_refusals_are_clear_4xx(client, proxy, token, operation, code, status, error):
    proxy.answers[operation] = cognito_error(code)
    call = {
        "StartWebAuthnRegistration": lambda: client.post("/auth/passkeys/register/start", headers=bearer(token)),
        "CompleteWebAuthnRegistration": lambda: client.post(
            "/auth/passkeys/register/finish", headers=bearer(token), json={"credential": ATTESTATION}
        ),
        "ListWebAuthnCredentials": lambda: client.get("/auth/passkeys", headers=bearer(token)),
        "DeleteWebAuthnCredential": lambda: client.delete("/auth/passkeys/AbCd_eFgH-1", headers=bearer(token)),
    }[operation]
    response = call()
    assert (response.status_code, response.json["error"]) == (status, error)
    assert "scripted" not in response.json["message"]  # our words, not Cognito's


def test_passkeys_need_a_user_access_token_with_the_admin_scope(client, proxy, minter):
    narrow = minter.token("access", scope="openid")
    for response in (
        client.post("/auth/passkeys/register/start", headers=bearer(narrow)),
        client.get("/auth/passkeys", headers=bearer(narrow)),
        client.delete("/auth/passkeys/x", headers=bearer(narrow)),
    ):
        assert (response.status_code, response.json["error"]) == (403, "insufficient_scope")
    assert client.get("/auth/passkeys").status_code == 401
    id_token = minter.token("id")
    assert client.get("/auth/passkeys", headers=bearer(id_token)).status_code == 401
    assert not any(op.endswith("WebAuthnCredentials") for op in proxy.operations)


@pytest.mark.parametrize(
    "credential",
    [
        {**ATTESTATION, "type": "password"},
        {**ATTESTATION, "id": "not base64url!"},
        {**ATTESTATION, "response": {**ATTESTATION["response"], "attestationObject": "A" * 20000}},
        {**ATTESTATION, "response": {"clientDataJSON": "eyJ9"}},
        "a string",
    ],
)
def test_a_malformed_credential_is_400_before_cognito(client, proxy, token, credential):
    response = client.post("/auth/passkeys/register/finish", headers=bearer(token), json={"credential": credential})
    assert response.status_code in (400, 413)
    assert "CompleteWebAuthnRegistration" not in proxy.operations


@pytest.mark.parametrize("credential_id", ["x" * 1400, "not%20base64", "é", "a.b"])
def test_deleting_an_id_no_passkey_can_have_is_404_before_cognito(client, proxy, token, credential_id):
    response = client.delete(f"/auth/passkeys/{credential_id}", headers=bearer(token))
    assert (response.status_code, response.json["error"]) == (404, "passkey_not_found")
    assert "DeleteWebAuthnCredential" not in proxy.operations
