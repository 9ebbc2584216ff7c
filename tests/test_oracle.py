"""aws-jwt-verify as a reference oracle: what we accept it accepts; what only it accepts, we refuse on purpose."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
from collections import Counter

import pytest

from errors import TokenError
from services.tokens.jwks import JwksCache
from services.tokens.verifier import Pool, TokenVerifier
from tests.support import token_corpus
from tests.support.corpus_base import CLIENT_IDS, ISSUERS, LEEWAY, NOW, POOL_ID, Case

pytestmark = [pytest.mark.node, pytest.mark.subprocess, pytest.mark.slow]

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
ORACLE = os.path.join(NODE_DIR, "oracle.mjs")

# What aws-jwt-verify accepts and we refuse on purpose: a one-line reason, then the cases it covers as fnmatch
# patterns over "<case name>@<base kind>" (a pattern without "@" holds for every kind). Kept to what the run
# shows: a pattern that matches no such case fails the test, so the list cannot outlive the behaviour.
DELIBERATE_STRICTNESS: dict[str, tuple[str, ...]] = {
    "base64url is canonical and unpadded: one spelling per token (the verified-token cache keys on the text)": (
        "header:base64:*", "payload:base64:*", "signature:padded", "signature:non-canonical-bits",
    ),
    "no `crit`: we implement no JWS extension, and RFC 7515 says refuse what is not understood": ("header:crit:*",),
    "duplicate JSON keys are refused: aws-jwt-verify reads the last, other readers the first": (
        "header:duplicate:*", "payload:duplicate:*",
    ),
    "segments are machine-made JSON: no whitespace around the value": (
        "header:json:*-space", "payload:json:leading-space", "payload:json:trailing-newline",
    ),
    "the payload must be UTF-8 (Node's decoder silently turns bad bytes into U+FFFD)": ("payload:json:invalid-utf8",),
    "JSON nested past Python's recursion limit is refused (aws-jwt-verify parses any depth)": (
        "payload:json:deep-nesting",
    ),
    "tokens over 8 KiB are refused before any decoding": ("payload:size:over-8KiB",),
    "`sub` (not empty), `exp` and `iat` are required: aws-jwt-verify checks each only when present": (
        "payload:sub:drop", "payload:sub:type:string-empty", "payload:exp:drop", "payload:iat:drop",
    ),
    "`iat` later than now + leeway is refused: aws-jwt-verify never compares `iat` with the clock": (
        "payload:iat:future-*",
    ),
    "a user token names its user: `username` (access) / `cognito:username` (ID), not empty": (
        "payload:username:drop@access", "payload:username:type:string-empty",
        "payload:cognito:username:drop@id", "payload:cognito:username:type:string-empty@id",
    ),
    "an access token without `username` passes only if machine-shaped: `sub` == `client_id`, no `cognito:groups`": (
        "payload:sub:*@machine", "payload:client_id:other-accepted@machine", "payload:cognito:groups:*@machine",
    ),
    "NumericDates lie in 1970..3000, so `exp + leeway` and every comparison stay exact": (
        "payload:*:before-1970", "payload:exp:past-year-3000:*",
    ),
    "every claim we read has its registered type on every token type (aws-jwt-verify types only the JWT basics)": (
        "payload:auth_time:type:*", "payload:email:type:*", "payload:origin_jti:type:*", "payload:username:type:*",
        "payload:cognito:username:type:*", "payload:client_id:*@id", "payload:cognito:groups:type:*",
        "payload:cognito:groups:with-*", "payload:cognito:groups:nested", "payload:cognito:groups:comma-string",
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def corpus() -> list[Case]:
    return token_corpus.build()


def reference_verdicts(tokens: list[str], jwks: dict) -> list[dict]:
    """aws-jwt-verify's verdict on every token, from one node process."""
    node = shutil.which("node")
    if node is None or not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "aws-jwt-verify")):
        pytest.fail("node or tests/node/node_modules is missing: run `make test`, which installs them")
    config = {"userPoolId": POOL_ID, "clientId": list(CLIENT_IDS), "graceSeconds": LEEWAY, "now": NOW, "jwks": jwks}
    result = subprocess.run(
        [node, ORACLE, json.dumps(config)], input=json.dumps(tokens), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    verdicts = json.loads(result.stdout)
    assert len(verdicts) == len(tokens)
    return verdicts


def our_verdicts(tokens: list[str], jwks_url: str) -> list[dict]:
    """Our verifier's verdict on every token; anything but TokenError is a crash, reported as such."""
    pool = Pool("oracle", frozenset(ISSUERS.values()), frozenset(CLIENT_IDS), JwksCache(jwks_url))
    verifier = TokenVerifier([pool], leeway=LEEWAY, clock=lambda: NOW)
    verdicts = []
    for token in tokens:
        try:
            verifier.verify(token, {"id", "access"})
            verdicts.append({"accepted": True, "error": None})
        except TokenError as err:
            verdicts.append({"accepted": False, "error": str(err)})
        except Exception as err:  # a crash is an outcome to report, not a reason to stop
            verdicts.append({"accepted": False, "error": f"CRASH {type(err).__name__}: {err}"})
    return verdicts


def outcome(ours: dict, reference: dict) -> str:
    if ours["error"] and ours["error"].startswith("CRASH"):
        return "we crash"
    return {
        (True, True): "both accept",
        (False, False): "both refuse",
        (False, True): "only the reference accepts",
        (True, False): "only we accept",
    }[ours["accepted"], reference["accepted"]]


def unexplained_strictness(keys: list[str]) -> list[str]:
    """Problems with DELIBERATE_STRICTNESS, given the case keys of every token only aws-jwt-verify accepted."""
    patterns = {p if "@" in p else f"{p}@*": reason for reason, ps in DELIBERATE_STRICTNESS.items() for p in ps}
    reasons = {key: next((r for p, r in patterns.items() if fnmatch.fnmatchcase(key, p)), None) for key in keys}
    for reason, count in Counter(reasons[key] for key in keys).most_common():
        print(f"  {count:4} tokens: {reason or 'NOT EXPLAINED'}")
    stale = [p for p in patterns if not any(fnmatch.fnmatchcase(key, p) for key in reasons)]
    return [
        f"only aws-jwt-verify accepts, not in DELIBERATE_STRICTNESS: {key}" for key, r in reasons.items() if not r
    ] + [f"DELIBERATE_STRICTNESS pattern the run no longer shows: {p}" for p in stale]


def test_we_accept_nothing_the_reference_refuses(corpus, jwks_host):
    tokens = [case.token for case in corpus]
    reference = reference_verdicts(tokens, jwks_host.document)
    ours = our_verdicts(tokens, jwks_host.url)
    outcomes = [outcome(o, r) for o, r in zip(ours, reference, strict=True)]
    counts = Counter(outcomes)
    print(f"\n{len(corpus)} tokens: " + ", ".join(f"{name} {count}" for name, count in sorted(counts.items())))

    rows = list(zip(corpus, ours, reference, outcomes, strict=True))
    problems = [
        f"{kind}: {case.name} [{case.base}]: ours {o['error']!r}, aws-jwt-verify {r['error']!r}"
        for case, o, r, kind in rows
        if kind in ("we crash", "only we accept")
    ]
    stricter = [
        f"{case.name}@{case.base.split('/')[0]}" for case, _, _, kind in rows if kind == "only the reference accepts"
    ]
    problems += unexplained_strictness(stricter)
    assert not problems, "\n".join(problems)

    # Not vacuous: a big corpus, every unmutated token (all kinds, both issuer forms) accepted by both.
    assert len(corpus) >= 1000
    valid = [kind for case, _, _, kind in rows if case.name.startswith("valid:")]
    assert valid and valid.count("both accept") == len(valid)
    assert counts["both accept"] >= 200 and counts["both refuse"] >= 500
