"""The people of the remembered-device tests (tests/test_devices.py, tests/test_device_refresh.py): a user of a
pool that requires MFA signing in through the app's client, and the pool's device tracking."""

from __future__ import annotations

import time

from tests.support.helpers import PASSWORD, bearer, totp

ALWAYS = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
PROMPT = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}
CHROME = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0"}


class Person:
    """A user of the MFA pool, signing in through the app's client; TOTP codes from the secret set up at the first
    sign-in (RFC 6238, tests/support/helpers.py), each 30-second step used once, as Cognito takes it."""

    def __init__(self, client, users, name: str = "alice") -> None:
        self.client, self.name, self.secret, self.used = client, name, "", set()
        assert users.register(name).status_code == 201 and users.confirm(name).status_code == 200
        started = self.login().json
        if started.get("challenge") == "MFA_SETUP":  # where MFA is required already: set up at sign-in
            answer = {"username": name, "challenge": "MFA_SETUP", "session": started["session"]}
            setup = client.post("/auth/challenge", json=answer).json
            self.secret = setup["parameters"]["secret"]
            done = client.post("/auth/challenge", json={**answer, "session": setup["session"], "code": self.code()})
        else:  # set up by the signed-in user
            access = bearer(started["access_token"])
            self.secret = client.post("/auth/mfa/totp/setup", headers=access).json["secret"]
            done = client.post("/auth/mfa/totp/verify", json={"code": self.code()}, headers=access)
        assert done.status_code == 200, done.json

    def code(self) -> str:
        """A code of a step Cognito takes now (this one, or either side) not used yet; else the next step's."""
        now = int(time.time() // 30)
        step = next((s for s in (now, now + 1, now - 1) if s not in self.used), None)
        if step is None:
            time.sleep(30 - time.time() % 30 + 0.2)
            step = now + 2
        self.used.add(step)
        return totp(self.secret, step * 30 + 1)

    def login(self, device=None, **extra):
        body = {"username": self.name, "password": PASSWORD, **({"device": device} if device else {}), **extra}
        return self.client.post("/auth/login", json=body, headers=CHROME)

    def first_sign_in(self) -> dict:
        """From a new device: the code asked, then the tokens with the device, confirmed."""
        asked = self.login().json
        assert asked.get("challenge") == "SOFTWARE_TOKEN_MFA", asked
        done = self.answer_totp(asked)
        assert done.status_code == 200 and "access_token" in done.json, done.json
        return done.json

    def answer_totp(self, challenge: dict, device=None):
        answer = {"username": self.name, "challenge": "SOFTWARE_TOKEN_MFA", "session": challenge["session"]}
        body = {**answer, "code": self.code(), **({"device": device} if device else {})}
        return self.client.post("/auth/challenge", json=body, headers=CHROME)


def track_devices(emulator, pool, config) -> None:
    """Device tracking `config` and MFA required (TOTP) on the test's pool."""
    cognito, pool_id = emulator.client, pool["user_pool_id"]
    cognito.update_user_pool(UserPoolId=pool_id, DeviceConfiguration=config, AutoVerifiedAttributes=["email"])
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
