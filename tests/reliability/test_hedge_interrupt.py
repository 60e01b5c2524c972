"""Ctrl-C during ``qroad hedge --workers 2``: the command exits 130 at once with no
traceback (the workers ignore SIGINT; the main process terminates them), no worker process
is left running, and no results folder is written."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from reliability_support import QROAD, ROOT

TRIO = ROOT / "tests" / "data" / "trio.yaml"


def live_in_group(pgid: int) -> list[int]:
    """Processes of process group ``pgid`` that still run (zombies, which only wait for a
    parent to reap them, do not count)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def test_sigint_while_workers_solve_stops_everything_quietly(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = [*QROAD, "hedge", str(TRIO), "--futures", "early:0.5,mid:0.5", "--commit-until",
            "2030", "--workers", "2", "--out", str(out)]  # fmt: skip
    proc = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    for line in proc.stdout:  # the workers are being started once this is printed
        if "solving the future alone" in line:
            break
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)
    code = proc.wait(timeout=60)
    err = proc.stderr.read()
    assert code == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    time.sleep(0.5)
    assert live_in_group(proc.pid) == []
    assert not out.exists() or not any(out.iterdir())
