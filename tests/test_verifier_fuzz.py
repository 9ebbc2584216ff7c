"""The verifier is total: a bounded coverage-guided fuzz run finds no crash, and every input that ever crashed it
(an exception other than TokenError, so a 500) now ends in TokenError and a 401.

`FUZZ_VERIFIER_SECONDS` (default 60; 0 skips the run) sets the fuzz run's length; tests/support/fuzz_verifier.py is the
harness and says what it feeds the verifier.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from string import Template

import pytest

from app import create_app
from errors import TokenError
from services.tokens.jwks import JwksCache
from services.tokens.verifier import Pool, TokenVerifier
from tests.support import fuzz_verifier
from tests.support.helpers import ROOT, Minter

SECONDS = int(os.environ.get("FUZZ_VERIFIER_SECONDS", "60"))
OTHER_CLIENT = "otherclient2"


@pytest.mark.subprocess
@pytest.mark.slow
def test_a_fuzz_run_finds_no_crash(tmp_path):
    if SECONDS <= 0:
        pytest.skip("FUZZ_VERIFIER_SECONDS=0")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for index, seed in enumerate(fuzz_verifier.seeds()):
        (corpus / f"seed-{index}").write_bytes(seed)
    dictionary = tmp_path / "tokens.dict"
    dictionary.write_text(fuzz_verifier.dictionary())
    options = [f"-max_total_time={SECONDS}", f"-dict={dictionary}", f"-artifact_prefix={tmp_path}/"]
    command = [
        sys.executable,
        "-m",
        "tests.support.fuzz_verifier",
        str(corpus),
        *options,
        "-timeout=10",
        "-print_final_stats=1",
    ]
    env = {name: value for name, value in os.environ.items() if not name.startswith(("COGNITO_", "AWS_"))}
    env["PYTHONPATH"] = os.path.join(ROOT, "emulator")  # tests/support imports the emulator's package, as pytest does
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=SECONDS + 180)
    if run.returncode != 0:
        crash = re.search(r"crashing token: .*", run.stderr)
        saved = sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(("crash-", "timeout-", "oom-")))
        pytest.fail(
            f"the verifier crashed ({', '.join(saved) or 'no input saved'} in {tmp_path}):\n"
            f"{crash.group(0) if crash else ''}\n{run.stderr[-6000:]}"
        )
    executed = int(re.search(r"stat::number_of_executed_units:\s*(\d+)", run.stderr).group(1))
    print(f"fuzz run: {executed} inputs in {SECONDS} s, no crash")
    assert executed >= 10 * SECONDS  # the run really ran (about 1,000 to 3,000 a second)


# Every input that ever crashed the verifier, as the payload of a token signed with the pool's key (placeholders:
# $iss and $client the pool's, $other an accepted extra client, $now the time). The first is the reported one;
# the others are what atheris found on the verifier before claim types were checked, nearly as found.
CRASHERS = {
    "token_use a list (reported)": '{"iss": "$iss", "sub": "s", "token_use": ["access"], "client_id": "$client",'
    ' "username": "u", "exp": $exp, "iat": $now}',
    "token_use a list of mixed values": '{"iss": "$iss", "sub": "sub-1", "iat": $now, "auth_time": $now, "exp": $exp,'
    ' "jti": "j", "origin_jti": "o", "token_use": [false, {"cognito:username": ""}, {}], "aud": "$client",'
    ' "cognito:username": "alice", "email": "a@example.com", "x": "$other"}',
    "token_use an object": '{"iss": "$iss", "sub": "sub-1", "iat": $now, "exp": $exp, "jti": "j", "origin_jti": "o",'
    ' "token_use": {}, "aud": "$client", "cognito:username": "alice", "email": "a@example.com"}',
    "iss an object": '{"iss": {}, "sub": "sub-1", "iat": $now, "auth_time": $now, "exp": $exp, "jti": "j",'
    ' "origin_jti": "o", "token_use": "id", "aud": "$client", "cognito:username": "alice", "email": "a@example.com",'
    ' "cognito:groups": {}}',
    "iss an empty list": '{"iss": [], "sub": "sub-1", "iat": $now, "auth_time": $now, "exp": $exp, "jti": "j",'
    ' "origin_jti": "o", "token_use": "id", "aud": "$client", "cognito:username": "alice", "email": "a@example.com",'
    ' "preferred_username": 1800000002}',
    "client_id an object, iat an object": '{"iss": "$iss", "sub": "$client", "auth_time": $now, "exp": $exp,'
    ' "jti": "j", "origin_jti": "o", "token_use": "access", "client_id": {}, "scope": "orders/read", "iat": {}}',
    "client_id a list holding an accepted client": '{"iss": "$iss", "sub": 1800000005, "iat": $now,'
    ' "auth_time": $now, "exp": $exp, "jti": "j", "origin_jti": "o", "token_use": "access", "client_id": ["$other"],'
    ' "username": "alice", "scope": "openid", "aud": 1800000006, "preferred_username": 1799999995}',
    "client_id a list (minimal)": '{"iss": "$iss", "sub": "s", "token_use": "access", "client_id": ["$client"],'
    ' "username": "u", "exp": $exp, "iat": $now}',
    "aud an object": '{"iss": "$iss", "sub": "s", "token_use": "id", "aud": {"$client": true},'
    ' "cognito:username": "u", "exp": $exp, "iat": $now}',
}


def crasher(minter: Minter, case: str) -> str:
    now = int(time.time())
    payload = Template(CRASHERS[case]).substitute(
        iss=minter.issuer, client=minter.client_id, other=OTHER_CLIENT, now=now, exp=now + 3600
    )
    return minter.signed(minter.header(), payload)


@pytest.mark.parametrize("case", list(CRASHERS))
def test_every_input_that_ever_crashed_the_verifier_is_a_token_error(jwks_host, case):
    minter = Minter("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_crash", "crashclient1")
    pool = Pool(
        "crash", frozenset({minter.issuer}), frozenset({minter.client_id, OTHER_CLIENT}), JwksCache(jwks_host.url)
    )
    verifier = TokenVerifier([pool])
    with pytest.raises(TokenError):
        verifier.verify(crasher(minter, case), {"id", "access"})


@pytest.mark.parametrize("case", list(CRASHERS))
def test_every_input_that_ever_crashed_the_verifier_is_401(pool, jwks_host, case):
    app = create_app({**pool, "jwks_url": jwks_host.url, "accepted_client_ids": frozenset({OTHER_CLIENT})})
    settings = app.extensions["cognito_auth"].settings
    token = crasher(Minter(settings.issuer, settings.client_id), case)
    client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
    for response in (
        client.get("/hello", headers=headers),
        client.post("/auth/validate", headers=headers),
        client.post("/auth/validate", json={"token": token}),
    ):
        assert response.status_code == 401, response.json
        assert response.json["error"] == "invalid_token"
