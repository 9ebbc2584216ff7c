"""ALB-signed tokens for tests: the load balancer's key endpoint, a minter of its ES256 headers, the header."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.helpers import Request, ScriptedServer

ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/front/50dc6c495c0c9188"


class KeyEndpoint:
    """The region's public-key endpoint, locally: GET /<kid> answers that kid's PEM, 404 for another kid."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.pems = {KID: pem(self.key)}
        self.status = 200
        self.server = ScriptedServer(self._reply)
        self.url = f"{self.server.url}/{{kid}}"

    def _reply(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        if self.status != 200:
            return self.status, {}, b"down"
        found = self.pems.get(request.path.lstrip("/"))
        return (200, {"Content-Type": "text/plain"}, found) if found else (404, {}, b"")

    @property
    def fetches(self) -> int:
        return len(self.server.requests)


class AlbMinter:
    """Tokens shaped like ALB's: the checked fields in the header, Cognito's userInfo claims in the payload."""

    def __init__(self, issuer: str, client_id: str, key: ec.EllipticCurvePrivateKey) -> None:
        self.issuer, self.client_id, self.key = issuer, client_id, key

    def header(self, **overrides: Any) -> dict[str, Any]:
        exp = int(time.time()) + 120
        header = {"typ": "JWT", "kid": KID, "alg": "ES256", "iss": self.issuer, "client": self.client_id}
        return {**header, "signer": ARN, "exp": exp, **overrides}

    def claims(self, **overrides: Any) -> dict[str, Any]:
        exp = int(time.time()) + 120
        claims = {"sub": "5f7c-alb-user", "email_verified": "true", "email": "alb@example.com", "username": "albuser"}
        return {**claims, "exp": exp, "iss": self.issuer, **overrides}

    def token(
        self,
        header: dict[str, Any] | None = None,
        claims: dict[str, Any] | None = None,
        *,
        key: Any = None,
        padded: bool = True,
        alg: str = "ES256",
    ) -> str:
        """A token as ALB sends it (padded segments by default), signed with `alg` by `key` (the served key)."""
        signing_input = f"{segment(header or self.header(), padded)}.{segment(claims or self.claims(), padded)}"
        if alg == "none":
            signature = b""
        elif alg == "HS256":  # PyJWT refuses a PEM as an HMAC secret: that is the attack, so sign by hand
            signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
        else:
            signature = jwt.get_algorithm_by_name(alg).sign(signing_input.encode(), key or self.key)
        encoded = base64.urlsafe_b64encode(signature).decode()
        return f"{signing_input}.{encoded if padded else encoded.rstrip('=')}"


def alb_header(token: str) -> dict[str, str]:
    return {HEADER: token}


KID = str(uuid.uuid4())


HEADER = "X-Amzn-Oidc-Data"


def pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def segment(part: dict[str, Any], padded: bool) -> str:
    encoded = base64.urlsafe_b64encode(json.dumps(part).encode()).decode()
    return encoded if padded else encoded.rstrip("=")
