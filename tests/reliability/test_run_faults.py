"""Solver time limits, stale temp folders and unknown results schema versions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_support import ROOT, check_run_folder, error_lines, invoke

from engine.results import write_run
from engine.results.store import clean_stale


@pytest.mark.parametrize(
    ("scenario", "limit"),
    [("pair", "0.001"), ("tiny", "0.2"), ("tiny", "1")],
)
def test_time_limit_exit_code_manifest_and_folder_agree(
    pair_yaml: Path, tmp_path: Path, scenario: str, limit: str
) -> None:
    path = pair_yaml if scenario == "pair" else ROOT / "scenarios" / "tiny.yaml"
    out = tmp_path / "out"
    outcome = invoke(["run", str(path), "--out", str(out), "--time-limit", limit], timeout_s=180)
    assert outcome.exception is None and "Traceback" not in outcome.stderr
    assert outcome.exit_code in (0, 1, 3), (outcome.exit_code, outcome.stderr)
    run = out / scenario
    if outcome.exit_code == 3:
        assert not run.exists() and "no plan" in outcome.stdout
        return
    manifest = check_run_folder(run)
    assert manifest["solver"]["time_limit_s"] == float(limit)
    if outcome.exit_code == 0:
        assert manifest["status"] == "optimal"
    else:
        assert manifest["status"] == "time_limit"
        assert "time limit reached" in outcome.stdout
        assert "gap" in manifest and manifest["objective_eur"] is not None


def test_next_write_removes_stale_temp_folders_of_dead_writers(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".pair.tmp-{dead.pid}-abcd1234"
    live = tmp_path / ".pair.tmp-1-abcd1234"  # pid 1 is alive: never touched
    other = tmp_path / f".other.tmp-{dead.pid}-abcd1234"
    for folder in (stale, live, other):
        folder.mkdir()
        (folder / "links.parquet").write_bytes(b"half")
    clean_stale(tmp_path, "pair")
    assert not stale.exists() and live.exists() and other.exists()


def test_killed_overwrite_restores_the_previous_run(tmp_path: Path, tables: dict) -> None:
    extra = {"scenario.yaml": "name: pair\n", "solver.log": "log"}
    run = write_run(tmp_path, "pair", tables, {"status": "optimal"}, extra_files=extra)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    moved = tmp_path / f".pair.old-{dead.pid}-abcd1234"
    run.rename(moved)  # as if killed between moving the old run aside and renaming the new
    clean_stale(tmp_path, "pair")
    assert not moved.exists()
    check_run_folder(run)


@pytest.fixture
def tables() -> dict:
    from engine.results.schema import TABLE_SCHEMAS

    return {name: schema.empty_table().to_pandas() for name, schema in TABLE_SCHEMAS.items()}


@pytest.fixture(scope="module")
def solved_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from reliability_support import PAIR

    folder = tmp_path_factory.mktemp("solved")
    (folder / "pair.yaml").write_text(PAIR, encoding="utf-8")
    outcome = invoke(["run", str(folder / "pair.yaml"), "--out", str(folder), "--quiet"])
    assert outcome.exit_code == 0, outcome.stderr
    return folder / "pair"


@pytest.mark.parametrize("version", ["2.0", "0.9", "", None, "x"])
def test_compare_refuses_unknown_schema_major_version(
    solved_run: Path, tmp_path: Path, version: str | None
) -> None:
    run = tmp_path / "pair"
    shutil.copytree(solved_run, run)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    if version is None:
        del manifest["schema_version"]
    else:
        manifest["schema_version"] = version
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    outcome = invoke(["compare", str(run)])
    assert outcome.exit_code == 2 and outcome.exception is None
    lines = error_lines(outcome)
    assert len(lines) == 1 and "Traceback" not in outcome.stderr
    assert "schema version" in lines[0] and str(run) in lines[0], lines[0]


def test_compare_accepts_its_own_version_and_refuses_non_runs(
    solved_run: Path, tmp_path: Path
) -> None:
    assert invoke(["compare", str(solved_run)]).exit_code == 0
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "list").mkdir()
    (tmp_path / "list" / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    for folder in ("empty", "broken", "list", "missing"):
        outcome = invoke(["compare", str(tmp_path / folder)])
        assert outcome.exit_code == 2 and outcome.exception is None, (folder, outcome.stderr)
        assert len(error_lines(outcome)) == 1 and folder in outcome.stderr
