"""Reading the emulator's old `state.pickle` (moto's objects pickled whole) once, to convert it to state.json.

Unpickling runs whatever a file names, so only the classes that file ever held may be loaded: moto's Cognito
models, the few standard types they use, and the old writer's stand-in for moto's fixed signing key.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

_MOTO_MODELS = "moto.cognitoidp.models"
ALLOWED = {
    (_MOTO_MODELS, name)
    for name in (
        "CognitoIdpUserPool",
        "CognitoIdpUserPoolAttribute",
        "CognitoIdpUserPoolDomain",
        "CognitoIdpUserPoolClient",
        "CognitoIdpIdentityProvider",
        "CognitoIdpGroup",
        "CognitoIdpUser",
        "CognitoResourceServer",
        "UserStatus",
    )
} | {
    ("collections", "OrderedDict"),
    ("datetime", "datetime"),
    ("datetime", "timezone"),
    ("datetime", "timedelta"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("copyreg", "_reconstructor"),
    ("builtins", "object"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        # The old writer (state.py's _Pickler) wrote the signing key as a call of this function.
        if (module, name) == ("local.state", "_fixed_signing_key"):
            from cognito_emulator.state import _fixed_signing_key  # here: cognito_emulator.state imports this module

            return _fixed_signing_key
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a state.pickle")
        return super().find_class(module, name)


def read(data: bytes) -> dict[str, Any]:
    """The old file's contents: {"ids": ..., "pools": {id: pool}, "domains": {...}}; raises when it is not one."""
    saved = _Unpickler(io.BytesIO(data)).load()
    if not isinstance(saved, dict) or not {"ids", "pools", "domains"} <= saved.keys():
        raise ValueError("not the emulator's saved state")
    return saved
