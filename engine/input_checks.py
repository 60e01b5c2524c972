"""Reading and checking users' network and demand files: paths, CSV columns and numbers.

Every failure is a QroadInputError naming the file, the key path (or CSV header/row), the
bad value and what is allowed (used by engine.network and engine.demand)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from engine.errors import QroadInputError


def resolve_network_path(
    topology: str, data_dir: Path, scenario_dir: Path | None, file: str | None
) -> Path:
    """The file or folder ``network.topology`` names: ``./``/``../`` from the scenario's
    folder, an absolute path as given, otherwise under ``data_dir`` or ``data_dir/networks``."""
    if topology.startswith(("./", "../")):
        candidates = [(scenario_dir or Path.cwd()) / topology]
    elif Path(topology).is_absolute():
        candidates = [Path(topology)]
    else:
        candidates = [data_dir / topology, data_dir / "networks" / topology]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    folder = data_dir / "networks"
    known = [p.name for p in sorted(folder.glob("*"))] if folder.is_dir() else []
    msg = f"network not found (looked for {', '.join(str(c) for c in candidates)})"
    ok = f"topohub:<key>, or a folder/.graphml under {data_dir} ({', '.join(known[:8])})"
    raise input_error(msg, file, "network.topology", topology, ok)


def read_csv_with(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """A user CSV that must have the ``required`` columns."""
    if not path.is_file():
        raise input_error("file not found", path, "", path.name, "an existing CSV file")
    df = read_user_csv(path)
    missing = [c for c in required if c not in df.columns]
    if missing:
        ok = "columns " + ", ".join(required)
        raise input_error(f"missing columns {missing}", path, "header", list(df.columns), ok)
    return df


def read_user_csv(path: Path) -> pd.DataFrame:
    """A user's CSV as strings with stripped column names; an empty, non-UTF-8 or malformed
    file is a QroadInputError naming the file (not pandas' bare message)."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except UnicodeDecodeError as err:
        raise input_error(
            "file is not UTF-8 text", path, "", f"byte at {err.start}", "UTF-8 CSV"
        ) from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as err:
        msg = " ".join(str(err).split())
        raise input_error(
            f"cannot read CSV: {msg}", path, "", path.name, "a CSV with a header"
        ) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def finite_float(value: Any) -> float:
    """``value`` as a float; NaN for booleans, non-numbers and text that is not a number
    (callers then refuse NaN and infinities with their own message)."""
    if isinstance(value, bool):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def number_in(value: Any, file: Any, path: str, low: float, high: float) -> float:
    """``value`` as a finite float in [low, high] (booleans refused)."""
    x = finite_float(value)
    if not (math.isfinite(x) and low <= x <= high):
        raise input_error(
            "not a valid number", file, path, value, f"a number in [{low:g}, {high:g}]"
        )
    return x


def positive_km(value: Any, file: Any, path: str) -> float:
    """``value`` as a finite length in km, > 0."""
    x = finite_float(value)
    if not (math.isfinite(x) and x > 0):
        raise input_error("length must be positive", file, path, value, "a finite number of km > 0")
    return x


def max_systems_value(value: Any, file: Any, path: str) -> float:
    """A span's ``max_systems``: a finite number >= 0."""
    return number_in(value, file, path, 0, math.inf)


def input_error(message: str, file: Any, path: str, value: Any, allowed: str) -> QroadInputError:
    """A QroadInputError naming file, key path, bad value and what is allowed."""
    return QroadInputError(message, file=file, path=path, value=value, allowed=allowed)


def known_ids_hint(ids: Iterable[str], n: int = 6) -> str:
    """ "a known site id ('A', 'B', ...)": the allowed-values hint for an unknown site."""
    ids = list(ids)
    shown = ", ".join(repr(s) for s in ids[:n])
    return f"a known site id ({shown}{', ...' if len(ids) > n else ''})"


def topohub_keys() -> list[str]:
    """Every topology key bundled in the topohub package (e.g. ``topozoo/Janetbackbone``)."""
    from importlib.resources import files

    root = Path(str(files("topohub") / "data"))
    return sorted(str(p.relative_to(root).with_suffix("")) for p in root.rglob("*.json"))
