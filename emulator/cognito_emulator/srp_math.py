"""The arithmetic of Cognito's SRP-6a variant, server side (../shared/PROTOCOLS-2.md section 1; pycognito's
aws_srp.py and Amplify's srp/*.ts compute the client side the same way): the 3072-bit group of RFC 5054, g = 2,
k = H(padHex(N) | padHex(g)), the verifier from the pool name, USER_ID_FOR_SRP and the password, the session key
(HKDF-SHA256 "Caldera Derived Key"), PASSWORD_CLAIM_SIGNATURE, and the TIMESTAMP form. Python's int, pow, hashlib
and hmac only. srp.py uses it for the emulator's sign-in.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re
import time
from typing import Any

from cognito_emulator.webauthn_ops import error

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
WRONG = "Incorrect username or password."
# Cognito asks for the answer "within a few seconds" and documents no skew; five minutes either way, as SigV4 allows.
TIMESTAMP_SKEW = 300
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TIMESTAMP = re.compile(
    r"([A-Z][a-z]{2}) ([A-Z][a-z]{2}) (0?)([1-9][0-9]?) ([0-9]{2}):([0-9]{2}):([0-9]{2}) UTC ([0-9]{4})"
)
BAD_TIMESTAMP = "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."


def pad(n: int) -> str:
    """Cognito's padHex: n's hex, even length, with a leading 00 when the first byte's high bit is set."""
    digits = format(n, "x")
    digits = "0" + digits if len(digits) % 2 else digits
    return "00" + digits if digits[0] in "89abcdef" else digits


def _hash_hex(hex_string: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_string)).hexdigest()


K = int(_hash_hex(pad(N) + pad(G)), 16)


def pool_name(pool_id: str) -> str:
    """The part of the pool id after `_` (us-east-1_AbC123 → AbC123), which SRP hashes with the user's id."""
    return pool_id.split("_", 1)[1]


def verifier(pool_id: str, user_id: str, password: str, salt_hex: str) -> int:
    """v = g^x mod N, x = H(padHex(salt) | H(poolName | USER_ID_FOR_SRP | ":" | password))."""
    inner = hashlib.sha256(f"{pool_name(pool_id)}{user_id}:{password}".encode()).hexdigest()
    return pow(G, int(_hash_hex(pad(int(salt_hex, 16)) + inner), 16), N)


def session_key(a_value: int, b_secret: int, b_value: int, v: int) -> bytes:
    """The 16-byte key both sides derive: S = (A·v^u)^b mod N, then HKDF-SHA256 "Caldera Derived Key"."""
    u = int(_hash_hex(pad(a_value) + pad(b_value)), 16)
    if u == 0:
        raise error("NotAuthorizedException", WRONG)
    s = pow(a_value * pow(v, u, N) % N, b_secret, N)
    prk = hmac.new(bytes.fromhex(pad(u)), bytes.fromhex(pad(s)), hashlib.sha256).digest()
    return hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]


def signature(key: bytes, pool_id: str, user_id: str, block: bytes, timestamp: str) -> str:
    """PASSWORD_CLAIM_SIGNATURE: base64 HMAC-SHA256 over poolName | USER_ID_FOR_SRP | SECRET_BLOCK | TIMESTAMP."""
    message = pool_name(pool_id).encode() + user_id.encode() + block + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def check_timestamp(timestamp: Any, now: float | None = None) -> None:
    """Cognito's TIMESTAMP: `Sat Sep 5 07:03:09 UTC 2026` (English names, day unpadded), the weekday true to the
    date, near now. Another form is InvalidParameterException; a padded day, a wrong weekday or a time far off
    is NotAuthorizedException (measured on Cognito, PROTOCOLS-2.md section 1)."""
    found = _TIMESTAMP.fullmatch(timestamp) if isinstance(timestamp, str) else None
    if found is None or found[1] not in DAYS or found[2] not in MONTHS:
        raise error("InvalidParameterException", BAD_TIMESTAMP)
    day, month, padded, date, hour, minute, second, year = found.groups()
    try:
        when = datetime.datetime(
            int(year), MONTHS.index(month) + 1, int(date), int(hour), int(minute), int(second), tzinfo=datetime.UTC
        )
    except ValueError:
        raise error("NotAuthorizedException", WRONG) from None
    late = abs(when.timestamp() - (time.time() if now is None else now))
    if padded or DAYS[when.weekday()] != day or late > TIMESTAMP_SKEW:
        raise error("NotAuthorizedException", WRONG)
