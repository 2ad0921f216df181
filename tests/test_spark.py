"""The Spark runner (Spark local[2], real spaCy, real DuckDB/PostgreSQL) gives
the same answers as the local runner, quarantines bad input as it does, and
survives a failed task without storing anything twice."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crosswire.records import to_dict

pytestmark = pytest.mark.spark

pytest.importorskip("pyspark")
if not shutil.which("java"):
    pytest.skip("Spark needs java", allow_module_level=True)


@pytest.fixture(scope="session")
def spark():
    """One SparkSession for the whole test session (local[2], retries on)."""
    from crosswire.scale.session import get_spark

    session = get_spark("local[2]", app_name="crosswire-tests", partitions=4)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def settings():
    from crosswire.config import Settings

    return Settings.load(progress=False)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, seeds_dir: Path, examples_dir: Path) -> list[str]:
    """The seeds, the bundled examples (every format) and bad input: an empty
    file, a binary file, and a second copy of a seed under another name."""
    bad = tmp_path_factory.mktemp("bad")
    (bad / "empty.txt").write_text("  \n")
    (bad / "blob.txt").write_bytes(bytes(range(256)) * 8)
    seeds = sorted(seeds_dir.glob("*.txt"))
    shutil.copy(seeds[0], bad / "copy-of-seed.txt")
    return [str(p) for p in seeds] + [str(examples_dir), str(bad)]


@pytest.fixture(scope="module")
def local_reference(tmp_path_factory, inputs, settings, nlp):
    """A local run over the same inputs: the answers Spark must give."""
    from crosswire.pipeline import Pipeline
    from crosswire.runner import run_paths
    from crosswire.store import open_store

    db = str(tmp_path_factory.mktemp("local") / "local.duckdb")
    with open_store(db) as store:
        summary = run_paths(inputs, store, Pipeline(settings))
        return summary, snapshot(store)


def snapshot(store) -> dict:
    return {
        "articles": [to_dict(a) for a in store.articles()],
        "paths": sorted(store.execute("SELECT article, path FROM article_paths")),
        "results": [to_dict(r) for r in store.load_results()],
        "events": [to_dict(e) for e in store.events()],
        "quotes": [to_dict(q) for q in store.quotes()],
        "stories": [to_dict(s) for s in store.stories()],
        "quarantine": [to_dict(r) for r in store.quarantined()],
        "counts": store.counts(),
    }


def first_difference(got, expected, path: str = "") -> str:
    """Where two JSON-like values first differ, for a readable failure."""
    if isinstance(got, dict) and isinstance(expected, dict):
        for key in sorted(set(got) | set(expected), key=str):
            if got.get(key) != expected.get(key):
                return first_difference(got.get(key), expected.get(key), f"{path}.{key}")
    if isinstance(got, list) and isinstance(expected, list):
        for i, (a, b) in enumerate(zip(got, expected)):
            if a != b:
                return first_difference(a, b, f"{path}[{i}]")
        if len(got) != len(expected):
            return f"{path}: {len(got)} items, expected {len(expected)}"
    return f"{path}: {str(got)[:300]!r} != {str(expected)[:300]!r}"


def test_spark_run_equals_local_run(spark, inputs, settings, local_reference, tmp_path):
    """Same events, quotes, stories and quarantine, ids included, even though
    partition 0's extract task fails on its first attempt and is retried;
    mention clustering forced onto the executors."""
    import dataclasses

    import pyarrow.dataset as ds

    from crosswire.scale.executor import FAULT_KEY
    from crosswire.scale.spark import run_spark
    from crosswire.store import open_store

    local_summary, expected = local_reference
    # min 0 items: mention clustering on the executors (the other runs here cluster on the driver)
    flaky = dataclasses.replace(settings, extra={**settings.extra, FAULT_KEY: "extract"}, spark_resolve_min_items=0)
    db, out = str(tmp_path / "spark.duckdb"), tmp_path / "parquet"
    summary = run_spark(inputs, flaky, partitions=4, out_dir=str(out), store=db, spark=spark)
    with open_store(db) as store:
        got = snapshot(store)
    for part in ("articles", "paths", "results", "events", "quotes", "stories", "quarantine", "counts"):
        assert got[part] == expected[part], f"{part}: {first_difference(got[part], expected[part])}"
    assert expected["counts"]["events"] > 0 and expected["counts"]["quarantine"] >= 2  # empty, binary
    assert {r.reason for r in summary.rejections} == {r.reason for r in local_summary.rejections}
    assert summary.resolution.startswith("mention clustering on the executors")
    assert (summary.articles_read, summary.articles_new) == (local_summary.articles_read, local_summary.articles_new)

    # Parquet: the store's tables, partitioned by date, no row twice despite the retry
    articles = ds.dataset(str(out / "articles"), format="parquet", partitioning="hive").to_table()
    assert sorted(articles.column("id").to_pylist()) == sorted(a["id"] for a in expected["articles"])
    mentions = ds.dataset(str(out / "event_mentions"), format="parquet", partitioning="hive").to_table()
    ids = mentions.column("id").to_pylist()
    assert len(ids) == len(set(ids)) == expected["counts"]["event_mentions"]
    events = ds.dataset(str(out / "events"), format="parquet").to_table()
    assert sorted(events.column("id").to_pylist()) == sorted(e["id"] for e in expected["events"])
    assert any(p.name.startswith("published=20") for p in (out / "articles").iterdir())


def test_spark_into_postgres_retry_writes_once(spark, seeds_dir, settings, tmp_path):
    """Executors write straight into a PostgreSQL store; a write task that
    fails after storing its rows is retried and stores nothing twice."""
    import dataclasses

    from pg_server import PostgresServer, find_bin_dir

    from crosswire.pipeline import Pipeline
    from crosswire.runner import run_paths
    from crosswire.scale.executor import FAULT_KEY
    from crosswire.scale.spark import run_spark
    from crosswire.store import open_store

    if not find_bin_dir():
        pytest.skip("PostgreSQL server binaries not installed")
    pytest.importorskip("psycopg")
    seeds = [str(p) for p in sorted(seeds_dir.glob("*.txt"))]
    with open_store(str(tmp_path / "ref.duckdb")) as ref:
        run_paths(seeds, ref, Pipeline(settings))
        expected = snapshot(ref)
    flaky = dataclasses.replace(settings, extra={**settings.extra, FAULT_KEY: "write"})
    with PostgresServer() as server:
        summary = run_spark(seeds, flaky, partitions=2, store=server.url, spark=spark)
        assert summary.articles_new == len(seeds)
        with open_store(server.url) as pg:
            got = snapshot(pg)
            total, distinct = pg.execute("SELECT count(*), count(DISTINCT id) FROM event_mentions")[0]
    assert total == distinct
    for part in ("articles", "results", "events", "quotes", "stories", "counts"):
        assert got[part] == expected[part], f"{part}: {first_difference(got[part], expected[part])}"


def test_spark_clusterer_equals_local_clustering(spark):
    """Resolution distributed by blocking keys gives exactly the one-process
    clusters, on mentions that form many blocks, overlapping through shared
    participants and articles, dated and undated."""
    from resolve_helpers import synthetic_items

    from crosswire.resolve import cluster_locally
    from crosswire.resolve.scoring import NEWS_WEIGHTS
    from crosswire.scale.resolve import SparkClusterer

    items = synthetic_items(600, articles=60, seed=7)
    local = cluster_locally(items, 0.5, NEWS_WEIGHTS)
    clusterer = SparkClusterer(spark.sparkContext, partitions=4, min_items=0)  # 0: always on the executors
    distributed = clusterer(items, 0.5, NEWS_WEIGHTS)
    assert clusterer.ran_on == "executors"
    assert distributed == local
    assert any(len(c) > 2 for c in local) and any(len(c) == 1 for c in local)


def test_spark_clusterer_below_threshold_stays_on_driver():
    """Below `min_items` the Spark clusterer is the local run's clusterer:
    no Spark context is touched (there is none here), same clusters."""
    from resolve_helpers import synthetic_items

    from crosswire.resolve import cluster_locally
    from crosswire.resolve.scoring import NEWS_WEIGHTS
    from crosswire.scale.resolve import SparkClusterer

    items = synthetic_items(600, articles=60, seed=7)
    clusterer = SparkClusterer(None, partitions=4, min_items=601)
    assert clusterer(items, 0.5, NEWS_WEIGHTS) == cluster_locally(items, 0.5, NEWS_WEIGHTS)
    assert clusterer.ran_on == "driver"


def test_spark_reads_hadoop_uris(spark, seeds_dir, settings, tmp_path):
    """Inputs given as a Hadoop URI (file://, read by Spark's binaryFiles on
    the executors) give the events and quotes of a local run over the same
    files, and a malformed file behind the URI is quarantined with its URI."""
    from crosswire.pipeline import Pipeline
    from crosswire.runner import run_paths
    from crosswire.scale.spark import run_spark
    from crosswire.store import open_store

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in sorted(seeds_dir.glob("*.txt")):
        shutil.copy(seed, corpus / seed.name)
    (corpus / "broken.jsonl").write_text('{"title": "cut off", "text": \n')
    with open_store(str(tmp_path / "local.duckdb")) as ref:
        run_paths([str(corpus)], ref, Pipeline(settings))
        expected = snapshot(ref)
    db = str(tmp_path / "spark.duckdb")
    summary = run_spark([corpus.as_uri()], settings, partitions=2, store=db, spark=spark)
    assert summary.resolution.startswith("driver")  # a few mentions: clustered on the driver
    with open_store(db) as store:
        got = snapshot(store)
    for part in ("events", "quotes", "stories"):
        assert got[part] == expected[part], f"{part}: {first_difference(got[part], expected[part])}"
    assert got["counts"]["articles"] == expected["counts"]["articles"] == 2
    (rejected,) = [r.path for r in summary.rejections]  # Hadoop writes file:///x as file:/x
    assert rejected.startswith("file:") and rejected.endswith("/corpus/broken.jsonl")
    assert all(p.startswith("file:") for _a, p in got["paths"])
