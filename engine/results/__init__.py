"""Results: the Parquet tables + manifest of a run (the reports' contract)."""

from engine.results.schema import SCHEMA_VERSION, TABLE_NAMES, TABLE_SCHEMAS, to_arrow
from engine.results.store import (
    ResultsReadError,
    RunExistsError,
    read_manifest,
    read_table,
    write_run,
)

__all__ = [
    "SCHEMA_VERSION",
    "TABLE_NAMES",
    "TABLE_SCHEMAS",
    "ResultsReadError",
    "RunExistsError",
    "read_manifest",
    "read_table",
    "to_arrow",
    "write_run",
]
