"""The shapes of pool ids, client ids, regions and URLs that config.py checks, and the two settings too
structured for one line of text: COGNITO_ADDITIONAL_POOLS (JSON) and ALB_ARNS. Read once, at start-up.

Config's own module (not a service): config.py imports no layer, so every layer may import config."""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

POOL_ID = re.compile(r"^(?P<region>[a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+$")
# Cognito's own pattern for pool ids, which emulators (cognito-local's `local_5mw6owVR`) also follow.
ANY_POOL_ID = re.compile(r"^[\w-]{1,50}_[0-9A-Za-z]{1,50}$", re.ASCII)
REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d$|^local$")
CLIENT_ID = re.compile(r"^[\w+]{1,128}$", re.ASCII)  # Cognito's pattern for ClientId
# aws-jwt-verify's pattern for a load balancer's ARN; the group is its region.
ALB_ARN = re.compile(r"^arn:(?:aws|aws-cn|aws-us-gov):elasticloadbalancing:([a-z]{2}-(?:gov-)?[a-z]+-\d):\S+$")
DEFAULT_ALB_KEY_URL = "https://public-keys.auth.elb.{region}.amazonaws.com/{kid}"
POOL_FIELDS = frozenset({"pool_id", "region", "client_ids", "issuer", "jwks_url"})


class SettingError(ValueError):
    """A structured setting is malformed; the message says where (config.py prefixes the variable)."""


@dataclass(frozen=True)
class PoolSettings:
    """One pool whose tokens are accepted: its id, region, app clients, and optionally its exact issuer and JWKS URL."""

    pool_id: str
    region: str
    client_ids: frozenset[str]
    issuer: str | None = None
    jwks_url: str = ""

    @property
    def issuers(self) -> frozenset[str]:
        """Every `iss` accepted: exactly `issuer`, or both of AWS's forms (ORIGINAL and UPDATED)."""
        if self.issuer:
            return frozenset({self.issuer})
        return frozenset({aws_issuer(self.region, self.pool_id), aws_issuer(self.region, self.pool_id, updated=True)})

    @property
    def keys_url(self) -> str:
        """Where the pool's signing keys are: `jwks_url`, else the issuer's well-known JWKS."""
        return self.jwks_url or f"{self.issuer or aws_issuer(self.region, self.pool_id)}/.well-known/jwks.json"


def aws_issuer(region: str, pool_id: str, *, updated: bool = False) -> str:
    """A pool's issuer on AWS: the original form, or (`updated`) the `issuer-cognito-idp` one."""
    return f"https://{'issuer-' if updated else ''}cognito-idp.{region}.amazonaws.com/{pool_id}"


def is_url(value: str | None) -> bool:
    """An http(s) URL with a host, without surrounding spaces."""
    parts = urlsplit(value or "")
    return value is not None and parts.scheme in ("http", "https") and bool(parts.hostname) and value == value.strip()


def is_loopback_url(url: str) -> bool:
    """True when the URL's host is localhost or a loopback address."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_fetchable(url: str) -> bool:
    """HTTPS, or plain HTTP on loopback only (an emulator, a test's key server)."""
    scheme = urlsplit(url).scheme
    return is_url(url) and (scheme == "https" or (scheme == "http" and is_loopback_url(url)))


def is_app_url(value: str) -> bool:
    """An absolute https URL with no fragment (plain http only on loopback, for local runs)."""
    parts = urlsplit(value)
    secure = parts.scheme == "https" or (parts.scheme == "http" and is_loopback_url(value))
    return is_url(value) and secure and not parts.fragment and not parts.username and not parts.password


def is_origin(value: str) -> bool:
    """An app URL with nothing after the host (and port): where /oauth2/authorize and /logout are."""
    parts = urlsplit(value)
    return is_app_url(value) and not parts.path and not parts.query and not value.endswith("?")


def read_pools(text: str) -> tuple[PoolSettings, ...]:
    """COGNITO_ADDITIONAL_POOLS: a JSON array of objects with `pool_id`, `client_ids` and optionally `region`,
    `issuer`, `jwks_url`; SettingError names the first problem (never echoing a whole value)."""
    try:
        document = json.loads(text)
    except ValueError:
        raise SettingError(
            'must be a JSON array of pools, such as [{"pool_id": "eu-west-1_AbC123", "client_ids": ["client1"]}]'
        ) from None
    if not isinstance(document, list) or not document:
        raise SettingError("must be a non-empty JSON array of pools")
    pools = tuple(_pool(index, entry) for index, entry in enumerate(document))
    ids = [pool.pool_id for pool in pools]
    duplicate = next((pool_id for pool_id in ids if ids.count(pool_id) > 1), None)
    if duplicate is not None:
        raise SettingError(f"names the pool {duplicate!r} twice")
    return pools


def _pool(index: int, entry: Any) -> PoolSettings:
    where = f"pool {index}"
    if not isinstance(entry, dict):
        raise SettingError(f"{where} must be an object")
    unknown = sorted(set(entry) - POOL_FIELDS)
    if unknown:
        raise SettingError(
            f"{where} has an unknown field {unknown[0][:40]!r} (known: {', '.join(sorted(POOL_FIELDS))})"
        )
    pool_id = entry.get("pool_id")
    if not isinstance(pool_id, str) or not ANY_POOL_ID.match(pool_id):
        raise SettingError(f"{where} needs a 'pool_id' such as 'eu-west-1_AbC123'")
    where = f"pool {pool_id!r}"
    named = POOL_ID.match(pool_id)
    region = entry.get("region", named["region"] if named else None)
    if not isinstance(region, str) or not REGION.match(region):
        raise SettingError(f"{where} needs a 'region' such as 'us-east-1' (its id names none)")
    if named and region != named["region"]:
        raise SettingError(f"{where}: 'region' does not match the region in its id")
    client_ids = entry.get("client_ids")
    if not isinstance(client_ids, list) or not client_ids:
        raise SettingError(f"{where} needs 'client_ids', a non-empty list of app client ids")
    if not all(isinstance(client, str) and CLIENT_ID.match(client) for client in client_ids):
        raise SettingError(f"{where}: 'client_ids' must list app client ids")
    issuer, jwks_url = entry.get("issuer"), entry.get("jwks_url", "")
    if issuer is not None and not (isinstance(issuer, str) and is_url(issuer)):
        raise SettingError(f"{where}: 'issuer' must be the exact issuer URL")
    pool = PoolSettings(pool_id, region, frozenset(client_ids), issuer, jwks_url if isinstance(jwks_url, str) else "")
    if not isinstance(jwks_url, str) or not is_fetchable(pool.keys_url):
        raise SettingError(f"{where}: 'jwks_url' must be https (plain http only on loopback)")
    return pool


def read_alb_arns(text: str) -> tuple[str, ...]:
    """ALB_ARNS: comma-separated load balancer ARNs, all of one region (their keys come from that region)."""
    arns = tuple(part.strip() for part in text.split(",") if part.strip())
    for arn in arns:
        if not ALB_ARN.match(arn):
            raise SettingError(f"{arn[:120]!r} is not a load balancer's ARN (arn:aws:elasticloadbalancing:...)")
    if len({alb_region(arn) for arn in arns}) > 1:
        raise SettingError("the load balancers must all be in one region")
    return arns


def alb_region(arn: str) -> str:
    """The region an ALB ARN names."""
    match = ALB_ARN.match(arn)
    assert match is not None  # read_alb_arns let only ARNs through
    return match[1]
