"""pydantic's validation errors in this API's words: `'field' is required`, `'field' must be a string`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, RootModel, ValidationError

from schemas.fields import PATTERN_PROBLEMS

_STRING_LIMITS = ("string_too_short", "string_too_long", "string_pattern_mismatch")


def problems(model: type[BaseModel], err: ValidationError) -> list[str]:
    """One phrase per wrong field, in the order pydantic found them, without repeats."""
    found: list[str] = []
    for error in err.errors(include_url=False):
        phrase = _phrase(model, error)
        if phrase not in found:
            found.append(phrase)
    return found


def _phrase(model: type[BaseModel], error: dict[str, Any]) -> str:
    kind, loc, context = error["type"], error["loc"], error.get("ctx", {})
    if kind == "union_tag_invalid":
        return f"'{context['discriminator'].strip(chr(39))}' must be one of {context['expected_tags']}"
    if kind == "union_tag_not_found":
        return f"'{context['discriminator'].strip(chr(39))}' is required"
    if kind == "model_type" and not loc:
        return "the body must be a JSON object"
    if "[key]" in loc:  # a dict key that matched no allowed name
        return f"'{loc[0]}' may not set {str(loc[1])[:40]!r} (standard attributes or 'custom:name' only)"
    owner, loc = _owner(model, loc)
    name = ".".join(str(part) for part in loc) or "body"
    if kind == "missing" or (error.get("input") is None and _required(owner, loc)):
        return f"'{name}' is required"
    if kind in ("string_type", "dict_type"):
        return f"'{name}' must be {'a string' if kind == 'string_type' else 'an object'}"
    if kind == "string_pattern_mismatch" and context.get("pattern") in PATTERN_PROBLEMS:
        return f"'{name}' {PATTERN_PROBLEMS[context['pattern']]}"
    if kind in _STRING_LIMITS:
        low, high = _length(owner, loc)
        return f"'{name}' must be {low} to {high} printable characters"
    if kind == "too_long":
        return f"'{name}' may have at most {context.get('max_length')} entries"
    return f"'{name}' is not valid"


def _owner(model: type[BaseModel], loc: tuple) -> tuple[type[BaseModel], tuple]:
    """The model a location belongs to: a discriminated union's member is named by its tag in `loc`."""
    if issubclass(model, RootModel) and loc:
        union = model.model_fields["root"].annotation
        for member in getattr(union, "__args__", ()):
            if loc[0] == member.model_fields["challenge"].annotation.__args__[0]:
                return member, loc[1:]
    return model, loc


def _required(model: type[BaseModel], loc: tuple) -> bool:
    field = model.model_fields.get(str(loc[0])) if loc else None
    return field is not None and field.is_required() and len(loc) == 1


def _length(model: type[BaseModel], loc: tuple) -> tuple[int, int]:
    """The field's (min, max) length as declared; an attribute's value otherwise."""
    field = model.model_fields.get(str(loc[0])) if loc else None
    low, high = 1, 2048
    for constraint in field.metadata if field is not None and len(loc) == 1 else ():
        low = getattr(constraint, "min_length", None) or low
        high = getattr(constraint, "max_length", None) or high
    return low, high
