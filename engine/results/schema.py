"""The results contract: one pyarrow schema per Parquet table (DESIGN.md, "Results").

The solution tables' schemas are the optimizer's (``optimizer.result_schema``, stated
once); the input tables' (sites, links, capacity) are here.

Every table carries a ``scenario`` column first, so the tables of several runs concatenate
into one long table. Units are in the column names. ``SCHEMA_VERSION`` is written into each
run's manifest; readers refuse a major version they do not know.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from optimizer.result_schema import SOLUTION_SCHEMAS

SCHEMA_VERSION = "1.0"

_STR = pa.string()
_F64 = pa.float64()
_I64 = pa.int64()


def _schema(*cols: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field("scenario", _STR, nullable=False), *cols])


INPUT_SCHEMAS: dict[str, pa.Schema] = {
    # kind: "site" (of the network) | "field" (a field hut of a relay or repeater node)
    "sites": pa.schema(
        [("site", _STR), ("name", _STR), ("lon", _F64), ("lat", _F64), ("kind", _STR)]
    ),
    "links": pa.schema(
        [
            ("link", _STR),
            ("tech", _STR),
            ("phase", _STR),
            ("site_a", _STR),
            ("site_b", _STR),
            ("length_km", _F64),
            ("route", _STR),
            ("relay_site", _STR),
        ]
    ),
    "capacity": pa.schema([("period", _I64), ("link", _STR), ("key_rate_per_system_bps", _F64)]),
}
"""The tables a run writes from its inputs (the solution's come from the optimizer)."""

INPUT_DEFAULTS: dict[str, dict[str, object]] = {"sites": {"kind": "site"}}
"""Columns an input frame may lack (ModelData's ``OPTIONAL``), with the value written then."""

TABLE_SCHEMAS: dict[str, pa.Schema] = {
    name: _schema(*zip(schema.names, schema.types, strict=True))
    for name, schema in {**INPUT_SCHEMAS, **SOLUTION_SCHEMAS}.items()
}

TABLE_NAMES: tuple[str, ...] = tuple(TABLE_SCHEMAS)


def to_arrow(name: str, frame: pd.DataFrame, scenario: str) -> pa.Table:
    """Cast ``frame`` to table ``name``'s schema, adding the ``scenario`` column.

    Raises ``KeyError`` naming the missing columns; extra columns are dropped so that the
    files hold exactly the contract.
    """
    schema = TABLE_SCHEMAS[name]
    defaults = {k: v for k, v in INPUT_DEFAULTS.get(name, {}).items() if k not in frame.columns}
    frame = frame.assign(scenario=scenario, **defaults)
    missing = [f.name for f in schema if f.name not in frame.columns]
    if missing:
        raise KeyError(f"results table {name!r} lacks columns {missing}")
    ordered = frame[[f.name for f in schema]].reset_index(drop=True)
    if name == "equipment":
        ordered = ordered.astype({"installed": bool, "new": bool})
    return pa.Table.from_pandas(ordered, schema=schema, preserve_index=False)
