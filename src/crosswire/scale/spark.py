"""The Spark driver: `run_spark(paths, settings, master=..., partitions=...)`.

The job mirrors a local run (crosswire.runner) step by step, so both give the
same store contents, ids included:

1. list input files on the driver (local paths as a local run expands them,
   Hadoop URIs through the FileSystem API);
2. ingest on the executors (the same `read_file`), keyed by
   (file index, record index) so the driver can restore the local order;
3. on the driver, with small records only (no article text): the local
   runner's own sorting out (quarantine rejections, count later copies and
   articles already stored, keep the first copy of each new article), and
   the same batch hints;
4. annotate + extract on the executors, `Pipeline.extract` per partition with
   spaCy loaded once per executor process;
5. write results: Parquet (the store's tables, partitioned by publication
   date) when `out_dir` is given; into the store from the driver (DuckDB), or
   straight from the executors into a PostgreSQL store (idempotent writes, so
   a retried task stores nothing twice);
6. resolve every stored result and replace events and stories
   (`Store.update_resolution`): mention clustering runs on the executors
   by blocking key (`scale.resolve.SparkClusterer`), events and stories are
   assembled on the driver; then count.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Union

from ..config import Settings
from ..records import Article, ArticleResult, from_dict
from ..runner import RunSummary
from ..store import Store, _now, open_store
from .executor import extract_partition, ingest_local, ingest_remote, light, write_partition
from .inputs import InputFile, list_inputs
from .resolve import SparkClusterer, driver_resolver
from .session import get_spark
from .tables import clear_tables, write_driver_tables


@dataclass
class SparkRunSummary(RunSummary):
    engine: str = "spark"
    master: str = ""
    partitions: int = 0
    out_dir: Optional[str] = None
    resolution: str = "driver"  # where cross-document resolution ran
    phases: dict = field(default_factory=dict)  # seconds per phase: ingest, extract, resolve


def run_spark(paths: Sequence[str], settings: Optional[Settings] = None, master: str = "local[*]",
              partitions: Optional[int] = None, out_dir: Optional[str] = None,
              store: Union[Store, str, None] = None, spark=None) -> SparkRunSummary:
    """Run the pipeline over `paths` as a Spark job (see the module docstring).

    store: a Store, a DuckDB path / postgresql:// URL, or None (an in-memory
    store is used for resolution; give `out_dir` to keep the Parquet tables).
    spark: an existing SparkSession to use (and leave running)."""
    from ..pipeline import Pipeline

    settings = settings or Settings.load()
    pipeline = Pipeline(settings)
    session = spark or get_spark(master, partitions=partitions)
    sc = session.sparkContext
    started = time.perf_counter()
    store_obj, owned = _open(store)
    summary = SparkRunSummary(run_id=uuid.uuid4().hex[:12], db=store_obj.location, master=sc.master,
                              out_dir=_absolute(out_dir))
    store_obj.start_run(summary.run_id)
    status = "failed"
    try:
        _run(session, list(paths), settings, pipeline, store_obj, store, summary, partitions)
        status = "done"
    except KeyboardInterrupt:
        summary.interrupted = True
        status = "interrupted"
    finally:
        summary.seconds = round(time.perf_counter() - started, 2)
        store_obj.finish_run(summary.run_id, status, summary.as_dict())
        if owned:
            store_obj.close()
        if spark is None:
            session.stop()
    return summary


def _run(session, paths: list[str], settings: Settings, pipeline, store: Store, store_arg: Any,
         summary: SparkRunSummary, partitions: Optional[int]) -> None:
    from ..runner import count_store, article_hint, sort_out, stored_hints

    sc = session.sparkContext
    clock = time.perf_counter()
    items = ingest_rdd(sc, list_inputs(paths, sc), settings).persist()
    try:
        ordered = sorted(items.map(lambda kv: (kv[0],) + light(kv[1], article_hint)).collect(),
                         key=lambda row: row[0])
        new = sort_out((item for _key, _kind, item, _hint_ in ordered), store, summary)
        hints_of: dict[str, tuple] = {}  # article id -> (key, hint) of its first copy, as `new` keeps
        for key, kind, item, hint in ordered:
            if kind == "article":
                hints_of.setdefault(item.id, (key, hint))
        hints = {"batch": [hints_of[a.id][1] for a in new] + stored_hints(store, new)}
        chosen = sc.broadcast({hints_of[a.id][0] for a in new})
        summary.phases["ingest"], clock = round(time.perf_counter() - clock, 2), time.perf_counter()
        summary.partitions = partitions or max(2, sc.defaultParallelism * 2)
        if summary.out_dir:
            clear_tables(summary.out_dir)
        results = (items.filter(lambda kv: kv[0] in chosen.value)
                   .repartition(summary.partitions)
                   .mapPartitionsWithIndex(extract_partition(settings, sc.broadcast(hints), summary.out_dir))
                   .persist())
        try:
            vectors = _write_results(results, store, store_arg, settings, summary, new)
            summary.phases["extract"], clock = round(time.perf_counter() - clock, 2), time.perf_counter()
            summary.resolution = "executors, by blocking key (events and stories assembled on the driver)"
            clusterer = SparkClusterer(sc, summary.partitions)
            resolution = store.update_resolution(driver_resolver(pipeline, vectors, clusterer))
            if summary.out_dir:
                write_driver_tables(summary.out_dir, resolution.events, resolution.stories, summary.rejections,
                                    now=_now())
            summary.phases["resolve"] = round(time.perf_counter() - clock, 2)
        finally:
            results.unpersist()
    finally:
        items.unpersist()
    count_store(store, summary)


def ingest_rdd(sc, files: list[InputFile], settings: Settings):
    """RDD of ((file index, item index), Article | Rejection) over every file."""
    local = [f for f in files if not f.remote]
    remote = [f for f in files if f.remote]
    parts = []
    if local:
        slices = min(len(local), max(1, sc.defaultParallelism * 4))
        parts.append(sc.parallelize(local, slices).mapPartitions(ingest_local(settings)))
    if remote:
        by_uri = {f.path: f for f in remote}
        data = sc.binaryFiles(",".join(f.path for f in remote))
        parts.append(data.mapPartitions(ingest_remote(settings, by_uri)))
    return sc.union(parts) if len(parts) > 1 else (parts[0] if parts else sc.emptyRDD())


def _write_results(results, store: Store, store_arg: Any, settings: Settings, summary: SparkRunSummary,
                   new: list[Article]) -> dict:
    """Into the store from the executors (PostgreSQL, shared) or from the
    driver (DuckDB, single writer). Either way this action runs the extract
    stage (and writes the Parquet files, when asked). Returns the sentence
    vectors the executors computed for resolution."""
    vectors: dict = {}
    if isinstance(store_arg, str) and store_arg.startswith(("postgresql://", "postgres://")):
        results.foreachPartition(write_partition(store_arg, settings))
        for part in results.map(lambda row: row[2]).filter(bool).collect():
            vectors.update(part)
        stored = store.known_article_ids()
        summary.new_article_ids = [a.id for a in new if a.id in stored]
        summary.articles_new = len(summary.new_article_ids)
        return vectors
    collected = sorted(results.collect(), key=lambda row: row[0])
    parsed = []
    for _key, payload, part in collected:
        vectors.update(part)
        parsed.append(from_dict(ArticleResult, json.loads(payload)))
    summary.new_article_ids = bulk_insert(store, parsed)
    summary.articles_new = len(summary.new_article_ids)
    return vectors


def bulk_insert(store: Store, results: list[ArticleResult]) -> list[str]:
    """Store results the driver collected; returns the ids stored. DuckDB
    (single writer, articles already checked against the store) takes every
    table's rows at once through Arrow, which is what keeps the driver from
    becoming the bottleneck; other stores write article by article."""
    from ..store.duck import DuckDBStore
    from ..store import result_rows
    from .tables import ARTICLE_TABLES, arrow_table

    if not isinstance(store, DuckDBStore):
        return [r.article.id for r in results if store.write_result(r)]
    known = store.known_article_ids()
    fresh = [r for r in results if r.article.id not in known]
    rows: dict[str, list[tuple]] = {t: [] for t in ARTICLE_TABLES}
    for result in fresh:
        for table, table_rows in result_rows(result).items():
            rows[table].extend(table_rows)
    with store.transaction():
        for table, table_rows in rows.items():
            if table_rows:
                store.conn.register("crosswire_bulk", arrow_table(table, table_rows, partitioned=False))
                store.conn.execute(f"INSERT INTO {table} SELECT * FROM crosswire_bulk ON CONFLICT DO NOTHING")
                store.conn.unregister("crosswire_bulk")
    return [r.article.id for r in fresh]


def _open(store: Union[Store, str, None]) -> tuple[Store, bool]:
    """(store, whether we opened it and must close it)."""
    if isinstance(store, Store):
        return store, False
    return open_store(store or ":memory:"), True


def _absolute(out_dir: Optional[str]) -> Optional[str]:
    """Executors must not resolve a relative output path against their own cwd."""
    if not out_dir or "://" in out_dir:
        return out_dir
    return os.path.abspath(out_dir)
