"""The embedded DuckDB backend: a single file, no server."""
from __future__ import annotations

import contextlib
import os
from collections import defaultdict
from typing import Any, Iterable, Iterator, Optional, Sequence

import duckdb

from ..records import ArticleResult
from . import Store, result_rows

BULK_ROWS = 50  # from this many rows an insert goes through Arrow


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

    def _insert_rows(self, table: str, rows: list[tuple], keyed: bool = True) -> None:
        """One statement per table, never one per row: DuckDB's `executemany`
        costs 2-3 ms a row (about 0.3 s for one article's ~150 rows, half of a
        local run's time). Up to BULK_ROWS rows go in as one multi-row VALUES
        statement (about 3 ms whatever the count), more as one Arrow table.
        On keyed tables a row already there is left as it is, either way."""
        if not rows:
            return
        conflict = " ON CONFLICT DO NOTHING" if keyed else ""
        if len(rows) < BULK_ROWS:
            marks = "(" + ", ".join("?" for _ in rows[0]) + ")"
            self.execute(f"INSERT INTO {table} VALUES {', '.join([marks] * len(rows))}{conflict}",
                         [value for row in rows for value in row])
            return
        from .arrow import arrow_table

        self.conn.register("crosswire_bulk", arrow_table(table, rows))
        try:
            self.conn.execute(f"INSERT INTO {table} SELECT * FROM crosswire_bulk{conflict}")
        finally:
            self.conn.unregister("crosswire_bulk")

    def write_results(self, results: Sequence[ArticleResult],
                      rows: Optional[Sequence[dict[str, list[tuple]]]] = None) -> list[str]:
        """Every new article's rows, table by table, in one transaction (the
        single writer checks which articles are stored first); an article
        already stored gets only its path noted, as `write_result` does."""
        built: Sequence[Optional[dict[str, list[tuple]]]] = rows if rows else [None] * len(results)
        with self.transaction():
            known = self.known_article_ids()
            fresh: list[ArticleResult] = []
            by_table: dict[str, list[tuple]] = defaultdict(list)
            for result, result_table_rows in zip(results, built):
                if result.article.id in known:
                    self.add_path(result.article.id, result.article.path)
                    continue
                known.add(result.article.id)  # a second copy in this batch is a known article too
                fresh.append(result)
                for table, table_rows in (result_table_rows or result_rows(result)).items():
                    by_table[table].extend(table_rows)
            for table, table_rows in by_table.items():
                self._insert_rows(table, table_rows)
        return [r.article.id for r in fresh]
