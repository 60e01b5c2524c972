"""Fixtures for the reliability tests (helpers live in reliability_support.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))

from reliability_support import PAIR, ROOT

from engine.scenario import resolve_extends


@pytest.fixture(scope="session")
def pair_dict() -> dict[str, Any]:
    return yaml.safe_load(PAIR)


@pytest.fixture(scope="session")
def tiny_dict() -> dict[str, Any]:
    """scenarios/tiny.yaml with its ``extends:`` chain merged in (a standalone mapping)."""
    data = resolve_extends(ROOT / "scenarios" / "tiny.yaml")
    data.pop("extends", None)
    return data


@pytest.fixture
def pair_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "pair.yaml"
    path.write_text(PAIR, encoding="utf-8")
    return path


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    """Run with ``tmp_path`` as working directory (so a stray write would show there)."""
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)
