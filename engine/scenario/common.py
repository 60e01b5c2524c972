"""Shared pieces of the scenario models: fixed names (DESIGN.md), strict field types, the
``fail`` helper whose errors the loader turns into QroadInputError, and path resolution."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from engine.names import EQUIPMENT, TECHNOLOGIES, TRUST_CLASSES
from engine.paths import DATA_DIR

TOPOHUB_PREFIX = "topohub:"
SHARE_TOLERANCE = 1e-6
EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius
PAIRS_ALLOWED = (
    '"all", "sndlib", a CSV path (under data/, or ./-relative), '
    "or a list of {a, b, key_rate_bps, trust, customer, paths}"
)
TOPOLOGY_ALLOWED = (
    "topohub:<group>/<name> (e.g. topohub:topozoo/Janetbackbone), a folder with "
    "sites.csv + spans.csv or a .graphml file under data/ (e.g. "
    "networks/beijing_shanghai), or a ./-relative path"
)


def fail(
    message: str, path: tuple[str | int, ...] = (), value: Any = None, allowed: str = ""
) -> PydanticCustomError:
    """A validation error at ``path`` (relative to the model raising it) for the loader."""
    return PydanticCustomError("qroad", message, {"path": path, "value": value, "allowed": allowed})


def _int_id_to_str(value: Any) -> Any:
    return str(value) if type(value) is int else value


def _digits_to_int(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


Year = Annotated[int, Field(strict=True, ge=2000, le=2200)]
YearKey = Annotated[int, BeforeValidator(_digits_to_int), Field(strict=True, ge=2000, le=2200)]
NonNeg = Annotated[float, Field(strict=True, ge=0)]
Positive = Annotated[float, Field(strict=True, gt=0)]
Share = Annotated[float, Field(strict=True, ge=0, le=1)]
Rate01 = Annotated[float, Field(strict=True, ge=0, lt=1)]
PosInt = Annotated[int, Field(strict=True, ge=1)]
Text = Annotated[str, Field(strict=True)]
SiteId = Annotated[str, BeforeValidator(_int_id_to_str), Field(strict=True, pattern=r"\S")]
Key = Annotated[str, Field(strict=True, pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$")]
ScenarioName = Annotated[str, Field(strict=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
TechName = Literal[TECHNOLOGIES]
EquipmentName = Literal[EQUIPMENT]
TrustName = Literal[TRUST_CLASSES]


class Strict(BaseModel):
    """Base: frozen, unknown keys forbidden, NaN/inf rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class SitePair(Strict):
    """Base of what joins two different sites ``a`` and ``b`` (a span, a demand); the error
    for ``a == b`` names it by ``joins``."""

    joins: ClassVar[str] = "pair"
    a: SiteId
    b: SiteId

    @model_validator(mode="after")
    def _distinct(self) -> SitePair:
        if self.a == self.b:
            raise fail(
                f"a {self.joins} joins two different sites",
                ("b",),
                self.b,
                f"a site other than {self.a}",
            )
        return self


def context_dirs(info: ValidationInfo) -> tuple[Path, Path]:
    ctx = info.context or {}
    return Path(ctx.get("data_dir", DATA_DIR)), Path(ctx.get("base_dir", Path.cwd()))


def resolve_data_path(
    text: str, *, data_dir: Path = DATA_DIR, base_dir: Path | None = None
) -> Path:
    """``./`` or ``../`` paths are relative to ``base_dir`` (the scenario's folder), absolute
    paths stay, anything else is relative to the project's ``data/`` folder (for networks
    also ``data/networks/``, as engine.network reads them)."""
    if text.startswith(("./", "../")):
        return (base_dir or Path.cwd()) / text
    path = Path(text)
    if path.is_absolute():
        return path
    if not (data_dir / path).exists() and (data_dir / "networks" / path).exists():
        return data_dir / "networks" / path
    return data_dir / path


def great_circle_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine distance on a sphere of the mean Earth radius, in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
