"""The PostgreSQL store against a real, temporary PostgreSQL server
(tests/pg_server.py): schema, a write/read round trip equal to DuckDB's,
concurrent writers merging without duplicates, and the read API `crosswire
serve` uses."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crosswire.records import Rejection, to_dict

pytestmark = pytest.mark.postgres

psycopg = pytest.importorskip("psycopg")
from pg_server import PostgresServer, find_bin_dir  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TABLES = ("articles", "article_paths", "results", "sentences", "timexes", "actor_mentions", "event_mentions",
          "quotes", "attributions", "events", "event_participants", "event_places", "event_members", "stories",
          "story_articles", "quarantine", "runs")
KEYED = {"articles": "id", "results": "article", "timexes": "id", "actor_mentions": "id",
         "event_mentions": "id", "quotes": "id", "attributions": "id", "events": "id", "stories": "id"}
FAST = {"CROSSWIRE_USE_EMBEDDINGS": "0"}  # the concurrency test is about storage, not embeddings


@pytest.fixture(scope="module")
def pg_server():
    if not find_bin_dir():
        pytest.skip("PostgreSQL server binaries not installed")
    with PostgresServer() as server:
        yield server


_databases = iter(range(1000))


@pytest.fixture
def pg_url(pg_server):
    return pg_server.create_database(f"t{next(_databases)}")


@pytest.fixture(scope="module")
def settings():
    from crosswire.config import Settings

    return Settings.load(use_embeddings=False)


@pytest.fixture(scope="module")
def seed_results(seeds_dir, settings, nlp):
    """Real results of the seed articles (real spaCy, every stage)."""
    from crosswire.ingest import read_inputs
    from crosswire.pipeline import Pipeline

    articles = [a for a in read_inputs(sorted(map(str, seeds_dir.glob("*.txt"))), settings)]
    return list(Pipeline(settings).extract(articles))


def _fill(store, results, settings):
    from crosswire.pipeline import Pipeline

    for result in results:
        store.write_result(result)
    store.quarantine(Rejection("bad.bin", "binary file", "NUL bytes"))
    store.update_resolution(Pipeline(settings).resolve_update)


def _snapshot(store) -> dict:
    return {
        "results": [to_dict(r) for r in store.load_results()],
        "articles": [to_dict(a) for a in store.articles()],
        "events": [to_dict(e) for e in store.events()],
        "quotes": [to_dict(q) for q in store.quotes()],
        "stories": [to_dict(s) for s in store.stories()],
        "attributions": [to_dict(a) for a in store.attributions()],
        "quarantine": [to_dict(r) for r in store.quarantined()],
        "counts": store.counts(),
        "actors": store.actors(),
    }


def test_schema_created(pg_url):
    from crosswire.store import open_store

    with open_store(pg_url) as store:
        rows = store.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
    assert set(TABLES) <= {r[0] for r in rows}
    with open_store(pg_url) as again:  # idempotent schema creation on an existing database
        assert again.counts()["articles"] == 0


def test_round_trip_equals_duckdb(pg_url, seed_results, settings, tmp_path):
    from crosswire.store import open_store
    from crosswire.store.postgres import PostgresStore

    with open_store(pg_url) as pg, open_store(str(tmp_path / "ref.duckdb")) as duck:
        assert isinstance(pg, PostgresStore)
        _fill(pg, seed_results, settings)
        _fill(duck, seed_results, settings)
        assert _snapshot(pg) == _snapshot(duck)
        assert pg.counts()["articles"] == len(seed_results)
        # re-writing adds nothing
        assert not any(pg.write_result(r) for r in seed_results)
        assert pg.counts() == duck.counts()


def test_filters_and_serve_reads(pg_url, seed_results, settings, tmp_path):
    """The read API `crosswire serve` uses works the same on PostgreSQL."""
    from crosswire.store import open_store

    with open_store(pg_url) as pg, open_store(str(tmp_path / "ref.duckdb")) as duck:
        _fill(pg, seed_results, settings)
        _fill(duck, seed_results, settings)
        events = pg.events()
        assert events, "the seeds give events"
        first = events[0]
        queries = [dict(status=first.status), dict(event_type=first.event_type.lower()), dict(limit=3, offset=1),
                   dict(date_from="2022-01-01", date_to="2022-01-31"), dict(actor="rus"), dict(outlet="a")]
        for query in queries:
            assert [e.id for e in pg.events(**query)] == [e.id for e in duck.events(**query)], query
        assert pg.event(first.id[:8]).id == first.id
        assert [to_dict(a) for a in pg.search_articles("russia")] == [to_dict(a) for a in duck.search_articles("russia")]
        assert pg.event_mentions([m.mention_id for m in first.mentions])
    _check_web_app(pg_url)


def _check_web_app(url: str) -> None:
    """A light check that the web API serves a PostgreSQL store, when present."""
    try:
        from crosswire.web import create_app
        from fastapi.testclient import TestClient
    except ImportError:
        return
    with TestClient(create_app(db=url)) as client:
        response = client.get("/api/events")
        assert response.status_code == 200, response.text
        assert response.json()


def _copy_articles(examples_dir: Path, target: Path) -> list[Path]:
    texts = sorted((examples_dir / "text").glob("*.txt"))
    assert len(texts) >= 4, "the repository ships four example text articles"
    target.mkdir()
    return [Path(shutil.copy(p, target / p.name)) for p in texts[:4]]


def _crosswire_run(url: str, files: list[Path]) -> subprocess.Popen:
    code = "import sys; from crosswire.cli import main; sys.exit(main())"
    env = dict(os.environ, **FAST)
    return subprocess.Popen([sys.executable, "-c", code, "run", "--db", url, "--quiet", *map(str, files)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_concurrent_runs_merge_without_duplicates(pg_url, examples_dir, tmp_path, settings):
    """Two `crosswire run` processes at once, with the same and overlapping
    articles, into one database: every article once, no duplicate rows, and
    the same events as one run over all the articles."""
    from crosswire.pipeline import Pipeline
    from crosswire.runner import run_paths
    from crosswire.store import open_store

    files = _copy_articles(examples_dir, tmp_path / "in")
    runs = [_crosswire_run(pg_url, files[:3]), _crosswire_run(pg_url, files[1:])]
    for run in runs:
        out, _ = run.communicate(timeout=300)
        assert run.returncode == 0, out
    with open_store(pg_url) as pg, open_store(str(tmp_path / "ref.duckdb")) as ref:
        run_paths([str(f) for f in files], ref, Pipeline(settings))
        assert pg.counts() == ref.counts()
        for table, key in KEYED.items():
            total, distinct = pg.execute(f"SELECT count(*), count(DISTINCT {key}) FROM {table}")[0]
            assert total == distinct, table
        paths = pg.execute("SELECT count(*), count(DISTINCT article || path) FROM article_paths")[0]
        assert paths[0] == paths[1] == 4
        assert [to_dict(e) for e in pg.events()] == [to_dict(e) for e in ref.events()]
        assert [to_dict(s) for s in pg.stories()] == [to_dict(s) for s in ref.stories()]
        assert [to_dict(q) for q in pg.quotes()] == [to_dict(q) for q in ref.quotes()]
