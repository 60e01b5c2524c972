"""Fuzz ``qroad validate`` with mutated valid scenarios (tiny.yaml resolved, and PAIR).

Each case mutates one to three places of a valid scenario mapping (wrong types, deleted and
unknown keys, out-of-range numbers, NaN/inf, huge lists, unicode, deep nesting), writes it
as YAML and runs ``qroad validate`` in-process under a time bound. Asserted: exit 0 or 2,
one line per problem naming the file and a key path, no traceback, no file written.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st
from reliability_support import FuzzTally, check_rejection, fuzz_settings, invoke, snapshot

Path_ = tuple[str | int, ...]


junk_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e308, -1e308, 1e-320, 2**63, 10**30, 0.5, 1.5, 99999]),
    st.text(max_size=40),
    st.sampled_from(["", " ", "∞", "nan", "A\u0000B", "é" * 300, "🛰️", "\u202e", "..", "../x"]),
)
junk_values = st.recursive(
    junk_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def all_paths(node: Any, here: Path_ = ()) -> list[Path_]:
    """Every key path into the mapping (dict keys and list indices), the root excluded."""
    out: list[Path_] = []
    if isinstance(node, dict | list):
        for key, value in node.items() if isinstance(node, dict) else enumerate(node):
            out.append((*here, key))
            out.extend(all_paths(value, (*here, key)))
    return out


def parent_of(data: dict[str, Any], path: Path_) -> Any:
    node: Any = data
    for seg in path[:-1]:
        node = node[seg]
    return node


@st.composite
def mutation(draw: st.DrawFn, data: dict[str, Any]) -> Path_:
    """Mutate ``data`` in place at a random path; return the path mutated."""
    path = draw(st.sampled_from(all_paths(data)))
    parent, last = parent_of(data, path), path[-1]
    op = draw(
        st.sampled_from(
            ["replace", "replace", "delete", "unknown_key", "huge_list", "nest", "rename"]
        )
    )
    if op == "replace":
        parent[last] = draw(junk_values)
    elif op == "delete":
        del parent[last]
    elif op == "unknown_key":
        target = parent if isinstance(parent, dict) else data
        target[draw(st.text(min_size=1, max_size=12))] = draw(junk_values)
    elif op == "huge_list":
        parent[last] = [copy.deepcopy(parent[last])] * draw(st.integers(100, 2000))
    elif op == "nest":
        value: Any = parent[last]
        for _ in range(draw(st.integers(10, 80))):
            value = [value] if draw(st.booleans()) else {"k": value}
        parent[last] = value
    elif isinstance(parent, dict):  # rename: a typo of the key
        parent[str(last) + draw(st.sampled_from(["_", "s", "x", "é"]))] = parent.pop(last)
    return path


def _dump(data: dict[str, Any], allow_unicode: bool) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: huge lists dump fast
    return yaml.dump(data, Dumper=dumper, allow_unicode=allow_unicode, sort_keys=False)


VALIDATE_CASES = 150


def _fuzz_validate(base: dict[str, Any], folder: Path, tag: str) -> FuzzTally:
    """Run ``VALIDATE_CASES`` mutants of ``base`` through ``qroad validate``; their tally."""
    tally = FuzzTally()

    @fuzz_settings(VALIDATE_CASES)
    @given(data_draw=st.data())
    def validate_case(data_draw: st.DataObject) -> None:
        data = copy.deepcopy(base)
        for _ in range(data_draw.draw(st.integers(1, 3))):
            if not all_paths(data):
                break
            data_draw.draw(mutation(data))
        allow_unicode = data_draw.draw(st.booleans())
        with tally.case():  # every draw is made: from here on it is a case
            scenario = folder / f"{tag}-{tally.ran}.yaml"
            scenario.write_text(_dump(data, allow_unicode), encoding="utf-8")
            before = snapshot(folder)
            outcome = invoke(["validate", str(scenario)], timeout_s=20)
            check_rejection(outcome, scenario, need_key_path=True)
            assert snapshot(folder) == before, "validate wrote a file"
            scenario.unlink()
        tally.record("rejected" if outcome.exit_code == 2 else "accepted")

    validate_case()
    tally.check(VALIDATE_CASES, f"validate fuzz ({tag} mutations)")
    assert tally.outcomes["rejected"] > 0, "no case was refused: the mutations did not bite"
    return tally


def test_fuzz_validate_mutated_tiny(tiny_dict: dict[str, Any], in_tmp: Path) -> None:
    _fuzz_validate(tiny_dict, in_tmp, "tiny")


def test_fuzz_validate_mutated_pair(pair_dict: dict[str, Any], in_tmp: Path) -> None:
    _fuzz_validate(pair_dict, in_tmp, "pair")
