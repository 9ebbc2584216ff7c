"""One strict JSON reader for request bodies and token segments."""

from __future__ import annotations

import json
from typing import Any


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _reject_constant(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


# Built once: json.loads() with options would build a new decoder on every call.
_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_reject_constant)


def loads(data: bytes | str) -> Any:
    """Parse UTF-8 JSON, refusing duplicate keys and NaN/Infinity; raise ValueError (RecursionError if too deep)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return _DECODER.decode(text)


def loads_exact(data: bytes) -> Any:
    """`loads` for machine-made UTF-8 JSON: no whitespace around the value, nothing after it."""
    text = data.decode("utf-8")
    value, end = _DECODER.raw_decode(text)
    if end != len(text):
        raise ValueError("data after the JSON value")
    return value
