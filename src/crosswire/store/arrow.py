"""The store's tables as Arrow: column types read from schema.sql (the one
schema definition). Arrow is how rows move in bulk: DuckDB inserts a
registered Arrow table in one statement (row-by-row `executemany` costs about
a millisecond a row), and the Spark runner writes Parquet from the same tables.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional, Sequence

from . import schema_statements

_CREATE = re.compile(r"CREATE TABLE IF NOT EXISTS\s+(\w+)\s*\((.*)\)\s*$", re.S | re.I)
_ADD_COLUMN = re.compile(r"ALTER TABLE\s+(\w+)\s+ADD COLUMN\s+(\w+)\s+(.*)$", re.S | re.I)
SQL_TYPES = ("DOUBLE PRECISION", "BIGINT", "INTEGER", "BOOLEAN", "TEXT")


@lru_cache(maxsize=1)
def table_columns() -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, SQL type)]} from schema.sql and its migrations, in
    column order (an added column comes last, as the databases put it)."""
    tables: dict[str, list[tuple[str, str]]] = {}
    for statement in schema_statements():
        added = _ADD_COLUMN.match(statement.strip())
        if added:
            rest = added.group(3).upper()
            tables[added.group(1)].append((added.group(2), next(t for t in SQL_TYPES if rest.startswith(t))))
            continue
        match = _CREATE.match(statement.strip())
        if not match:
            continue
        columns = []
        for line in match.group(2).split(",\n"):
            line = line.strip().rstrip(",")
            if not line or line.upper().startswith("PRIMARY KEY"):
                continue
            name, rest = line.split(None, 1)
            columns.append((name, next(t for t in SQL_TYPES if rest.upper().startswith(t))))
        tables[match.group(1)] = columns
    return tables


def arrow_schema(table: str, partition_column: Optional[str] = None):
    """The table's Arrow schema; `partition_column` (TEXT) is appended when the
    table lacks it (Parquet partitioning)."""
    import pyarrow as pa

    kinds = {"TEXT": pa.string(), "INTEGER": pa.int64(), "BIGINT": pa.int64(),
             "DOUBLE PRECISION": pa.float64(), "BOOLEAN": pa.bool_()}
    columns = list(table_columns()[table])
    if partition_column and partition_column not in dict(columns):
        columns.append((partition_column, "TEXT"))
    return pa.schema([(name, kinds[kind]) for name, kind in columns])


def arrow_table(name: str, rows: list[tuple], partition_column: Optional[str] = None):
    """An Arrow table of `rows` with the table's schema.sql columns."""
    import pyarrow as pa

    schema = arrow_schema(name, partition_column)
    columns: list[Sequence[object]] = list(zip(*rows)) if rows else [[] for _ in schema]
    return pa.Table.from_arrays([pa.array(list(col), type=field.type) for col, field in zip(columns, schema)],
                                schema=schema)
