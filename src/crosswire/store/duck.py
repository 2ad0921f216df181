"""The embedded DuckDB backend: a single file, no server."""
from __future__ import annotations

import contextlib
import os
from typing import Any, Iterable, Iterator, Sequence

import duckdb

from . import Store


class DuckDBStore(Store):
    def __init__(self, path: str) -> None:
        self.location = path
        if path != ":memory:":
            parent = os.path.dirname(os.path.abspath(path))
            os.makedirs(parent, exist_ok=True)
        self.conn = duckdb.connect(path)
        self._depth = 0
        super().__init__()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        cursor = self.conn.execute(sql, list(params))
        try:
            return cursor.fetchall()
        except duckdb.InvalidInputError:  # statements without a result set
            return []

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, [list(r) for r in rows])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Nested calls join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        self.conn.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
