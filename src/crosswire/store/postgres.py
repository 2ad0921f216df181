"""The PostgreSQL backend: one shared database for a team and for Spark runs.

Same schema (schema.sql) and the same Store methods as DuckDB; only the
connection, the placeholder style and the locking differ. Several writers may
run at once (`crosswire run` on two machines into one database):

- articles and everything extracted from them are keyed by content hashes and
  written with a per-article advisory lock, so two writers storing the same
  article store it once (the second sees the first's row and skips);
- the derived tables (events, stories) are updated under one global advisory
  lock, so concurrent resolutions serialise and each one resolves every
  article committed before it and not yet resolved (see
  `Store.update_resolution`);
- schema creation is serialised too (CREATE TABLE IF NOT EXISTS races in
  PostgreSQL when two sessions create the same table at once).
"""
from __future__ import annotations

import contextlib
import zlib
from typing import Any, Iterable, Iterator, Sequence

import psycopg

from ..sanitize import REDACTED, redact_url, redact_urls_in
from . import Store, StoreError

# Advisory lock keys (one 64-bit namespace per database): fixed keys for the
# schema and the resolution, a hash of the article id for article writes.
SCHEMA_LOCK = 0x63770001
RESOLUTION_LOCK = 0x63770002
ARTICLE_LOCK_BASE = 0x6377 << 32


def to_pyformat(sql: str) -> str:
    """`?` placeholders (the Store's portable style) -> psycopg's `%s`;
    literal `%` (LIKE patterns written in SQL) must be doubled first."""
    return sql.replace("%", "%%").replace("?", "%s")


def article_lock_key(article_id: str) -> int:
    """A stable 64-bit advisory-lock key for one article id."""
    return ARTICLE_LOCK_BASE + zlib.crc32(article_id.encode("utf-8"))


class PostgresStore(Store):
    def __init__(self, url: str, read_only: bool = False, wait_seconds: float = 0.0) -> None:
        """`read_only` and `wait_seconds` are the DuckDB backend's concerns
        (`open_store`): a PostgreSQL database is never created by opening it,
        and the server lets concurrent readers and writers in."""
        del read_only, wait_seconds
        self.location = redact_url(url)
        # autocommit: transactions are opened explicitly by `transaction()`,
        # exactly as in the DuckDB backend, so both behave alike. The password is
        # best kept out of the URL (PGPASSWORD or a PGPASSFILE, docs/security.md).
        try:
            self.conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            password = _password(url)
            reason = redact_urls_in(reason.replace(password, REDACTED) if password else reason)
            raise StoreError(f"cannot connect to PostgreSQL at {self.location}: {reason}") from None
        self._depth = 0
        super().__init__()

    # --------------------------------------------------------- backend hooks
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self.conn.cursor() as cursor:
            cursor.execute(to_pyformat(sql), list(params))
            return cursor.fetchall() if cursor.description is not None else []

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(to_pyformat(sql), [list(r) for r in rows])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Nested calls join the outer transaction (as in DuckDBStore)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        self.conn.execute("BEGIN")
        try:
            yield
        except BaseException:
            with contextlib.suppress(Exception):
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()

    # ------------------------------------------------------ concurrency-safe
    def _advisory_lock(self, key: int) -> None:
        """Held until the enclosing transaction ends."""
        self.execute("SELECT pg_advisory_xact_lock(?)", (key,))

    def init_schema(self) -> None:
        with self.transaction():
            self._advisory_lock(SCHEMA_LOCK)
            super().init_schema()

    def lock_article(self, article_id: str) -> None:
        """Under READ COMMITTED, `write_result`'s existence check runs after
        the lock is granted, so it sees a concurrent writer's committed row
        and skips instead of failing on the primary key."""
        self._advisory_lock(article_lock_key(article_id))

    def lock_resolution(self) -> None:
        self._advisory_lock(RESOLUTION_LOCK)


def _password(url: str) -> str | None:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).password
    except ValueError:
        return None
