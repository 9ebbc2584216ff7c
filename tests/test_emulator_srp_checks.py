"""The emulator's PASSWORD_VERIFIER checks (srp.py), each refused as Cognito refuses it: a tampered
signature, a used, foreign or made-up SECRET_BLOCK, another app client, a TIMESTAMP not in Cognito's form, an SRP_A
of zero; and a challenge kept in the saved state. Sources: ../shared/PROTOCOLS-2.md section 1 (with the errors
measured on Cognito) and botocore's cognito-idp model (RespondToAuthChallenge: PASSWORD_VERIFIER must be answered
"within a few seconds").
"""

from __future__ import annotations

import base64
import datetime
import json

import pytest

from cognito_emulator import factors, snapshot, srp, srp_math
from tests.support.helpers import PASSWORD
from tests.support.srp_client import SrpClient, timestamp
from tests.support.srp_steps import WRONG, Srp, srp_app_client
from tests.support.userauth import refusal

# The emulator serves in a thread of this process: an error it logs (an HTML 500) fails the test.
pytestmark = pytest.mark.usefixtures("no_emulator_errors")


def test_a_tampered_signature_is_refused(srp_flow, srp_alice):
    """One flipped byte of PASSWORD_CLAIM_SIGNATURE: NotAuthorizedException."""
    client, challenge = srp_flow.start("alice")
    responses = client.responses(PASSWORD, challenge["ChallengeParameters"])
    signed = bytearray(base64.b64decode(responses["PASSWORD_CLAIM_SIGNATURE"]))
    signed[0] ^= 1
    responses["PASSWORD_CLAIM_SIGNATURE"] = base64.b64encode(bytes(signed)).decode()
    assert refusal(srp_flow.answer, challenge=challenge, responses=responses) == WRONG


def test_a_secret_block_is_good_once_and_only_for_its_challenge(srp_flow, srp_alice):
    """A used SECRET_BLOCK, or another challenge's, is refused; a refused answer ends its challenge too."""
    client, challenge = srp_flow.start("alice")
    good = client.responses(PASSWORD, challenge["ChallengeParameters"])
    assert "AuthenticationResult" in srp_flow.answer(challenge, good)
    assert refusal(srp_flow.answer, challenge=challenge, responses=good) == WRONG  # stale
    first_client, first = srp_flow.start("alice")
    _, second = srp_flow.start("alice")
    # The first challenge's session with the second's block (signed with it): not this challenge's block.
    foreign = first_client.responses(
        PASSWORD, first["ChallengeParameters"], block=second["ChallengeParameters"]["SECRET_BLOCK"]
    )
    assert refusal(srp_flow.answer, challenge=first, responses=foreign) == WRONG
    assert (
        refusal(
            srp_flow.answer, challenge=first, responses=first_client.responses(PASSWORD, first["ChallengeParameters"])
        )
        == WRONG
    )
    made_up = dict(second, Session=None)
    del made_up["Session"]
    invented = first_client.responses(
        PASSWORD, first["ChallengeParameters"], block=base64.b64encode(b"x" * 64).decode()
    )
    assert refusal(srp_flow.answer, challenge=made_up, responses=invented) == WRONG


def test_a_block_from_another_app_client_is_refused(emulator, pool, srp_flow, srp_alice):
    """A challenge belongs to the app client that started it."""
    other = srp_app_client(emulator, pool["user_pool_id"], "other")
    client, challenge = srp_flow.start("alice")
    responses = client.responses(PASSWORD, challenge["ChallengeParameters"])
    stranger = Srp(emulator, pool["user_pool_id"], other["ClientId"])
    assert refusal(stranger.answer, challenge=challenge, responses=responses) == WRONG


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("Sat Sep 05 07:03:09 UTC 2026", WRONG),  # a padded day (measured: NotAuthorizedException)
        ("Sun Sep 5 07:03:09 UTC 2026", WRONG),  # 5 September 2026 is a Saturday
        (None, WRONG),  # right form, ten minutes old: Cognito wants the answer within seconds
        ("2026-09-05T07:03:09Z", ("InvalidParameterException", srp_math.BAD_TIMESTAMP)),
        ("Sa. Sep. 5 07:03:09 MESZ 2026", ("InvalidParameterException", srp_math.BAD_TIMESTAMP)),
    ],
)
def test_a_timestamp_not_in_cognitos_form_is_refused(srp_flow, srp_alice, stamp, expected):
    """TIMESTAMP "EEE MMM d HH:mm:ss z yyyy" in English, UTC, now; the signature covers it, so each one is signed
    right here and only the form is wrong (PROTOCOLS-2.md section 1; amazon-cognito-identity-js issue #683)."""
    if stamp is None:
        stamp = timestamp(datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10))
    client, challenge = srp_flow.start("alice")
    responses = client.responses(PASSWORD, challenge["ChallengeParameters"], when=stamp)
    assert refusal(srp_flow.answer, challenge=challenge, responses=responses) == expected


def test_the_weekday_check_reads_the_date():
    """The day of the week is checked against the date itself: Saturday 5 September 2026 is right."""
    srp_math.check_timestamp(
        "Sat Sep 5 07:03:09 UTC 2026", now=datetime.datetime(2026, 9, 5, 7, 3, 9, tzinfo=datetime.UTC).timestamp()
    )


def test_an_srp_a_of_zero_is_refused(srp_flow, srp_alice):
    """SRP-6a: A ≡ 0 (mod N) would make the key independent of the password; the server refuses it."""

    class Zero(SrpClient):
        srp_a = format(srp_math.N, "x")  # type: ignore[assignment]

    code, _ = refusal(srp_flow.start, username="alice", client=Zero(srp_flow.pool_id))
    assert code == "NotAuthorizedException"


def test_a_challenge_survives_a_save_and_restore(emulator, pool, srp_flow, srp_alice):
    """The server's half of a challenge is kept with the sign-in session (factors.py), saved as plain JSON
    (snapshot.py): a restored emulator checks the answer as the first would have."""
    from moto.cognitoidp.models import CognitoIdpBackend

    from cognito_emulator.emulator import _backend

    client, challenge = srp_flow.start("alice")
    document = json.loads(json.dumps(snapshot.dump(_backend().user_pools, _backend().user_pool_domains, {})))
    restored = CognitoIdpBackend("us-east-1", "123456789012")
    snapshot.restore(document, restored)
    sessions = factors.extras(restored.user_pools[pool["user_pool_id"]])["sessions"]
    assert sessions[challenge["Session"]]["srp"]["block"] == challenge["ChallengeParameters"]["SECRET_BLOCK"]
    wrong = client.responses("Wr0ngPass!", challenge["ChallengeParameters"])
    with pytest.raises(Exception, match="Incorrect username or password"):
        srp.verify(restored, pool["client_id"], challenge["Session"], wrong)
    client, challenge = srp_flow.start("alice")
    document = json.loads(json.dumps(snapshot.dump(_backend().user_pools, _backend().user_pool_domains, {})))
    restored = CognitoIdpBackend("us-east-1", "123456789012")
    snapshot.restore(document, restored)
    right = client.responses(PASSWORD, challenge["ChallengeParameters"])
    assert "AuthenticationResult" in srp.verify(restored, pool["client_id"], challenge["Session"], right)
