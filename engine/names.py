"""The fixed names of DESIGN.md, used in catalogue keys, result columns and UI labels.

Equipment, trust classes and phases are the optimizer's contract (optimizer.names), as
are the solve strategies (optimizer.STRATEGIES);
the technology names are engine's (the catalogue and scenarios use them).
"""

from __future__ import annotations

from optimizer import STRATEGIES
from optimizer.names import EQUIPMENT, PHASES, TRUST_CLASSES

TECHNOLOGIES: tuple[str, ...] = (
    "bb84",
    "cv_qkd",
    "fso",
    "mdi",
    "tf",
    "mdi_memory",
    "repeater",
    "repeater_qec",
    "satellite_trusted",
    "satellite_entangled",
)

__all__ = ["EQUIPMENT", "PHASES", "STRATEGIES", "TECHNOLOGIES", "TRUST_CLASSES"]
