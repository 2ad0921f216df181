"""The embedded DuckDB backend: a single file, no server.

DuckDB lets one process at a time open a file (a writer locks out readers
too), so a second `crosswire` process on the same file waits up to
`wait_seconds` for it and then stops with one line naming the process that
holds it (docs/security.md, "One store, several processes").
"""
from __future__ import annotations

import contextlib
import os
import re
import time
from collections import defaultdict
from typing import Any, Iterable, Iterator, Optional, Sequence

import duckdb

from ..records import ArticleResult
from ..sanitize import printable
from . import Store, StoreError, result_rows, schema_version

BULK_ROWS = 50  # from this many rows an insert goes through Arrow
LOCK_RETRY_SECONDS = 0.25
_LOCK_HOLDER = re.compile(r"\(PID (\d+)\)")


class DuckDBStore(Store):
    def __init__(self, path: str, read_only: bool = False, wait_seconds: float = 0.0) -> None:
        self.location = path
        self.read_only = read_only and path != ":memory:"
        self.wait_seconds = wait_seconds
        if path != ":memory:":
            if self.read_only and not os.path.exists(path):
                raise StoreError(f"no store at {printable(path)} (`crosswire run ... --db {printable(path)}` "
                                 "creates one)")
            if not self.read_only:
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.conn = connect(path, self.read_only, wait_seconds)
        self._depth = 0
        super().__init__()

    def init_schema(self) -> None:
        """A writer applies the schema versions the store lacks (`Store.init_schema`).
        A read-only connection cannot, and creates nothing: it opens a crosswire
        store as it is when it is current, refuses one newer than this crosswire
        or a DuckDB file that is no crosswire store, and upgrades an older one
        once, through a short read-write connection, before it reads."""
        if not self.read_only:
            super().init_schema()
            return
        tables = {row[0] for row in self.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")}
        if "articles" not in tables:
            raise StoreError(f"{printable(self.location)} is not a crosswire store (no articles table)")
        stored = self.stored_schema_version() if "schema_migrations" in tables else 1
        self.check_not_newer(stored)
        if stored < schema_version():
            self.conn.close()
            self.conn = connect(self.location, False, self.wait_seconds)
            try:
                self.read_only = False
                super().init_schema()
            finally:
                self.read_only = True
                self.conn.close()
            self.conn = connect(self.location, True, self.wait_seconds)

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


def connect(path: str, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection, waiting up to `wait_seconds` while another process
    holds the file; every failure is a StoreError with one clear line."""
    deadline = time.monotonic() + wait_seconds
    shown = printable(path)
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" not in message.lower():
                if "not a valid DuckDB database" in message:
                    raise StoreError(f"{shown} is not a DuckDB database file") from None
                raise StoreError(f"cannot open {shown}: {message.splitlines()[0]}") from None
            if time.monotonic() >= deadline:
                holder = _LOCK_HOLDER.search(message)
                by = f" (PID {holder.group(1)})" if holder else ""
                raise StoreError(
                    f"{shown} is in use by another process{by}: a DuckDB store is open in one process at a "
                    f"time; wait for it to finish (waited {wait_seconds:g} s; CROSSWIRE_STORE_WAIT_SECONDS), "
                    "or use PostgreSQL for concurrent runs") from None
            time.sleep(LOCK_RETRY_SECONDS)
        except duckdb.Error as exc:
            raise StoreError(f"cannot open {shown}: {str(exc).splitlines()[0]}") from None
