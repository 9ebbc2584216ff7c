"""`--config FILE`: the pools, app clients, domains and identity providers the emulator starts with.

A JSON file (or TOML, read with tomllib, when its name ends in `.toml`) of this shape, every inner object being
the arguments of the Cognito operation named beside it, as boto3 takes them (UserPoolId filled in):

    {"pools": [{"pool": {CreateUserPool},
                "clients": [{CreateUserPoolClient}, ...],
                "domain": "a-prefix",                          (CreateUserPoolDomain's Domain)
                "identity_providers": [{CreateIdentityProvider}, ...],
                "groups": [{CreateGroup}, ...]}],
     "cors_origins": ["http://localhost:3000"],                (as --cors-origin)
     "triggers": "my_project.cognito_triggers"}                 (a module's dotted name, or a .py file's path
                                                                relative to this file: every pool's triggers)

The first pool and its first client are the ones the start line names. Applied to an empty emulator only: with
`--state` and a saved pool, the saved state wins and the file's pools are not made again.
"""

from __future__ import annotations

import json
import os
import tomllib
from typing import Any

KEYS = {"pools", "cors_origins", "triggers"}
POOL_KEYS = {"pool", "clients", "domain", "identity_providers", "groups"}


class ConfigFileError(Exception):
    """The file cannot be read or is not of the documented shape; the message says where."""


def read(path: str) -> dict[str, Any]:
    """The file's contents, checked against the shape above (ConfigFileError when it is not)."""
    try:
        with open(path, "rb") as file:
            data = tomllib.load(file) if path.endswith(".toml") else json.load(file)
    except (OSError, ValueError) as err:  # tomllib's and json's decode errors are ValueErrors
        raise ConfigFileError(f"{path}: {err}") from err
    if not isinstance(data, dict) or not set(data) <= KEYS:
        raise ConfigFileError(f"{path}: an object with the keys {sorted(KEYS)} only")
    pools = data.get("pools", [])
    if not isinstance(pools, list) or not all(isinstance(p, dict) and set(p) <= POOL_KEYS for p in pools):
        raise ConfigFileError(f"{path}: pools is a list of objects with the keys {sorted(POOL_KEYS)} only")
    for number, pool in enumerate(pools):
        if not isinstance(pool.get("pool", {}), dict) or not isinstance(pool.get("clients", []), list):
            raise ConfigFileError(f"{path}: pools[{number}]: pool is an object and clients a list")
    triggers = data.get("triggers")
    if triggers is not None:
        if not isinstance(triggers, str) or not triggers:
            raise ConfigFileError(f"{path}: triggers is a module's dotted name or a .py file's path")
        if triggers.endswith(".py"):  # a path is read from where the file is, wherever the command runs
            data["triggers"] = os.path.join(os.path.dirname(os.path.abspath(path)), triggers)
    return data


def apply(client: Any, data: dict[str, Any]) -> list[dict[str, str]]:
    """Make the file's pools through `client` (a boto3 cognito-idp client); return each pool's ids
    ({"user_pool_id", "client_id"}, client_id "" for a pool without a client)."""
    made = []
    for spec in data.get("pools", []):
        pool = client.create_user_pool(**{"PoolName": "local", **spec.get("pool", {})})["UserPool"]
        pool_id = pool["Id"]
        for provider in spec.get("identity_providers", []):
            client.create_identity_provider(UserPoolId=pool_id, **provider)
        client_ids = [
            client.create_user_pool_client(UserPoolId=pool_id, **{"ClientName": "local-client", **app})[
                "UserPoolClient"
            ]["ClientId"]
            for app in spec.get("clients", [])
        ]
        if spec.get("domain"):
            client.create_user_pool_domain(UserPoolId=pool_id, Domain=spec["domain"])
        for group in spec.get("groups", []):
            client.create_group(UserPoolId=pool_id, **group)
        made.append({"user_pool_id": pool_id, "client_id": client_ids[0] if client_ids else ""})
    return made
