"""Fuzz ``qroad validate`` below the mapping level: raw bytes, broken YAML, alias bombs.

Cases: binary garbage, non-UTF-8 bytes, random unicode text, a valid scenario with bytes
flipped, inserted or cut, "billion laughs" alias bombs, recursive aliases, deep nesting and
python/* tags. Asserted: exit 0 or 2, one line per problem naming the file, no traceback,
no file written, and each case within its time bound (a bomb is refused, not expanded).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from reliability_support import PAIR, FuzzTally, check_rejection, fuzz_settings, invoke, snapshot

PYTHON_TAGS = [
    "!!python/object/apply:os.system ['touch pwned']",
    "!!python/object/new:os.system ['touch pwned']",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:builtins.object {}",
    "!python/object/apply:subprocess.call [['touch', 'pwned']]",
]


def alias_bomb(width: int, depth: int, key: str) -> str:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, depth):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    lines.append(f"{key}: *l{depth - 1}")
    return PAIR + "\n".join(lines).replace("l0:", "x-l0:") + "\n"


def deep_nesting(depth: int, style: str) -> str:
    if style == "flow-list":
        return PAIR + "solver: " + "[" * depth + "]" * depth + "\n"
    if style == "flow-map":
        return PAIR.replace("solver:", "old:") + "solver: " + "{a: " * depth + "1" + "}" * depth
    return "solver:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(depth)) + "  x: 1\n"


def mutate_bytes(base: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(base)
    for pos, cut, insert in edits:
        pos %= len(out) + 1
        out[pos : pos + cut] = insert
    return bytes(out)


documents = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(
        st.tuples(st.integers(0, 2000), st.integers(0, 4), st.binary(max_size=4)),
        min_size=1,
        max_size=6,
    ).map(lambda edits: mutate_bytes(PAIR.encode(), edits)),
    st.lists(
        st.tuples(
            st.integers(0, 2000), st.integers(0, 2), st.sampled_from(list(":-[]{}&*!|>'\"#\t%@`"))
        ),
        min_size=1,
        max_size=4,
    ).map(lambda edits: mutate_bytes(PAIR.encode(), [(p, c, s.encode()) for p, c, s in edits])),
    st.builds(
        alias_bomb,
        st.integers(2, 12),
        st.integers(2, 12),
        st.sampled_from(["description", "name", "network", "x-bomb", "demand"]),
    ).map(str.encode),
    st.builds(
        deep_nesting, st.integers(30, 3000), st.sampled_from(["flow-list", "flow-map", "block"])
    ).map(str.encode),
    st.sampled_from(PYTHON_TAGS).map(lambda tag: PAIR.replace("name: pair", f"name: {tag}")),
    st.just("name: &a [*a]\n"),
    st.just(PAIR + "x: &a {b: *a}\n"),
    st.sampled_from([b"\xef\xbb\xbf" + PAIR.encode(), PAIR.encode("utf-16"), b"\xff\xfe\x00"]),
).map(lambda d: d if isinstance(d, bytes) else d.encode())


RAW_CASES = 250


def test_fuzz_validate_raw_documents(in_tmp: Path) -> None:
    """Every generated document ran and passed, and most of them were refused (exit 2)."""
    tally = FuzzTally()

    @fuzz_settings(RAW_CASES)
    @given(document=documents)
    def raw_case(document: bytes) -> None:
        with tally.case():
            scenario = in_tmp / "case.yaml"
            scenario.write_bytes(document)
            before = snapshot(in_tmp)
            outcome = invoke(["validate", str(scenario)], timeout_s=15)
            check_rejection(outcome, scenario, need_key_path=False)
            assert snapshot(in_tmp) == before, "validate wrote a file"
            assert not (in_tmp / "pwned").exists()
        tally.record("rejected" if outcome.exit_code == 2 else "accepted")

    raw_case()
    tally.check(RAW_CASES, "validate fuzz (raw documents)")
    assert tally.outcomes["rejected"] > tally.ran // 2
