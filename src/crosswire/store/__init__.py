"""Store: one schema (schema.sql, then the numbered files of migrations/),
two backends (embedded DuckDB by default, PostgreSQL for shared use), the same
methods on both: `Store` below is the contract, `STORE_BACKENDS` the one place
a backend is registered.

Write path: each article's results are written in one transaction as soon as
they are extracted, so a crash or Ctrl-C loses nothing already stored and the
next run skips what is there (articles are keyed by a content hash). The
canonical events and stories are derived data: after each run the ones the
new articles touch are re-resolved and replaced in one transaction
(`update_resolution`; `mention_blocks` and `resolved_articles` are its index).

Every record is kept whole as JSON in a `record` column (records.py is the
schema); the scalar columns beside it exist for filtering and joins.

Schema versions: schema.sql is version 1; each `migrations/NNNN_name.sql` is
version NNNN. Opening a store applies the versions it lacks, in order, in one
transaction, and records them in `schema_migrations`; a store newer than the
code is refused (`StoreVersionError`). Results name the producer that
extracted them (`crosswire.runstamp`), so an upgrade can find what to
re-extract (`stale_articles`, `replace_result`).
"""
from __future__ import annotations

import abc
import importlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from typing import Any, Callable, ContextManager, Iterable, Optional, Sequence

from ..records import (Article, ArticleResult, Attribution, Event, EventMention, MergeCorrection, Quote,
                       Rejection, Story, from_dict, to_dict)
from ..sanitize import printable


class StoreError(RuntimeError):
    """A store that cannot be opened or used, said in one line a user can act
    on (in use by another process, missing, not a database, unreachable, too
    new); the CLI prints it without a traceback. Never carries a password."""


class StoreVersionError(StoreError):
    """The store's schema is newer than this crosswire knows."""


class AmbiguousId(StoreError, ValueError):
    """An id prefix that names several records."""


@dataclass(frozen=True)
class Backend:
    """A registered store backend: the `--db` values it takes (URL prefixes;
    "" takes anything, a file path) and its `Store` subclass, imported only
    when used (its driver may be an optional extra). Every `Store` subclass
    takes `(db, read_only=False, wait_seconds=0.0)` (see `open_store`)."""

    name: str
    prefixes: tuple[str, ...]
    store_class: str  # "module:Class"
    extra: str = ""  # the pip extra that installs its driver

    def takes(self, db: str) -> bool:
        return any(db.startswith(prefix) for prefix in self.prefixes)

    def open(self, db: str, read_only: bool = False, wait_seconds: float = 0.0) -> "Store":
        module, name = self.store_class.split(":")
        try:
            cls = getattr(importlib.import_module(module), name)
        except ImportError as exc:
            install = f"pip install 'crosswire[{self.extra}]'" if self.extra else "reinstall crosswire"
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"the {self.name} store is not installed: {install} ({reason})") from None
        return cls(db, read_only=read_only, wait_seconds=wait_seconds)


# The one place a backend is added; the first whose prefix matches opens the store.
STORE_BACKENDS: tuple[Backend, ...] = (
    Backend("postgresql", ("postgresql://", "postgres://"), "crosswire.store.postgres:PostgresStore", "postgres"),
    Backend("duckdb", ("",), "crosswire.store.duck:DuckDBStore"),
)


def open_store(db: str, read_only: bool = False, wait_seconds: float = 0.0) -> "Store":
    """A Store for a DuckDB file path (default) or a postgresql:// URL.
    `read_only`: for commands that only read (a missing DuckDB file is an
    error, not a new empty store). `wait_seconds`: how long to wait for a
    DuckDB file another process has open (docs/security.md, concurrency)."""
    return next(b for b in STORE_BACKENDS if b.takes(db)).open(db, read_only=read_only, wait_seconds=wait_seconds)


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


_MIGRATION_FILE = re.compile(r"^(\d{4})_(\w+)\.sql$")


@lru_cache(maxsize=1)
def migrations() -> tuple[tuple[int, str, tuple[str, ...]], ...]:
    """(version, name, statements) in order: 1 is schema.sql, then each
    migrations/NNNN_name.sql (portable SQL, run on both backends)."""
    root = resources.files(__package__)
    found = [(1, "baseline", tuple(_statements(root.joinpath("schema.sql").read_text(encoding="utf-8"))))]
    for entry in sorted(root.joinpath("migrations").iterdir(), key=lambda e: e.name):
        match = _MIGRATION_FILE.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), tuple(_statements(entry.read_text(encoding="utf-8")))))
    versions = [v for v, _n, _s in found]
    if versions != sorted(set(versions)):
        raise StoreError(f"store migrations out of order or repeated: {versions}")
    return tuple(found)


def schema_version() -> int:
    """The schema version this crosswire writes (its newest migration)."""
    return migrations()[-1][0]


def schema_statements() -> list[str]:
    """Every statement of every schema version, in order (a fresh store's schema)."""
    return [statement for _v, _n, statements in migrations() for statement in statements]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _json(record: Any) -> str:
    return json.dumps(to_dict(record), ensure_ascii=False, sort_keys=True)


def _stamp_json(stamp: Optional[dict[str, Any]]) -> Optional[str]:
    return json.dumps(stamp, sort_keys=True) if stamp else None


# Table rows built once, here, for every backend and for the Parquet export of
# the Spark runner (crosswire.scale): the column order is schema.sql's.
RESOLUTION_TABLES = ("events", "event_participants", "event_places", "event_members", "stories", "story_articles")
KEYED_RESOLUTION_TABLES = ("events", "stories")
INDEX_TABLES = ("mention_blocks", "resolved_articles")  # what incremental resolution reads (derived too)
# The tables written per article from its result (each has an `article` column), replaced on re-extraction.
EXTRACTED_TABLES = ("results", "sentences", "timexes", "actor_mentions", "event_mentions", "quotes", "attributions")
FULL_RESOLUTION_DUE = "full_resolution_due"  # store_state key: set by re-extraction, cleared by a full resolution
IN_CHUNK = 500  # ids per `IN (...)` list


def result_rows(result: ArticleResult) -> dict[str, list[tuple]]:
    """Rows of each per-article table for one ArticleResult."""
    a = result.article
    return {
        "articles": [(a.id, a.path, a.outlet, a.title, a.url, a.byline, a.published, a.published_basis, a.text,
                      _json(a), _now())],
        "article_paths": [(a.id, a.path)],
        "results": [(a.id, _json(result), result.producer)],
        "sentences": [(a.id, s.index, s.start, s.end, s.text) for s in result.sentences],
        "timexes": [(t.id, a.id, t.sentence, t.start, t.end, t.text, t.type, t.value, t.basis)
                    for t in result.timexes],
        "actor_mentions": [(m.id, a.id, m.sentence, m.start, m.end, m.text, m.actor.id, m.actor.name, m.actor.code,
                            m.actor.kind, m.actor.sector, m.actor.office) for m in result.actor_mentions],
        "event_mentions": [(m.id, a.id, m.sentence, m.start, m.end, m.event_type, m.status, m.date, _json(m))
                           for m in result.event_mentions],
        "quotes": [(q.id, a.id, q.sentence, q.start, q.end, q.speaker.name, q.speaker.code, q.direct, q.medium,
                    q.text, _json(q)) for q in result.quotes],
        "attributions": [(t.id, a.id, _json(t)) for t in result.attributions],
    }


def resolution_rows(events: Sequence[Event], stories: Sequence[Story]) -> dict[str, list[tuple]]:
    """Rows of each derived table for a resolution (events and stories)."""
    return {
        "events": [(e.id, e.event_type, e.status, e.date, e.date_end, e.story, _json(e), e.confidence)
                   for e in events],
        "event_participants": [(e.id, role, p.name, p.code) for e in events
                               for role, people in (("actor", e.actors), ("recipient", e.recipients))
                               for p in people],
        "event_places": [(e.id, e.location.geonames_id, e.location.country, e.location.admin1, e.location.lat,
                          e.location.lon) for e in events if e.location is not None],
        "event_members": [(e.id, m.mention_id, m.article, m.outlet) for e in events for m in e.mentions],
        "stories": [(s.id, s.title, _json(s)) for s in stories],
        "story_articles": [(s.id, a) for s in stories for a in s.articles],
    }


class Store(abc.ABC):
    """The store contract, written once over portable SQL with `?` placeholders.

    A backend subclasses it, sets `location` (the store's name in messages)
    and implements four methods: `execute`, `executemany`, `transaction` and
    `close`; it then calls `super().__init__()`, which brings the schema up
    to date. Two hooks may be overridden for concurrent writers, both no-ops
    here: `lock_article` and `lock_resolution`. A backend may also override a
    method for speed (DuckDB inserts in bulk) as long as it keeps its
    meaning: tests/test_store_contract.py runs the same tests on every
    registered backend.
    """

    location: str = ""

    def __init__(self) -> None:
        try:
            self.init_schema()
        except BaseException:
            self.close()  # a store refused (too new, unreadable) keeps no connection or file lock
            raise

    # --------------------------------------------------------- backend hooks
    @abc.abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run one statement (`?` placeholders); its rows, [] when it has none."""

    @abc.abstractmethod
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters."""

    @abc.abstractmethod
    def transaction(self) -> ContextManager[None]:
        """A context manager: commit on exit, roll back on any exception
        (KeyboardInterrupt too); a nested call joins the outer transaction."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection (never raises)."""

    def lock_article(self, article_id: str) -> None:  # noqa: B027 (an optional hook)
        """Serialise writers of one article until the transaction ends
        (a no-op for single-writer backends; PostgreSQL takes a lock)."""

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def init_schema(self) -> None:
        """Apply the schema versions the store lacks, in order, in one
        transaction (a store from before versioning has version 1's tables,
        whose statements are all `IF NOT EXISTS`)."""
        with self.transaction():
            self.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                         "(version INTEGER PRIMARY KEY, name TEXT, applied TEXT)")
            applied = {int(row[0]) for row in self.execute("SELECT version FROM schema_migrations")}
            if applied:
                self.check_not_newer(max(applied))
            for version, name, statements in migrations():
                if version in applied:
                    continue
                for statement in statements:
                    self.execute(statement)
                self.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, _now()))

    def check_not_newer(self, version: int) -> None:
        """Refuse a store whose schema `version` is newer than this crosswire's."""
        if version > schema_version():
            raise StoreVersionError(f"{printable(self.location)}: schema version {version} is newer than this "
                                    f"crosswire's {schema_version()}; upgrade crosswire to open it")

    def stored_schema_version(self) -> int:
        return int(self.execute("SELECT max(version) FROM schema_migrations")[0][0])

    # ---------------------------------------------------------------- writes
    def known_article_ids(self) -> set[str]:
        return {row[0] for row in self.execute("SELECT id FROM articles")}

    def has_article(self, article_id: str) -> bool:
        return bool(self.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)))

    def add_path(self, article_id: str, path: str) -> None:
        with self.transaction():
            self.execute("INSERT INTO article_paths VALUES (?, ?) ON CONFLICT DO NOTHING", (article_id, path))

    def write_result(self, result: ArticleResult, rows: Optional[dict[str, list[tuple]]] = None) -> bool:
        """Store one article and everything extracted from it, atomically.
        Returns False (writing nothing) when the article is already stored.
        `rows`: the result's `result_rows`, when the caller has them already
        (Spark executors build them in parallel)."""
        a = result.article
        with self.transaction():
            self.lock_article(a.id)
            if self.execute("SELECT 1 FROM articles WHERE id = ?", (a.id,)):
                self.execute("INSERT INTO article_paths VALUES (?, ?) ON CONFLICT DO NOTHING", (a.id, a.path))
                return False
            for table, table_rows in (rows or result_rows(result)).items():
                self._insert_rows(table, table_rows)
        return True

    def write_results(self, results: Sequence[ArticleResult],
                      rows: Optional[Sequence[dict[str, list[tuple]]]] = None) -> list[str]:
        """Store many results (`write_result` each, here); returns the ids of
        the articles stored now. Backends that can insert in bulk do.
        `rows`: each result's `result_rows`, in the same order, if built."""
        built: Sequence[Optional[dict[str, list[tuple]]]] = rows if rows else [None] * len(results)
        return [r.article.id for r, r_rows in zip(results, built) if self.write_result(r, r_rows)]

    def _insert_rows(self, table: str, rows: list[tuple], keyed: bool = True) -> None:
        """Insert rows; on keyed tables a row already there is left as it is."""
        if rows:
            marks = ", ".join("?" for _ in rows[0])
            conflict = " ON CONFLICT DO NOTHING" if keyed else ""
            self.executemany(f"INSERT INTO {table} VALUES ({marks}){conflict}", rows)

    def replace_result(self, result: ArticleResult) -> None:
        """Replace a stored article's extracted rows with a new extraction of
        it (re-extraction after an upgrade), atomically. The article becomes
        pending and a full resolution is owed (`FULL_RESOLUTION_DUE`, kept in
        the store so a crash before the resolution still owes it): its old
        mentions leave the stored events, which are rebuilt from what is
        stored, so nothing is counted twice."""
        a = result.article
        rows = result_rows(result)
        with self.transaction():
            self.lock_article(a.id)
            for table in EXTRACTED_TABLES:
                self.execute(f"DELETE FROM {table} WHERE article = ?", (a.id,))
                self._insert_rows(table, rows[table])
            self.execute("DELETE FROM resolved_articles WHERE article = ?", (a.id,))
            self._set_state(FULL_RESOLUTION_DUE, "1")

    def stale_articles(self, producer: str) -> list[str]:
        """Stored articles whose results another producer (or none, before
        stamps) extracted, in id order."""
        rows = self.execute("SELECT article FROM results WHERE producer IS NULL OR producer <> ? ORDER BY article",
                            (producer,))
        return [r[0] for r in rows]

    def articles_by_id(self, article_ids: Iterable[str]) -> list[Article]:
        """Stored articles (with their text), in id order."""
        rows = self._select_in("SELECT id, record FROM articles WHERE id IN ({ids})", article_ids)
        return [from_dict(Article, json.loads(record)) for _id, record in sorted(rows)]

    def _set_state(self, key: str, value: Optional[str]) -> None:
        self.execute("DELETE FROM store_state WHERE key = ?", (key,))
        if value is not None:
            self.execute("INSERT INTO store_state VALUES (?, ?)", (key, value))

    def _state(self, key: str) -> Optional[str]:
        rows = self.execute("SELECT value FROM store_state WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def quarantine(self, rejection: Rejection) -> None:
        now = _now()
        with self.transaction():
            self.execute(
                "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (path, reason) DO UPDATE SET last_seen = excluded.last_seen, detail = excluded.detail",
                (rejection.path, rejection.reason, rejection.detail, now, now))

    def write_resolution(self, events: Sequence[Event], stories: Sequence[Story]) -> None:
        """Replace every derived table with these events and stories, in one
        transaction. The block index is emptied with them, so the next run
        resolves everything again (see `_resolution_predates_index`)."""
        with self.transaction():
            for table in RESOLUTION_TABLES + INDEX_TABLES:
                self.execute(f"DELETE FROM {table}")
            self._insert_resolution(events, stories)

    def _insert_resolution(self, events: Sequence[Event], stories: Sequence[Story]) -> None:
        for table, rows in resolution_rows(events, stories).items():
            self._insert_rows(table, rows, keyed=table in KEYED_RESOLUTION_TABLES)

    def lock_resolution(self) -> None:  # noqa: B027 (an optional hook)
        """Serialise concurrent resolutions until the transaction ends
        (a no-op for single-writer backends; PostgreSQL takes a lock)."""

    def update_resolution(self, resolve_update: Callable[..., Any],
                          held: Optional[dict[str, ArticleResult]] = None, full: bool = False) -> Any:
        """Resolve the pending articles (stored, not yet resolved, by any
        writer) against the stored events and stories, and write the outcome,
        in one transaction. `resolve_update(store, held=..., full=...)` is
        `resolve.incremental.update` with the caller's settings (the pipeline's
        `resolve_update`); it reads what it needs through this store and
        returns a `ResolutionUpdate`. With several writers (PostgreSQL) the
        resolutions serialise and each one resolves whatever is pending when
        it gets the lock, so every stored article is covered. `full`: resolve
        everything again (also chosen for a store resolved before the block
        index existed). Stored events are never split, either way. `held`:
        results the caller has just stored, by article id (see `load_results`)."""
        with self.transaction():
            self.lock_resolution()
            full = full or self._resolution_predates_index() or self._state(FULL_RESOLUTION_DUE) is not None
            update = resolve_update(self, held=held, full=full)
            self.apply_resolution(update)
            if update.full:
                self._set_state(FULL_RESOLUTION_DUE, None)
        return update

    def _resolution_predates_index(self) -> bool:
        return (not self.execute("SELECT 1 FROM resolved_articles LIMIT 1")
                and bool(self.execute("SELECT 1 FROM events LIMIT 1")))

    def apply_resolution(self, update: Any) -> None:
        """Write a `ResolutionUpdate` in one transaction: the stored events,
        stories and block rows it replaces are deleted and its own inserted
        (a full update replaces every derived table)."""
        with self.transaction():
            if update.full:
                self.write_resolution(update.events, update.stories)
            else:
                for table, column in (("events", "id"), ("event_participants", "event_id"),
                                      ("event_places", "event_id"), ("event_members", "event_id")):
                    self._delete_in(table, column, update.replaced_events)
                self._delete_in("stories", "id", update.replaced_stories)
                self._delete_in("story_articles", "story_id", update.replaced_stories)
                self._delete_in("mention_blocks", "mention_id", update.replaced_blocks)
                self._insert_resolution(update.events, update.stories)
            self._insert_rows("mention_blocks", list(update.blocks), keyed=False)
            self._insert_rows("resolved_articles", [(a,) for a in update.resolved_articles])

    def _delete_in(self, table: str, column: str, ids: Iterable[str]) -> None:
        self._select_in(f"DELETE FROM {table} WHERE {column} IN ({{ids}})", ids)

    def _select_in(self, sql: str, ids: Iterable[str], params: Sequence[Any] = ()) -> list[tuple]:
        """Run `sql`, whose `{ids}` is filled with `IN` lists of `ids`, chunk by
        chunk (`params` fill the placeholders before it); the rows of all chunks."""
        ids = sorted(set(ids))
        rows: list[tuple] = []
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start:start + IN_CHUNK]
            rows += self.execute(sql.format(ids=", ".join("?" for _ in chunk)), [*params, *chunk])
        return rows

    def start_run(self, run_id: str, stamp: Optional[dict[str, Any]] = None) -> None:
        """Note a run and the producer it runs with (`runstamp.run_stamp`)."""
        producer = stamp.get("producer") if stamp else None
        with self.transaction():
            if stamp:
                self.record_producer(stamp)
            self.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                         (run_id, _now(), None, "running", None, producer, _stamp_json(stamp)))

    def record_producer(self, stamp: dict[str, Any]) -> None:
        """Keep a producer's stamp once (without per-run `loaded` flags)."""
        producer = {k: v for k, v in stamp.items() if k != "producer"}
        producer["models"] = [{k: v for k, v in m.items() if k != "loaded"} for m in stamp.get("models", [])]
        self.execute("INSERT INTO producers VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                     (stamp["producer"], _stamp_json(producer), _now()))

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any],
                   stamp: Optional[dict[str, Any]] = None) -> None:
        """Close a run; `stamp`: its final run stamp (which models loaded)."""
        with self.transaction():
            self.execute("UPDATE runs SET finished = ?, status = ?, summary = ?, stamp = COALESCE(?, stamp) "
                         "WHERE id = ?", (_now(), status, json.dumps(summary), _stamp_json(stamp), run_id))

    def latest_run_stamp(self) -> Optional[dict[str, Any]]:
        """The stamp of the last run that wrote one, or None."""
        rows = self.execute("SELECT stamp FROM runs WHERE stamp IS NOT NULL ORDER BY started DESC, id DESC LIMIT 1")
        return json.loads(rows[0][0]) if rows else None

    def producer_counts(self) -> dict[Optional[str], int]:
        """{producer id (None: before stamps): stored results it extracted}."""
        return {p: int(n) for p, n in self.execute("SELECT producer, count(*) FROM results GROUP BY producer")}

    # ----------------------------------------------------------------- reads
    def load_results(self, article_ids: Optional[Iterable[str]] = None,
                     held: Optional[dict[str, ArticleResult]] = None) -> list[ArticleResult]:
        """Stored results in article id order (of `article_ids` only, if
        given). `held` (article id -> result) are results the caller holds
        equal to their stored rows: they are used as they are instead of
        being rebuilt from JSON (which costs more than reading)."""
        held = held or {}
        if article_ids is None:
            rows = self.execute("SELECT article, record FROM results ORDER BY article")
        else:
            wanted = set(article_ids)
            rows = [(a, None) for a in sorted(wanted & held.keys())]
            rows += self._select_in("SELECT article, record FROM results WHERE article IN ({ids})", wanted - held.keys())
            rows.sort(key=lambda row: row[0])
        return [held[a] if a in held else from_dict(ArticleResult, json.loads(record)) for a, record in rows]

    def event_groups(self) -> dict[str, list[str]]:
        """{stored event id: its member mention ids}."""
        groups: dict[str, list[str]] = {}
        for event_id, mention_id in self.execute("SELECT event_id, mention_id FROM event_members "
                                                 "ORDER BY event_id, mention_id"):
            groups.setdefault(event_id, []).append(mention_id)
        return groups

    # ------------------------------------------------ merge corrections
    def add_correction(self, correction: MergeCorrection) -> None:
        """Keep a person's split or join of events (resolve/corrections.py);
        every later resolution applies it."""
        with self.transaction():
            self._insert_rows("event_corrections", [(
                correction.id, correction.kind, json.dumps(correction.mentions), json.dumps(correction.others),
                correction.event_id, correction.note, correction.created)])

    def corrections(self) -> list[MergeCorrection]:
        """Every stored correction, in the order they were made."""
        rows = self.execute("SELECT id, kind, mentions, others, event_id, note, created FROM event_corrections "
                            "ORDER BY created, id")
        return [MergeCorrection(id=i, kind=k, mentions=json.loads(m), others=json.loads(o), event_id=e or "",
                                note=n or "", created=c or "") for i, k, m, o, e, n, c in rows]

    # ------------------------------------- reads of incremental resolution
    def pending_articles(self) -> list[str]:
        """Stored articles no resolution has covered yet (whoever stored them)."""
        rows = self.execute("SELECT article FROM results WHERE article NOT IN "
                            "(SELECT article FROM resolved_articles) ORDER BY article")
        return [r[0] for r in rows]

    def mentions_in_blocks(self, blocks: Sequence[str]) -> list[tuple[str, str, str, int]]:
        """(block, mention id, article, day) of the resolved mentions in these blocks."""
        return [(b, m, a, int(d)) for b, m, a, d in self._select_in(
            "SELECT block, mention_id, article, day FROM mention_blocks WHERE block IN ({ids})", blocks)]

    def event_members_of(self, mention_ids: Iterable[str] = (),
                         article_ids: Iterable[str] = ()) -> dict[str, list[tuple[str, str]]]:
        """{event id: [(mention id, article)]} of the stored events with one of
        these mentions or a mention in one of these articles (all members)."""
        ids = {r[0] for r in self._select_in("SELECT event_id FROM event_members WHERE mention_id IN ({ids})",
                                             mention_ids)}
        ids |= {r[0] for r in self._select_in("SELECT event_id FROM event_members WHERE article IN ({ids})",
                                              article_ids)}
        groups: dict[str, list[tuple[str, str]]] = {}
        for event_id, mention_id, article in sorted(self._select_in(
                "SELECT event_id, mention_id, article FROM event_members WHERE event_id IN ({ids})", ids)):
            groups.setdefault(event_id, []).append((mention_id, article))
        return groups

    def story_members_of(self, article_ids: Iterable[str]) -> dict[str, list[str]]:
        """{story id: its articles} of the stored stories holding one of these articles."""
        ids = {r[0] for r in self._select_in("SELECT story_id FROM story_articles WHERE article IN ({ids})",
                                             article_ids)}
        groups: dict[str, list[str]] = {}
        for story_id, article in sorted(self._select_in(
                "SELECT story_id, article FROM story_articles WHERE story_id IN ({ids})", ids)):
            groups.setdefault(story_id, []).append(article)
        return groups

    def articles_naming(self, names: Iterable[str], date_from: str, date_to: str, limit: int) -> list[str]:
        """Resolved articles published within [date_from, date_to] (ISO text)
        naming one of these actors, most names shared first, at most `limit`."""
        counts: dict[str, int] = {}
        for article, n in self._select_in(
                "SELECT m.article, count(DISTINCT m.name) FROM actor_mentions m "
                "JOIN articles a ON a.id = m.article JOIN resolved_articles r ON r.article = m.article "
                "WHERE a.published BETWEEN ? AND ? AND m.name IN ({ids}) GROUP BY m.article",
                names, (date_from, date_to)):
            counts[article] = counts.get(article, 0) + int(n)
        return sorted(counts, key=lambda a: (-counts[a], a))[:limit]

    def articles(self) -> list[Article]:
        rows = self.execute("SELECT record FROM articles ORDER BY published NULLS LAST, id")
        return [from_dict(Article, json.loads(r[0])) for r in rows]

    def article(self, article_id: str) -> Optional[Article]:
        rows = self.execute("SELECT record FROM articles WHERE id = ?", (article_id,))
        return from_dict(Article, json.loads(rows[0][0])) if rows else None

    def search_articles(self, query: str, limit: int = 50) -> list[Article]:
        needle = query.lower()  # a plain substring: strpos, not LIKE, so `%` and `_` are themselves
        rows = self.execute("SELECT record FROM articles WHERE strpos(lower(text), ?) > 0 "
                            "OR strpos(lower(title), ?) > 0 ORDER BY published NULLS LAST, id LIMIT ?",
                            (needle, needle, limit))
        return [from_dict(Article, json.loads(r[0])) for r in rows]

    def events(self, actor: Optional[str] = None, event_type: Optional[str] = None,
               status: Optional[str] = None, date_from: Optional[str] = None, date_to: Optional[str] = None,
               outlet: Optional[str] = None, story: Optional[str] = None, country: Optional[str] = None,
               bbox: Optional[tuple[float, float, float, float]] = None, limit: Optional[int] = None,
               offset: int = 0, min_confidence: Optional[float] = None) -> list[Event]:
        """Canonical events matching every filter given (all optional).
        `min_confidence`: the event's confidence (its best mention's) at least this.
        `country`: ISO3 of the event's place; `bbox`: (west, south, east,
        north) in degrees around its point (west > east crosses the antimeridian)."""
        where: list[str] = []
        params: list[Any] = []
        if event_type:
            where.append("upper(e.event_type) = ?")
            params.append(event_type.upper())
        if status:
            where.append("e.status = ?")
            params.append(status.lower())
        if date_from:
            where.append("COALESCE(e.date_end, e.date) >= ?")
            params.append(date_from)
        if date_to:
            where.append("e.date <= ?")
            params.append(date_to)
        if story:
            where.append("starts_with(e.story, ?)")
            params.append(story)
        if min_confidence is not None:
            where.append("e.confidence >= ?")
            params.append(min_confidence)
        if actor:
            where.append("e.id IN (SELECT event_id FROM event_participants "
                         "WHERE strpos(lower(name), ?) > 0 OR upper(code) = ?)")
            params.extend([actor.lower(), actor.upper()])
        if outlet:
            where.append("e.id IN (SELECT event_id FROM event_members WHERE strpos(lower(outlet), ?) > 0)")
            params.append(outlet.lower())
        if country:
            where.append("e.id IN (SELECT event_id FROM event_places WHERE upper(country) = ?)")
            params.append(country.upper())
        if bbox:
            west, south, east, north = bbox
            lon_test = "(lon >= ? AND lon <= ?)" if west <= east else "(lon >= ? OR lon <= ?)"
            where.append(f"e.id IN (SELECT event_id FROM event_places WHERE lat >= ? AND lat <= ? AND {lon_test})")
            params.extend([south, north, west, east])
        sql = "SELECT e.record FROM events e"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY e.date NULLS LAST, e.id"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params.extend([limit, offset])
        return [from_dict(Event, json.loads(r[0])) for r in self.execute(sql, params)]

    def event(self, event_id: str) -> Optional[Event]:
        """The event with this id, or the one event whose id starts with it
        (AmbiguousId when several do)."""
        record = self._by_id_or_prefix("events", "event", event_id)
        return from_dict(Event, json.loads(record)) if record else None

    def event_of_mention(self, mention_id: str) -> Optional[Event]:
        """The stored event one mention is a member of."""
        rows = self.execute("SELECT event_id FROM event_members WHERE mention_id = ?", (mention_id,))
        return self.event(rows[0][0]) if rows else None

    def _by_id_or_prefix(self, table: str, noun: str, key: str) -> Optional[str]:
        """The `record` of the row whose id is `key`, else of the one row whose id
        starts with it (a plain prefix: `%` and `_` are not wildcards)."""
        rows = self.execute(f"SELECT id, record FROM {table} WHERE starts_with(id, ?) ORDER BY id LIMIT 4", (key,))
        if not rows or rows[0][0] == key or len(rows) == 1:
            return rows[0][1] if rows else None
        shown = ", ".join(r[0] for r in rows[:3]) + (", …" if len(rows) > 3 else "")
        raise AmbiguousId(f"{key!r} is the start of several {noun} ids ({shown}): give more of the id")

    def event_mentions(self, ids: Sequence[str]) -> list[EventMention]:
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        rows = self.execute(f"SELECT record FROM event_mentions WHERE id IN ({marks})", list(ids))
        return [from_dict(EventMention, json.loads(r[0])) for r in rows]

    def quotes(self, article: Optional[str] = None, speaker: Optional[str] = None) -> list[Quote]:
        where, params = [], []
        if article:
            where.append("article = ?")
            params.append(article)
        if speaker:
            where.append("(strpos(lower(speaker_name), ?) > 0 OR upper(speaker_code) = ?)")
            params.extend([speaker.lower(), speaker.upper()])
        sql = "SELECT record FROM quotes" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY article, start_char"
        return [from_dict(Quote, json.loads(r[0])) for r in self.execute(sql, params)]

    def attributions(self, article: Optional[str] = None) -> list[Attribution]:
        sql, params = "SELECT record FROM attributions", []
        if article:
            sql, params = sql + " WHERE article = ?", [article]
        return [from_dict(Attribution, json.loads(r[0])) for r in self.execute(sql + " ORDER BY id", params)]

    def sentence_bounds(self, article_id: str) -> dict[int, tuple[int, int]]:
        """Sentence index -> (start, end) of one article."""
        rows = self.execute("SELECT idx, start_char, end_char FROM sentences WHERE article = ?", (article_id,))
        return {int(i): (int(s), int(e)) for i, s, e in rows}

    def outlets(self) -> list[str]:
        """Every outlet named by a stored article (without loading texts)."""
        rows = self.execute("SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL ORDER BY outlet")
        return [r[0] for r in rows]

    def event_ids_in_article(self, article_id: str) -> list[str]:
        rows = self.execute("SELECT DISTINCT event_id FROM event_members WHERE article = ? ORDER BY event_id",
                            (article_id,))
        return [r[0] for r in rows]

    def stories(self) -> list[Story]:
        rows = self.execute("SELECT record FROM stories ORDER BY id")
        return [from_dict(Story, json.loads(r[0])) for r in rows]

    def story(self, story_id: str) -> Optional[Story]:
        """The story with this id, or the one story whose id starts with it."""
        record = self._by_id_or_prefix("stories", "story", story_id)
        return from_dict(Story, json.loads(record)) if record else None

    def actors(self) -> list[dict[str, Any]]:
        """Canonical actors with how many events and mentions name them."""
        rows = self.execute(
            "SELECT p.code, min(p.name) AS name, count(DISTINCT p.event_id) AS n_events "
            "FROM event_participants p GROUP BY p.code ORDER BY n_events DESC, name")
        return [{"code": code, "name": name, "events": n} for code, name, n in rows]

    def quarantined(self) -> list[Rejection]:
        rows = self.execute("SELECT path, reason, detail FROM quarantine ORDER BY path, reason")
        return [Rejection(path, reason, detail or "") for path, reason, detail in rows]

    def counts(self) -> dict[str, int]:
        tables = ("articles", "event_mentions", "events", "quotes", "stories", "quarantine")
        return {t: int(self.execute(f"SELECT count(*) FROM {t}")[0][0]) for t in tables}
