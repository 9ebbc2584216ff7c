"""The client side of Cognito's SRP, written from Amplify's and pycognito's formulas (../shared/PROTOCOLS-2.md
section 1), for tests that need to tamper with one step (a stopgap where pycognito is not installed: the
conformance file tests/test_conformance_pycognito.py drives pycognito itself). It shares nothing with the
emulator's cognito_emulator/srp_math.py on purpose: an error in one would not be repeated in the other.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import secrets
from typing import Any

_N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
_G = 2
# k as pycognito writes it: H("00" + N + "02"), its literal; the emulator computes it from integers.
_K = int(hashlib.sha256(bytes.fromhex("00" + format(_N, "X") + "02")).hexdigest(), 16)


def _pad(n: int) -> str:
    text = format(n, "x")
    if len(text) % 2:
        return "0" + text
    return "00" + text if int(text[0], 16) >= 8 else text


def _h(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


def timestamp(when: datetime.datetime | None = None) -> str:
    """Cognito's TIMESTAMP, as Amplify's getNowString writes it (day of month unpadded)."""
    when = when or datetime.datetime.now(datetime.UTC)
    days, months = "Mon Tue Wed Thu Fri Sat Sun".split(), "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    clock = f"{when.hour:02d}:{when.minute:02d}:{when.second:02d}"
    return f"{days[when.weekday()]} {months[when.month - 1]} {when.day} {clock} UTC {when.year}"


class SrpClient:
    """One sign-in's client half: SRP_A to send, then the PASSWORD_VERIFIER responses for a challenge."""

    def __init__(self, pool_id: str) -> None:
        self.pool_name = pool_id.split("_")[1]
        self.a = secrets.randbits(1024) % _N
        self.big_a = pow(_G, self.a, _N)

    @property
    def srp_a(self) -> str:
        """SRP_A as Amplify sends it: lowercase hex, no padding."""
        return format(self.big_a, "x")

    def key(self, user_id: str, password: str, parameters: dict[str, str]) -> bytes:
        """The HKDF key the client derives from the challenge and the password."""
        big_b, salt = int(parameters["SRP_B"], 16), int(parameters["SALT"], 16)
        u = int(_h(_pad(self.big_a) + _pad(big_b)), 16)
        inner = hashlib.sha256(f"{self.pool_name}{user_id}:{password}".encode()).hexdigest()
        x = int(_h(_pad(salt) + inner), 16)
        s = pow((big_b - _K * pow(_G, x, _N)) % _N, self.a + u * x, _N)
        prk = hmac.new(bytes.fromhex(_pad(u)), bytes.fromhex(_pad(s)), hashlib.sha256).digest()
        return hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]

    def responses(
        self, password: str, parameters: dict[str, str], *, when: str | None = None, block: str | None = None
    ) -> dict[str, Any]:
        """ChallengeResponses for PASSWORD_VERIFIER (USERNAME = USER_ID_FOR_SRP, as Amplify sends it)."""
        user_id = parameters["USER_ID_FOR_SRP"]
        stamp = when or timestamp()
        secret_block = block or parameters["SECRET_BLOCK"]
        message = self.pool_name.encode() + user_id.encode() + base64.b64decode(secret_block) + stamp.encode()
        signed = hmac.new(self.key(user_id, password, parameters), message, hashlib.sha256).digest()
        return {
            "USERNAME": user_id,
            "TIMESTAMP": stamp,
            "PASSWORD_CLAIM_SECRET_BLOCK": secret_block,
            "PASSWORD_CLAIM_SIGNATURE": base64.b64encode(signed).decode(),
        }
