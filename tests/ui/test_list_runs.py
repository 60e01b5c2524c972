"""``ui.common.list_runs``: the run folders the results pages offer."""

from __future__ import annotations

import json
from pathlib import Path

from engine.results.store import SCHEMA_VERSION
from ui.common import list_runs


def _folder(root: Path, name: str, **manifest: object) -> None:
    (root / name).mkdir()
    body = {"schema_version": SCHEMA_VERSION, "scenario": name, **manifest}
    (root / name / "manifest.json").write_text(json.dumps(body))


def test_hedged_plans_hidden_and_unreadable_folders_are_not_offered(tmp_path: Path) -> None:
    """A run, a hedged plan (several futures in one folder), a hidden folder and a folder
    without a manifest: only the run is listed."""
    _folder(tmp_path, "tiny-mid", status="optimal")
    _folder(tmp_path, "tiny-hedged", kind="hedged")
    _folder(tmp_path, ".tmp-tiny", status="optimal")
    (tmp_path / "notes").mkdir()
    assert list(list_runs(tmp_path)) == ["tiny-mid"]
