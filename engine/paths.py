"""Where the project's own folders are: a leaf module (it imports nothing of the project),
so every other module can name them without importing the modules that read them."""

from __future__ import annotations

from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parents[1]
"""The project folder (the one holding ``engine/``, ``data/`` and ``scenarios/``)."""
DATA_DIR = ROOT_DIR / "data"
"""Roadmap, technology catalogue, physics presets, networks and demands (DESIGN.md)."""
SCENARIOS_DIR = ROOT_DIR / "scenarios"
"""The bundled scenarios."""
