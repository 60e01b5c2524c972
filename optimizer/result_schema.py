"""The columns and types of the solution tables ``extract`` returns, stated once.

One pyarrow schema per table (DESIGN.md, "Results": builds, equipment, served, flows,
costs, phases). ``extract`` orders its frames by these columns, and engine/results writes
the Parquet files with them (adding the ``scenario`` column and the input tables). A leaf
module: pyarrow only, so reading results never loads the solver.
"""

from __future__ import annotations

import pyarrow as pa

_STR, _F64, _I64, _BOOL = pa.string(), pa.float64(), pa.int64(), pa.bool_()

SOLUTION_SCHEMAS: dict[str, pa.Schema] = {
    "builds": pa.schema(
        [
            ("period", _I64),
            ("link", _STR),
            ("tech", _STR),
            ("systems_new", _I64),
            ("systems_installed", _I64),
            ("capex_eur", _F64),
            ("key_rate_per_system_bps", _F64),
            ("capacity_bps", _F64),
        ]
    ),
    "equipment": pa.schema(
        [
            ("period", _I64),
            ("site", _STR),
            ("equipment", _STR),
            ("installed", _BOOL),
            ("new", _BOOL),
        ]
    ),
    "served": pa.schema(
        [
            ("period", _I64),
            ("demand", _STR),
            ("site_a", _STR),
            ("site_b", _STR),
            ("trust", _STR),
            ("customer", _STR),
            ("demand_bps", _F64),
            ("served_bps", _F64),
        ]
    ),
    "flows": pa.schema([("period", _I64), ("link", _STR), ("trust", _STR), ("key_flow_bps", _F64)]),
    "costs": pa.schema(
        [("period", _I64), ("category", _STR), ("eur", _F64), ("discounted_eur", _F64)]
    ),
    "phases": pa.schema([("period", _I64), ("phase", _STR), ("served_bps", _F64), ("share", _F64)]),
}


def columns(table: str) -> list[str]:
    """The column names of solution table ``table``, in order."""
    return SOLUTION_SCHEMAS[table].names
