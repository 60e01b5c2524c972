"""Fuzz ``qroad run`` with mutated PAIR scenarios: bad input exits 2 before any solve and
creates no run folder; a scenario that survives the mutation solves to a complete folder
(exit 0/1) or to none (exit 3). Fewer cases than validate: a valid mutant solves (~1 s)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st
from reliability_support import FuzzTally, check_rejection, check_run_folder, fuzz_settings, invoke

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**65), 2**65),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
PATHS = [
    ("description",),  # any text is valid here: those cases solve
    ("description",),
    ("name",),
    ("timeline",),
    ("horizon", "start_year"),
    ("horizon", "period_years"),
    ("network", "sites", 0, "lon"),
    ("network", "sites", 1, "id"),
    ("network", "spans", 0, "length_km"),
    ("network", "spans", 0, "b"),
    ("demand", "pairs", 0, "key_rate_bps"),
    ("demand", "pairs", 0, "trust"),
    ("demand", "pairs", 0, "a"),
    ("technologies", "enabled"),
    ("economics", "unserved_penalty_eur_per_bps_year"),
    ("solver", "time_limit_s"),
    ("solver", "threads"),
    ("solver", "mip_gap"),
    ("solver", "seed"),
]


RUN_CASES = 25


def test_fuzz_run_bad_input_writes_nothing(pair_dict: dict[str, Any], in_tmp: Path) -> None:
    """Every generated case ran and passed, and some of them were refused (exit 2)."""
    tally = FuzzTally()

    @fuzz_settings(RUN_CASES)
    @given(
        edits=st.lists(st.tuples(st.sampled_from(PATHS), junk), min_size=1, max_size=2),
        extra=st.one_of(st.none(), st.tuples(st.text(min_size=1, max_size=8), junk)),
    )
    def run_case(edits: list[tuple[tuple[Any, ...], Any]], extra: tuple[str, Any] | None) -> None:
        with tally.case():
            scenario = write_mutant(pair_dict, edits, extra, in_tmp / "case.yaml")
            out = in_tmp / f"out-{tally.ran}"
            outcome = invoke(["run", str(scenario), "--out", str(out), "--quiet"], timeout_s=90)
            check_rejection_or_run(outcome, scenario, out)
        tally.record(outcome.exit_code)

    run_case()
    tally.check(RUN_CASES, "run fuzz")
    assert tally.outcomes[2] > 0, "no case was refused: the mutations did not bite"


def write_mutant(
    base: dict[str, Any],
    edits: list[tuple[tuple[Any, ...], Any]],
    extra: tuple[str, Any] | None,
    path: Path,
) -> Path:
    """``base`` with each edit's key path set to its value (and one extra top-level key)."""
    data = copy.deepcopy(base)
    for key_path, value in edits:
        node: Any = data
        for seg in key_path[:-1]:
            node = node[seg]
        node[key_path[-1]] = value
    if extra is not None:
        data[extra[0]] = extra[1]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def check_rejection_or_run(outcome: Any, scenario: Path, out: Path) -> None:
    assert outcome.exception is None, f"unhandled {outcome.exception!r}"
    assert "Traceback" not in outcome.stdout + outcome.stderr
    assert outcome.exit_code in (0, 1, 2, 3), outcome.exit_code
    runs = [p for p in out.iterdir()] if out.exists() else []
    if outcome.exit_code == 2:
        check_rejection(outcome, scenario, need_key_path=True)
        assert runs == [], f"bad input left {runs}"
    elif outcome.exit_code == 3:
        assert runs == []
    else:
        assert len(runs) == 1 and not runs[0].name.startswith("."), runs
        check_run_folder(runs[0])
