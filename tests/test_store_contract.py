"""The store contract (`crosswire.store.Store`), one set of tests run against
every registered backend: embedded DuckDB and a real, temporary PostgreSQL
server (tests/pg_server.py). Schema versions and migrations, writes and
reads, quarantine, re-extraction (`replace_result`), producers and run
stamps, incremental resolution. Real results of the bundled example articles
(real spaCy, every stage)."""
from __future__ import annotations

import json

import pytest

from crosswire.records import Rejection, to_dict
from crosswire.store import (STORE_BACKENDS, Store, StoreVersionError, migrations, open_store, result_rows,
                             schema_version)
from pg_server import PostgresServer, find_bin_dir

BACKENDS = [b.name for b in STORE_BACKENDS]
RUN_STAMP = {"producer": "p-test", "crosswire_version": "0.0.0", "stages": ["time"],
             "models": [{"name": "time-dispatch", "fingerprint": "f" * 16, "loaded": True}]}


@pytest.fixture(scope="module")
def pg_server():
    if not find_bin_dir():
        pytest.skip("PostgreSQL server binaries not installed")
    with PostgresServer() as server:
        yield server


_databases = iter(range(1000))


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path) -> str:
    """A fresh, empty database location for each registered backend."""
    if request.param == "duckdb":
        return str(tmp_path / "contract.duckdb")
    return request.getfixturevalue("pg_server").create_database(f"c{next(_databases)}")


@pytest.fixture(scope="module")
def pipeline():
    from crosswire import Pipeline

    return Pipeline(progress=False)


@pytest.fixture(scope="module")
def results(examples_dir, pipeline):
    from crosswire.ingest import read_inputs

    files = sorted(map(str, (examples_dir / "text").glob("*.txt")))[:3]
    return list(pipeline.extract(list(read_inputs(files, pipeline.settings))))


def _raw_execute(db: str, statements: list[str]) -> None:
    """Run SQL outside crosswire (an old store, a newer one) on either backend."""
    if db.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(db, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)
    else:
        import duckdb

        conn = duckdb.connect(db)
        for statement in statements:
            conn.execute(statement)
        conn.close()


def test_every_backend_is_a_store_with_the_abstract_methods_implemented(db):
    with open_store(db) as store:
        assert isinstance(store, Store)
        assert next(b for b in STORE_BACKENDS if b.takes(db)).store_class.endswith(type(store).__name__)
    with pytest.raises(TypeError, match="abstract"):
        Store()  # type: ignore[abstract]


def test_schema_is_current_and_reopening_changes_nothing(db):
    with open_store(db) as store:
        assert store.stored_schema_version() == schema_version() >= 2
        versions = [row[0] for row in store.execute("SELECT version FROM schema_migrations ORDER BY version")]
        assert versions == [v for v, _name, _statements in migrations()]
        assert store.counts() == {t: 0 for t in store.counts()}
    with open_store(db) as again:
        assert again.stored_schema_version() == schema_version()
        assert len(again.execute("SELECT version FROM schema_migrations")) == len(migrations())


def test_a_store_from_before_versioning_is_migrated_in_place(db, results):
    """A version-1 store (schema.sql's tables, no schema_migrations) with a
    stored result: opening it adds what later versions bring, keeps the row,
    and reports the result as extracted by an unknown (stale) producer."""
    baseline = [s for s in migrations()[0][2] if "schema_migrations" not in s]
    article = results[0].article
    row = result_rows(results[0])["results"][0]
    _raw_execute(db, baseline + [
        f"INSERT INTO results VALUES ('{article.id}', '{json.dumps({'article': {'id': article.id}})}')"])
    with open_store(db) as store:
        assert store.stored_schema_version() == schema_version()
        assert store.stale_articles("any-producer") == [article.id]
        assert store.execute("SELECT producer FROM results") == [(None,)]
        assert store.producer_counts() == {None: 1}
    assert len(row) == 3  # article, record, producer: the columns a fresh store has too


def _sql_text(value) -> str:
    """A JSON value as a portable SQL string literal."""
    return "'" + json.dumps(value).replace("'", "''") + "'"


def test_a_version_2_store_with_place_names_is_migrated_and_its_rows_load(db, results):
    """A store written before the places stage (schema version 2), whose
    event mentions and events kept a bare place name as `location`: opening
    it adds version 3 (`event_places`), and its rows still load, the old
    names read as no place (records.from_dict), until re-extraction."""
    version_2 = [s for version, _name, statements in migrations() if version <= 2 for s in statements]
    old = to_dict(results[0])
    old.pop("toponyms")
    old["producer"] = "p-old"
    assert old["event_mentions"]
    for mention in old["event_mentions"]:
        mention["location"] = "Geneva"
    event = {"id": "e-old", "event_type": "CONSULT", "status": "planned", "location": "Geneva"}
    _raw_execute(db, version_2 + [
        "INSERT INTO schema_migrations VALUES (1, 'baseline', 'before'), (2, 'run_stamps', 'before')",
        f"INSERT INTO results VALUES ('{results[0].article.id}', {_sql_text(old)}, 'p-old')",
        f"INSERT INTO events VALUES ('e-old', 'CONSULT', 'planned', NULL, NULL, NULL, {_sql_text(event)})"])
    with open_store(db) as store:
        assert store.stored_schema_version() == schema_version() >= 3
        (loaded,) = store.load_results()
        assert loaded.toponyms == [] and len(loaded.event_mentions) == len(old["event_mentions"])
        assert all(m.location is None for m in loaded.event_mentions)
        (stored_event,) = store.events()
        assert stored_event.id == "e-old" and stored_event.location is None
        assert store.events(country="CHE") == [] and store.stale_articles("any-producer") == [loaded.article.id]


def test_place_filters_read_the_same_on_every_backend(db, results, pipeline):
    """`event_places` (schema version 3) under the country and bounding-box
    filters, the antimeridian-crossing box included."""
    with open_store(db) as store:
        store.write_results(results)
        store.update_resolution(pipeline.resolve_update)
        events = store.events()
        placed = [e for e in events if e.location is not None and e.location.lat is not None]
        assert placed, "the example articles place some events"
        assert store.execute("SELECT count(*) FROM event_places")[0][0] == sum(e.location is not None for e in events)
        place = placed[0].location
        assert {e.id for e in store.events(country=place.country.lower())} == {
            e.id for e in events if e.location is not None and e.location.country == place.country}
        box = (place.lon - 0.5, place.lat - 0.5, place.lon + 0.5, place.lat + 0.5)
        inside = {e.id for e in placed if box[1] <= e.location.lat <= box[3] and box[0] <= e.location.lon <= box[2]}
        assert placed[0].id in inside and {e.id for e in store.events(bbox=box)} == inside
        outside = {e.id for e in store.events(bbox=(box[2], -90.0, box[0], 90.0))}  # west > east: the rest
        assert outside == {e.id for e in placed if not box[0] < e.location.lon < box[2]}


def test_a_store_newer_than_this_crosswire_is_refused(db):
    with open_store(db):
        pass
    _raw_execute(db, [f"INSERT INTO schema_migrations VALUES ({schema_version() + 1}, 'future', 'later')"])
    with pytest.raises(StoreVersionError, match="newer than this crosswire"):
        open_store(db)


def test_write_read_round_trip_and_rewrites_add_nothing(db, results):
    with open_store(db) as store:
        assert [store.write_result(r) for r in results] == [True] * len(results)
        assert [to_dict(r) for r in store.load_results()] == sorted((to_dict(r) for r in results),
                                                                     key=lambda d: d["article"]["id"])
        assert not any(store.write_result(r) for r in results)
        assert store.write_results(results) == []
        counts = store.counts()
        assert counts["articles"] == len(results)
        assert counts["event_mentions"] == sum(len(r.event_mentions) for r in results)
        assert counts["quotes"] == sum(len(r.quotes) for r in results)
        assert store.known_article_ids() == {r.article.id for r in results}
        first = results[0].article
        assert to_dict(store.article(first.id)) == to_dict(first)
        assert [a.id for a in store.articles_by_id([first.id])] == [first.id]


def test_quarantine_keeps_one_row_per_path_and_reason(db):
    with open_store(db) as store:
        store.quarantine(Rejection("bad.bin", "binary file", "NUL bytes"))
        store.quarantine(Rejection("bad.bin", "binary file", "NUL bytes, again"))
        store.quarantine(Rejection("empty.txt", "empty file", ""))
        assert [(r.path, r.reason, r.detail) for r in store.quarantined()] == [
            ("bad.bin", "binary file", "NUL bytes, again"), ("empty.txt", "empty file", "")]


def test_resolution_then_re_extraction_never_duplicates(db, results, pipeline):
    """Resolve, then replace one article's extraction with one that lost its
    event mentions: the store owes a full resolution, and after it no event
    holds a mention that is gone and no mention is in two events."""
    with open_store(db) as store:
        store.write_results(results)
        store.update_resolution(pipeline.resolve_update)
        before = store.counts()["events"]
        assert before and not store.stale_articles(pipeline.producer)
        changed = results[0].__class__(**{**results[0].__dict__, "event_mentions": [], "producer": "p-newer"})
        store.replace_result(changed)
        assert store.stale_articles(pipeline.producer) == [changed.article.id]
        assert store.pending_articles() == [changed.article.id]
        update = store.update_resolution(pipeline.resolve_update)
        assert update.full
        members = store.execute("SELECT mention_id FROM event_members")
        assert len(members) == len({m for (m,) in members})
        stored_mentions = {m for (m,) in store.execute("SELECT id FROM event_mentions")}
        assert {m for (m,) in members} <= stored_mentions
        assert not {m.id for m in results[0].event_mentions} & stored_mentions
        assert store.counts()["articles"] == len(results)
        again = store.update_resolution(pipeline.resolve_update)  # the full resolution was paid: none owed
        assert not again.full and store.pending_articles() == []


def test_runs_keep_their_stamp_and_producers_are_kept_once(db):
    with open_store(db) as store:
        assert store.latest_run_stamp() is None
        store.start_run("r1", RUN_STAMP)
        store.finish_run("r1", "done", {"articles_new": 0}, RUN_STAMP)
        store.start_run("r2", RUN_STAMP)
        assert store.latest_run_stamp() == RUN_STAMP
        producers = store.execute("SELECT id, stamp FROM producers")
        assert [p for p, _ in producers] == ["p-test"]
        kept = json.loads(producers[0][1])
        assert kept["models"] == [{"name": "time-dispatch", "fingerprint": "f" * 16}]  # no per-run `loaded`
        status = store.execute("SELECT status, producer FROM runs WHERE id = 'r1'")
        assert status == [("done", "p-test")]


def test_event_filters_read_the_same_on_every_backend(db, results, pipeline):
    with open_store(db) as store:
        store.write_results(results)
        store.update_resolution(pipeline.resolve_update)
        events = store.events()
        assert events and [e.id for e in events] == [e.id for e in sorted(events, key=lambda e: (e.date or "~", e.id))]
        first = events[0]
        assert {e.id for e in store.events(status=first.status)} == {e.id for e in events
                                                                   if e.status == first.status}
        assert [e.id for e in store.events(limit=2, offset=1)] == [e.id for e in events[1:3]]
        assert store.event(first.id[:8]).id == first.id
        assert store.event_mentions([m.mention_id for m in first.mentions])
        assert store.stories() and all(store.story(s.id).id == s.id for s in store.stories())
