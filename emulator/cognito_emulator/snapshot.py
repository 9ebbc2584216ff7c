"""The emulator's state as plain JSON-able data, and back: the one place that knows moto's classes.

The saved shape is our own (Cognito's names where it has them), so a moto upgrade cannot make a saved file
unreadable: `restore` reads each field it knows with a default and ignores the ones it does not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cognito_emulator import factors

FORMAT, VERSION = "cognito-emulator-state", 1
# Fields are only ever added, each read with a default, so the version stays: each pool's `passwordless` (passkeys,
# WebAuthn settings, sign-in sessions, codes: factors.py) came later, and a file without it reads as none.


def _date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _undate(value: Any) -> datetime:
    from moto.core.utils import utcnow

    return datetime.fromisoformat(value) if isinstance(value, str) else utcnow()


def _plain(value: Any) -> Any:
    """A copy of settings with dates as ISO strings, so json can write them."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return _date(value)


def _user(user: Any) -> dict[str, Any]:
    return {
        "sub": user.id,
        "username": user.username,
        "password": user.password,
        "status": str(getattr(user.status, "value", user.status)),
        "enabled": user.enabled,
        "attributes": _plain(user.attributes),
        "sms_mfa_enabled": user.sms_mfa_enabled,
        "software_token_mfa_enabled": user.software_token_mfa_enabled,
        "preferred_mfa_setting": user.preferred_mfa_setting,
        # The TOTP secret itself is kept with the pool's extras (mfa.py); whether the app proved it, here.
        "totp_verified": user.token_verified,
        "confirmation_code": user.confirmation_code,
        "groups": sorted(group.group_name for group in user.groups),
        "create_date": _date(user.create_date),
        "last_modified_date": _date(user.last_modified_date),
    }


def _pool(pool: Any) -> dict[str, Any]:
    return {
        "id": pool.id,
        "name": pool.name,
        "account_id": pool.account_id,
        "region": pool.region,
        "status": pool.status,
        "settings": _plain(pool.extended_config),
        "mfa": {"configuration": pool.mfa_config, "sms": _plain(pool.sms_mfa_config), "totp": pool.token_mfa_config},
        "schema": [_plain(attribute.to_json()) for attribute in pool.schema_attributes.values()],
        "creation_date": _date(pool.creation_date),
        "last_modified_date": _date(pool.last_modified_date),
        "clients": [
            {
                "id": c.id,
                "secret": c.secret,
                "generate_secret": c.generate_secret,
                "settings": _plain(c.extended_config),
            }
            for c in pool.clients.values()
        ],
        "groups": [
            {
                "name": g.group_name,
                "description": g.description,
                "role_arn": g.role_arn,
                "precedence": g.precedence,
                "creation_date": _date(g.creation_date),
                "last_modified_date": _date(g.last_modified_date),
            }
            for g in pool.groups.values()
        ],
        "users": [_user(user) for user in pool.users.values()],
        "identity_providers": [
            {"name": p.name, "settings": _plain(p.extended_config)} for p in pool.identity_providers.values()
        ],
        "resource_servers": [
            {"identifier": s.identifier, "name": s.name, "scopes": _plain(s.scopes)}
            for s in pool.resource_servers.values()
        ],
        # None marks a refresh token signed out with GlobalSignOut (moto keeps it so).
        "refresh_tokens": {token: list(issued) if issued else None for token, issued in pool.refresh_tokens.items()},
        "access_tokens": {token: list(issued) for token, issued in pool.access_tokens.items()},
        "id_tokens": {token: list(issued) for token, issued in pool.id_tokens.items()},
        # The scopes and auth_time behind each refresh token the OAuth endpoints issued (oauth/records.py).
        "oauth_grants": dict(getattr(pool, "oauth_grants", {})),
        "passwordless": factors.extras(pool),
    }


def dump(pools: dict[str, Any], domains: dict[str, Any], ids: dict[str, Any]) -> dict[str, Any]:
    """moto's pools and domains (and the local server's ids) as the saved document."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "ids": dict(ids),
        "pools": [_pool(pool) for pool in list(pools.values())],
        "domains": [
            {"domain": d.domain, "user_pool_id": d.user_pool_id, "custom_domain_config": _plain(d.custom_domain_config)}
            for d in list(domains.values())
        ],
    }


def _restore_user(models: Any, pool_id: str, saved: dict[str, Any], groups: dict[str, Any]) -> Any:
    status = saved.get("status", "CONFIRMED")
    user = models.CognitoIdpUser(pool_id, saved["username"], saved.get("password"), status, [])
    user.status = models.UserStatus(status) if status in {s.value for s in models.UserStatus} else status
    user.id = saved.get("sub") or user.id
    if saved.get("attributes"):  # in their saved order (update_attributes would reorder them)
        user.attributes = [{"Name": a["Name"], "Value": a["Value"]} for a in saved["attributes"]]
        user.attribute_lookup = models.flatten_attrs(user.attributes)
    user.enabled = bool(saved.get("enabled", True))
    user.sms_mfa_enabled = bool(saved.get("sms_mfa_enabled", False))
    user.software_token_mfa_enabled = bool(saved.get("software_token_mfa_enabled", False))
    user.preferred_mfa_setting = saved.get("preferred_mfa_setting")
    user.token_verified = bool(saved.get("totp_verified", False))
    user.confirmation_code = saved.get("confirmation_code")
    for name in saved.get("groups") or []:
        if name in groups:  # both ends of moto's two-way link
            user.groups.add(groups[name])
            groups[name].users.add(user)
    user.create_date, user.last_modified_date = (
        _undate(saved.get("create_date")),
        _undate(saved.get("last_modified_date")),
    )
    return user


def _restore_pool(saved: dict[str, Any]) -> Any:
    from moto.cognitoidp import models

    pool = models.CognitoIdpUserPool(saved["account_id"], saved["region"], saved["name"], saved.get("settings") or {})
    pool.id, pool.status = saved["id"], saved.get("status")
    pool.arn = pool.arn.rsplit("/", 1)[0] + "/" + pool.id
    mfa = saved.get("mfa") or {}
    pool.mfa_config = mfa.get("configuration") or "OFF"
    pool.sms_mfa_config, pool.token_mfa_config = mfa.get("sms"), mfa.get("totp")
    if saved.get("schema"):
        pool.schema_attributes = {}
        for schema in saved["schema"]:
            custom = schema["Name"].startswith(("custom:", "dev:custom:"))
            base = schema["Name"].rsplit(":", 1)[-1] if custom else schema["Name"]
            attribute = models.CognitoIdpUserPoolAttribute(base, custom, schema)
            pool.schema_attributes[attribute.name] = attribute
    pool.creation_date, pool.last_modified_date = (
        _undate(saved.get("creation_date")),
        _undate(saved.get("last_modified_date")),
    )
    for c in saved.get("clients") or []:
        client = models.CognitoIdpUserPoolClient(pool.id, bool(c.get("generate_secret")), c.get("settings") or {})
        client.id, client.secret = c["id"], c.get("secret") or client.secret
        pool.clients[client.id] = client
    for g in saved.get("groups") or []:
        group = models.CognitoIdpGroup(pool.id, g["name"], g.get("description"), g.get("role_arn"), g.get("precedence"))
        group.creation_date, group.last_modified_date = (
            _undate(g.get("creation_date")),
            _undate(g.get("last_modified_date")),
        )
        pool.groups[group.group_name] = group
    for u in saved.get("users") or []:
        user = _restore_user(models, pool.id, u, pool.groups)
        pool.users[user.username] = user
    for p in saved.get("identity_providers") or []:
        pool.identity_providers[p["name"]] = models.CognitoIdpIdentityProvider(p["name"], p.get("settings"))
    for s in saved.get("resource_servers") or []:
        pool.resource_servers[s["identifier"]] = models.CognitoResourceServer(
            pool.id, s["identifier"], s.get("name"), s.get("scopes")
        )
    refresh = saved.get("refresh_tokens") or {}
    pool.refresh_tokens = {token: tuple(issued) if issued else None for token, issued in refresh.items()}
    pool.access_tokens = {token: tuple(issued) for token, issued in (saved.get("access_tokens") or {}).items()}
    pool.id_tokens = {token: tuple(issued) for token, issued in (saved.get("id_tokens") or {}).items()}
    pool.oauth_grants = dict(saved.get("oauth_grants") or {})
    pool.passwordless = {**factors.blank(), **(saved.get("passwordless") or {})}
    return pool


def restore(document: dict[str, Any], backend: Any) -> dict[str, Any]:
    """Put a saved document's pools and domains into moto's `backend`; return its ids. Raises on a wrong shape."""
    from moto.cognitoidp.models import CognitoIdpUserPoolDomain

    pools = [_restore_pool(saved) for saved in document["pools"]]  # all built first: a bad one changes nothing
    domains = [
        CognitoIdpUserPoolDomain(d["user_pool_id"], d["domain"], d.get("custom_domain_config"))
        for d in document.get("domains") or []
    ]
    backend.user_pools.update((pool.id, pool) for pool in pools)
    backend.user_pool_domains.update((domain.domain, domain) for domain in domains)
    return dict(document.get("ids") or {})
