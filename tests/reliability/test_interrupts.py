"""Kill ``qroad run`` (SIGINT, SIGKILL) at seeded random points during solve and during
writing; two runs racing for one folder. After every kill the run folder is complete or
absent; hidden ``.<name>.tmp-<pid>-*`` leftovers of a SIGKILL are removed by the next write."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from reliability_support import QROAD, ROOT, check_run_folder

KILLS = int(os.environ.get("QROAD_KILLS", "20"))
COUNTS = {"kills": 0, "complete": 0, "absent": 0, "leftovers": 0, "corrupt": 0}


def start(scenario: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    args = [*QROAD, "run", str(scenario), "--out", str(out), "--quiet", *extra]
    return subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )


def check_after_kill(out: Path, sig: int) -> None:
    """The run folder is complete or absent; only hidden temp folders may be left."""
    entries = sorted(p.name for p in out.iterdir()) if out.exists() else []
    visible = [e for e in entries if not e.startswith(".")]
    hidden = [e for e in entries if e.startswith(".")]
    assert visible in ([], ["pair"]), entries
    if visible:
        try:
            check_run_folder(out / "pair")
        except Exception:
            COUNTS["corrupt"] += 1
            raise
        COUNTS["complete"] += 1
    else:
        COUNTS["absent"] += 1
    assert all(e.startswith(".pair.tmp-") for e in hidden), hidden
    if hidden:
        assert sig == signal.SIGKILL, f"SIGINT left {hidden}"
        COUNTS["leftovers"] += 1


def test_kills_during_solve_and_write_leave_complete_or_no_folder(
    pair_yaml: Path, tmp_path: Path
) -> None:
    rng = random.Random(20240611)
    t0 = time.monotonic()
    baseline = start(pair_yaml, tmp_path / "baseline")
    assert baseline.wait(timeout=120) == 0, baseline.stderr.read() if baseline.stderr else ""
    duration = time.monotonic() - t0
    check_run_folder(tmp_path / "baseline" / "pair")
    stale_dirs = []
    for i in range(KILLS):
        sig = signal.SIGKILL if i % 2 else signal.SIGINT
        during_write = i % 4 >= 2
        out = tmp_path / f"out{i}"
        proc = start(pair_yaml, out)
        if during_write:  # wait for the hidden temp folder, then kill a moment later
            deadline = time.monotonic() + 3 * duration + 30
            while proc.poll() is None and time.monotonic() < deadline:
                if out.exists() and any(p.name.startswith(".pair.tmp-") for p in out.iterdir()):
                    break
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.03))
        else:  # anywhere in the run's span: imports, candidates, model build, solve
            time.sleep(rng.uniform(0.3, duration))
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
        code = proc.wait(timeout=120)
        COUNTS["kills"] += 1
        assert code != 2, "a kill must not look like bad input"
        check_after_kill(out, sig)
        if out.exists() and any(p.name.startswith(".") for p in out.iterdir()):
            stale_dirs.append(out)
    print(f"\ninterrupted runs: {COUNTS}")
    assert COUNTS["corrupt"] == 0
    for out in stale_dirs[:2]:  # the next run in a folder with leftovers removes them
        extra = ["--overwrite"] if (out / "pair").exists() else []
        again = start(pair_yaml, out, *extra)
        assert again.wait(timeout=120) == 0
        assert sorted(p.name for p in out.iterdir()) == ["pair"]
        check_run_folder(out / "pair")


def test_two_runs_racing_for_one_folder(pair_yaml: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    first, second = start(pair_yaml, out), start(pair_yaml, out)
    codes = sorted([first.wait(timeout=120), second.wait(timeout=120)])
    errors = b"".join(p.stderr.read() for p in (first, second) if p.stderr).decode()
    assert codes == [0, 2], (codes, errors)
    assert "exists" in errors or "another run" in errors, errors
    assert "Traceback" not in errors
    assert sorted(p.name for p in out.iterdir()) == ["pair"]
    check_run_folder(out / "pair")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_killed_overwrite_keeps_the_previous_run_or_the_new_one(
    pair_yaml: Path, tmp_path: Path, sig: int
) -> None:
    out = tmp_path / "results"
    assert start(pair_yaml, out).wait(timeout=120) == 0
    proc = start(pair_yaml, out, "--overwrite")
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if any(p.name.startswith(".pair.") for p in out.iterdir()):
            break
        time.sleep(0.001)
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    proc.wait(timeout=120)
    check_run_folder(out / "pair")  # the old run or the new one, never neither
