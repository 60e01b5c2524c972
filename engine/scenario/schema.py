"""A pydantic model as a tree of types, used to name keys in errors and to check ``--set``
key paths; and the conversion of pydantic errors into QroadInputError.

Every function takes the model it speaks about, so this module imports no model: the
scenario models, the roadmap (engine.scenario.timeline) and the loader all use it.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.errors import QroadInputError

MISSING = "<missing>"


def unwrap_type(tp: Any) -> list[Any]:
    """Container or model types a (possibly Optional/Annotated/union) annotation allows."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(tp) for t in unwrap_type(arg)]
    return [tp]


def child_type(tp: Any, seg: str | int) -> tuple[Any, str | int] | None:
    """Type below ``tp`` at ``seg`` and the key to use (int for lists and int-keyed dicts);
    None when the schema has no such key."""
    options = unwrap_type(tp)
    digit = isinstance(seg, int) or seg.isdigit()
    lists = [o for o in options if typing.get_origin(o) in (tuple, list)]
    dicts = [o for o in options if typing.get_origin(o) is dict]
    models = [o for o in options if isinstance(o, type) and issubclass(o, BaseModel)]
    if digit and lists:
        return typing.get_args(lists[0])[0], int(seg)
    if dicts:
        key_tp, value_tp = typing.get_args(dicts[0])
        return value_tp, int(seg) if digit and int in unwrap_type(key_tp) else str(seg)
    if models and seg in models[0].model_fields:
        return models[0].model_fields[str(seg)].annotation, seg
    return None


def model_keys(model: type[BaseModel], segs: Sequence[str | int]) -> list[str]:
    tp: Any = model
    for seg in segs:
        step = child_type(tp, seg)
        if step is None:
            return []
        tp = step[0]
    return [
        f
        for opt in unwrap_type(tp)
        if isinstance(opt, type) and issubclass(opt, BaseModel)
        for f in opt.model_fields
    ]


def format_path(segs: Iterable[str | int]) -> str:
    """``('a', 'b', 2, 'c')`` → ``a.b[2].c``."""
    out = ""
    for seg in segs:
        out += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if out else str(seg))
    return out


def _data_segments(loc: Sequence[Any], data: Any, keep_last: bool) -> list[str | int]:
    segs: list[str | int] = []
    node = data
    for i, item in enumerate(loc):
        if isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            segs.append(item)
            node = node[item]
        elif isinstance(node, dict) and item in node:
            segs.append(str(item))
            node = node[item]
        elif keep_last and i == len(loc) - 1:
            segs.append(str(item))
    return segs


_HINTS = {
    "finite_number": "a finite number (not .nan or .inf)",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "string_type": 'a string (quote values YAML reads otherwise, e.g. "NO", "on", "12")',
    "model_type": "a mapping",
    "tuple_type": "a list",
    "list_type": "a list",
    "greater_than": "a number > {gt}",
    "greater_than_equal": "a number >= {ge}",
    "less_than": "a number < {lt}",
    "less_than_equal": "a number <= {le}",
    "literal_error": "one of {expected}",
    "too_short": "at least {min_length} item(s)",
    "string_pattern_mismatch": "a string matching {pattern}",
}


_MESSAGES = {
    "literal_error": "not an allowed name",
    "greater_than": "out of range",
    "greater_than_equal": "out of range",
    "less_than": "out of range",
    "less_than_equal": "out of range",
    "finite_number": "not a finite number",
}


def errors_from_validation(
    err: ValidationError, data: Any, *, file: str | Path | None, model: type[BaseModel]
) -> list[QroadInputError]:
    """One QroadInputError per pydantic error of validating ``data`` as ``model``, with the
    key path as written in the file."""
    out: list[QroadInputError] = []
    raw = err.errors(include_url=False)
    locs = [tuple(e["loc"]) for e in raw]
    for e in raw:
        kind, ctx = e["type"], e.get("ctx") or {}
        loc = tuple(e["loc"])
        if kind == "too_short" and any(o[: len(loc)] == loc and o != loc for o in locs):
            continue  # a list whose items failed also reports being too short: noise
        segs = _data_segments(loc, data, keep_last=kind in ("missing", "extra_forbidden"))
        if kind == "qroad":
            segs += list(ctx.get("path", ()))
            out.append(
                QroadInputError(
                    e["msg"],
                    file=file,
                    path=format_path(segs),
                    value=ctx.get("value"),
                    allowed=ctx.get("allowed", ""),
                )
            )
            continue
        message, value = _MESSAGES.get(kind, e["msg"]), e["input"]
        allowed = _HINTS.get(kind, "").format(**ctx)
        if kind in ("missing", "extra_forbidden", "model_type"):
            keys = model_keys(model, segs[:-1] if kind != "model_type" else segs)
            if kind == "missing":
                message, value = "required key is missing", MISSING
                allowed = "a value (the key is required)"
            elif kind == "extra_forbidden":
                near = difflib.get_close_matches(str(segs[-1]), keys, n=1)
                message = "unknown key" + (f" (did you mean {near[0]!r}?)" if near else "")
                value = segs[-1]
            if keys and kind != "missing":
                allowed = (
                    (allowed + "; " if kind == "model_type" else "") + "keys: " + ", ".join(keys)
                )
        out.append(
            QroadInputError(
                message, file=file, path=format_path(segs), value=value, allowed=allowed
            )
        )
    return out
