"""Store: one schema (schema.sql), two backends (embedded DuckDB by default,
PostgreSQL for shared use), the same methods on both.

Write path: each article's results are written in one transaction as soon as
they are extracted, so a crash or Ctrl-C loses nothing already stored and the
next run skips what is there (articles are keyed by a content hash). The
canonical events and stories are derived data: after each run the ones the
new articles touch are re-resolved and replaced in one transaction
(`update_resolution`; `mention_blocks` and `resolved_articles` are its index).

Every record is kept whole as JSON in a `record` column (records.py is the
schema); the scalar columns beside it exist for filtering and joins.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from importlib import resources
from typing import Any, Callable, Iterable, Optional, Sequence

from ..records import (Article, ArticleResult, Attribution, Event, EventMention, Quote, Rejection, Story,
                       from_dict, to_dict)


def open_store(db: str) -> "Store":
    """A Store for a DuckDB file path (default) or a postgresql:// URL."""
    if db.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore
        return PostgresStore(db)
    from .duck import DuckDBStore
    return DuckDBStore(db)


def schema_statements() -> list[str]:
    sql = resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _json(record: Any) -> str:
    return json.dumps(to_dict(record), ensure_ascii=False, sort_keys=True)


# Table rows built once, here, for every backend and for the Parquet export of
# the Spark runner (crosswire.scale): the column order is schema.sql's.
RESOLUTION_TABLES = ("events", "event_participants", "event_places", "event_members", "stories", "story_articles")
KEYED_RESOLUTION_TABLES = ("events", "stories")
INDEX_TABLES = ("mention_blocks", "resolved_articles")  # what incremental resolution reads (derived too)
IN_CHUNK = 500  # ids per `IN (...)` list


def result_rows(result: ArticleResult) -> dict[str, list[tuple]]:
    """Rows of each per-article table for one ArticleResult."""
    a = result.article
    return {
        "articles": [(a.id, a.path, a.outlet, a.title, a.url, a.byline, a.published, a.published_basis, a.text,
                      _json(a), _now())],
        "article_paths": [(a.id, a.path)],
        "results": [(a.id, _json(result))],
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
        "events": [(e.id, e.event_type, e.status, e.date, e.date_end, e.story, _json(e)) for e in events],
        "event_participants": [(e.id, role, p.name, p.code) for e in events
                               for role, people in (("actor", e.actors), ("recipient", e.recipients))
                               for p in people],
        "event_places": [(e.id, e.location.geonames_id, e.location.country, e.location.admin1, e.location.lat,
                          e.location.lon) for e in events if e.location is not None],
        "event_members": [(e.id, m.mention_id, m.article, m.outlet) for e in events for m in e.mentions],
        "stories": [(s.id, s.title, _json(s)) for s in stories],
        "story_articles": [(s.id, a) for s in stories for a in s.articles],
    }


class Store:
    """Backend-neutral store logic. Subclasses provide `_connect`, the
    placeholder style and `transaction()`; SQL here uses `?` placeholders."""

    placeholder = "?"
    location: str = ""

    def __init__(self) -> None:
        self.init_schema()

    # --------------------------------------------------------- backend hooks
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError

    def transaction(self):
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def init_schema(self) -> None:
        with self.transaction():
            for statement in schema_statements():
                self.execute(statement)

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
        rows = rows or [None] * len(results)
        return [r.article.id for r, r_rows in zip(results, rows) if self.write_result(r, r_rows)]

    def _insert_rows(self, table: str, rows: list[tuple], keyed: bool = True) -> None:
        """Insert rows; on keyed tables a row already there is left as it is."""
        if rows:
            marks = ", ".join("?" for _ in rows[0])
            conflict = " ON CONFLICT DO NOTHING" if keyed else ""
            self.executemany(f"INSERT INTO {table} VALUES ({marks}){conflict}", rows)

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

    def lock_resolution(self) -> None:
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
            full = full or self._resolution_predates_index()
            update = resolve_update(self, held=held, full=full)
            self.apply_resolution(update)
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

    def start_run(self, run_id: str) -> None:
        with self.transaction():
            self.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                         (run_id, _now(), None, "running", None))

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        with self.transaction():
            self.execute("UPDATE runs SET finished = ?, status = ?, summary = ? WHERE id = ?",
                         (_now(), status, json.dumps(summary), run_id))

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
        pattern = f"%{query.lower()}%"
        rows = self.execute("SELECT record FROM articles WHERE lower(text) LIKE ? OR lower(title) LIKE ? "
                            "ORDER BY published NULLS LAST, id LIMIT ?", (pattern, pattern, limit))
        return [from_dict(Article, json.loads(r[0])) for r in rows]

    def events(self, actor: Optional[str] = None, event_type: Optional[str] = None,
               status: Optional[str] = None, date_from: Optional[str] = None, date_to: Optional[str] = None,
               outlet: Optional[str] = None, story: Optional[str] = None, country: Optional[str] = None,
               bbox: Optional[tuple[float, float, float, float]] = None, limit: Optional[int] = None,
               offset: int = 0) -> list[Event]:
        """Canonical events matching every filter given (all optional).
        `country`: ISO3 of the event's place; `bbox`: (west, south, east,
        north) in degrees around its point (west > east crosses the antimeridian)."""
        where, params = [], []
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
            where.append("e.story LIKE ?")
            params.append(story + "%")
        if actor:
            where.append("e.id IN (SELECT event_id FROM event_participants "
                         "WHERE lower(name) LIKE ? OR upper(code) = ?)")
            params.extend([f"%{actor.lower()}%", actor.upper()])
        if outlet:
            where.append("e.id IN (SELECT event_id FROM event_members WHERE lower(outlet) LIKE ?)")
            params.append(f"%{outlet.lower()}%")
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
        rows = self.execute("SELECT record FROM events WHERE id = ? OR id LIKE ? ORDER BY id",
                            (event_id, event_id + "%"))
        return from_dict(Event, json.loads(rows[0][0])) if len(rows) >= 1 else None

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
            where.append("(lower(speaker_name) LIKE ? OR upper(speaker_code) = ?)")
            params.extend([f"%{speaker.lower()}%", speaker.upper()])
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
        rows = self.execute("SELECT record FROM stories WHERE id = ? OR id LIKE ? ORDER BY id",
                            (story_id, story_id + "%"))
        return from_dict(Story, json.loads(rows[0][0])) if rows else None

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
