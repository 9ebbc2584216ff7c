"""moto is taught once per process: a second emulator (a restart in the same process, a second fixture) must not
wrap moto's methods again, or the wrappers installed last (the triggers') are lost under the earlier ones."""

from __future__ import annotations

from cognito_emulator.emulator import LocalCognito


def test_a_second_emulator_leaves_moto_as_the_first_taught_it():
    from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool
    from moto.cognitoidp.responses import CognitoIdpResponse

    def taught() -> list:
        return [
            CognitoIdpResponse.confirm_forgot_password,
            CognitoIdpResponse.confirm_sign_up,
            CognitoIdpResponse.call_action,
            CognitoIdpBackend.sign_up,
            CognitoIdpUserPool.create_jwt,
        ]

    first = LocalCognito()
    try:
        before = taught()
    finally:
        first.stop()
    second = LocalCognito()
    try:
        assert taught() == before
    finally:
        second.stop()
