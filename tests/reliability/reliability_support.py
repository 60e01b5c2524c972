"""Helpers for the reliability tests: base scenarios, bounded CLI calls, checks.

The tests are not a package (``--import-mode=importlib``); conftest.py puts this folder on
``sys.path`` so modules import ``reliability_support``. Case counts scale with
``QROAD_FUZZ_EXAMPLES`` (default: the CI counts).
"""

from __future__ import annotations

import os
import re
import signal
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import pyarrow.parquet as pq
from hypothesis import HealthCheck, Phase, settings
from typer.testing import CliRunner

from engine.cli import app
from engine.results import TABLE_NAMES, TABLE_SCHEMAS, read_manifest

ROOT = Path(__file__).resolve().parents[2]
QROAD = [sys.executable, "-m", "engine.cli"]

# Two sites 50 km apart, one trusted 1 kbit/s demand, bb84 only: solves in about a second.
PAIR = (ROOT / "tests" / "data" / "pair.yaml").read_text(encoding="utf-8")

# An error line: "error: FILE: key.path: message ..." or "error: FILE: message" (file level).
FILE_LEVEL = "YAML document refused"  # alias bombs, deep nesting: about the whole file
KEY_PATH = re.compile(r"^(?:[^\s:]+|'.*'|\".*\")$")  # plain, or repr() when odd


def fuzz_examples(ci_default: int) -> int:
    """Examples for one fuzz test: ``QROAD_FUZZ_EXAMPLES`` scales every test (it is the
    count for the largest one; others keep their proportion)."""
    total = os.environ.get("QROAD_FUZZ_EXAMPLES")
    return max(ci_default, int(total) * ci_default // 300) if total else ci_default


def fuzz_settings(ci_default: int) -> settings:
    """Hypothesis settings for a fuzz test: no deadline (cases are bounded by SIGALRM
    instead), derandomized in CI so a CI failure reproduces, and scaled examples."""
    return settings(
        max_examples=fuzz_examples(ci_default),
        deadline=None,
        derandomize=os.environ.get("CI") == "true",
        phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking takes minutes here
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@dataclass
class FuzzTally:
    """What one fuzz test's cases did, counted by the test that generates them.

    A case is counted as ``ran`` once all its inputs are drawn (hypothesis may abandon a
    case while drawing, e.g. when the draw overruns its buffer; that is no case), and as
    ``passed`` when its checks pass. ``outcomes`` counts a label per passed case (an exit
    code, "rejected", ...). ``check`` then asserts every planned case ran and passed.
    """

    ran: int = 0
    passed: int = 0
    outcomes: Counter[Any] = field(default_factory=Counter)

    @contextmanager
    def case(self) -> Iterator[None]:
        """Count one case: ``ran`` on entry, ``passed`` when its block ends without error."""
        self.ran += 1
        yield
        self.passed += 1

    def record(self, outcome: Any) -> None:
        """Count the outcome of the case that just passed."""
        self.outcomes[outcome] += 1

    def check(self, ci_default: int, label: str) -> None:
        """Every planned case ran and passed: as many as the test's ``fuzz_settings(ci_default)``
        gives hypothesis as ``max_examples``."""
        planned = fuzz_examples(ci_default)
        print(f"\n{label}: {self.passed} of {self.ran} cases passed, {dict(self.outcomes)}")
        assert self.ran == planned, f"{label}: {self.ran} cases ran, {planned} planned"
        assert self.passed == self.ran, f"{label}: {self.ran - self.passed} cases failed"


@dataclass
class CliOutcome:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


class CaseTimeoutError(Exception):
    """A single fuzz case ran past its bound (a hang)."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    del signum, frame
    raise CaseTimeoutError("case exceeded its time bound")


def invoke(args: list[str], *, timeout_s: int = 20) -> CliOutcome:
    """Run ``qroad ARGS`` in-process, bounded by SIGALRM (a hang fails the case)."""
    runner = CliRunner()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout_s)
    try:
        result = runner.invoke(app, args, catch_exceptions=True)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    exc = result.exception
    if isinstance(exc, CaseTimeoutError):
        raise exc
    if isinstance(exc, SystemExit):
        exc = None
    return CliOutcome(result.exit_code, result.stdout, result.stderr, exc)


def error_lines(outcome: CliOutcome) -> list[str]:
    return [line for line in outcome.stderr.splitlines() if line.strip()]


def check_rejection(outcome: CliOutcome, file: Path, *, need_key_path: bool) -> list[str]:
    """Exit 0, or exit 2 with one-line errors naming the file (and a key path when asked).
    Returns the key paths named."""
    assert outcome.exception is None, f"unhandled {outcome.exception!r}"
    assert "Traceback" not in outcome.stdout + outcome.stderr
    assert outcome.exit_code in (0, 2), (outcome.exit_code, outcome.stderr[-500:])
    if outcome.exit_code == 0:
        return []
    lines = error_lines(outcome)
    assert lines, "exit 2 without a message"
    paths = []
    for line in lines:
        prefix = f"error: {file}: "
        assert line.startswith(prefix), line
        head = line[len(prefix) :].split(": ", 1)
        if len(head) == 2 and KEY_PATH.match(head[0]):
            paths.append(head[0])
    if need_key_path and not any(FILE_LEVEL in line for line in lines):
        assert paths, f"no key path named in {lines}"
    return paths


def snapshot(folder: Path) -> set[str]:
    """Every path below ``folder`` (hidden ones too)."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def check_run_folder(run: Path) -> dict[str, Any]:
    """A complete run: manifest readable and consistent, all nine tables readable."""
    manifest = read_manifest(run)
    assert manifest["status"] in ("optimal", "time_limit"), manifest["status"]
    assert manifest["scenario"] == run.name
    for name in TABLE_NAMES:
        table = pq.read_table(run / f"{name}.parquet")
        assert table.schema.names == TABLE_SCHEMAS[name].names, name
    assert (run / "scenario.yaml").is_file() and (run / "solver.log").is_file()
    return manifest
