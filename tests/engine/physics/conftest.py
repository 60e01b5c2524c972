"""Puts this folder on ``sys.path`` so the test modules import ``physics_support`` (the tests
run with ``--import-mode=importlib``, so they are not a package)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
