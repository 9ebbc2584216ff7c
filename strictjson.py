"""One strict JSON reader for request bodies and token segments."""

from __future__ import annotations

import json
from typing import Any


def loads(data: bytes | str) -> Any:
    """Parse JSON, refusing duplicate keys and NaN/Infinity; raise ValueError (RecursionError if too deep)."""
    return json.loads(data, object_pairs_hook=_unique_keys, parse_constant=_reject_constant)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _reject_constant(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")
