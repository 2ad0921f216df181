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
   spaCy loaded once per executor process; the new articles are dealt to
   the partitions by text length (`balanced_slots`), so tasks take about
   equally long;
5. write results: Parquet (the store's tables, partitioned by publication
   date) when `out_dir` is given; into the store from the driver (DuckDB), or
   straight from the executors into a PostgreSQL store (idempotent writes, so
   a retried task stores nothing twice);
6. resolve every stored result and replace events and stories
   (`Store.update_resolution`): mention clustering runs on the executors
   by blocking key (`scale.resolve.SparkClusterer`) from
   `Settings.spark_resolve_min_items` items up, on the driver below it;
   events and stories are assembled on the driver; then count.
"""
from __future__ import annotations

import heapq
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Union

from ..config import Settings
from ..records import Article, ArticleResult
from ..runner import RunSummary
from ..store import Store, _now, open_store
from .executor import extract_partition, ingest_local, ingest_remote, light, write_partition
from .inputs import InputFile, list_inputs
from .resolve import SparkClusterer, driver_resolver
from .session import get_spark
from .tables import clear_tables, write_driver_tables


RESOLVED_ON = {"executors": "mention clustering on the executors, by blocking key (events and stories "
                             "assembled on the driver)",
               "driver": "driver (fewer mention items than Settings.spark_resolve_min_items)"}


@dataclass
class SparkRunSummary(RunSummary):
    engine: str = "spark"
    master: str = ""
    partitions: int = 0
    out_dir: Optional[str] = None
    resolution: str = "driver"  # where cross-document resolution ran
    # seconds per phase: ingest, extract (with the executors' writes), store (the driver's writes), resolve
    phases: dict = field(default_factory=dict)


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
    store_obj.start_run(summary.run_id, pipeline.run_stamp())
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
        # stale stored articles are re-extracted by `crosswire reextract`, not here
        new, _stale = sort_out((item for _key, _kind, item, _hint, _size in ordered), store, summary)
        first: dict[str, tuple] = {}  # article id -> (key, hint, size) of its first copy, as `new` keeps
        for key, kind, item, hint, size in ordered:
            if kind == "article":
                first.setdefault(item.id, (key, hint, size))
        hints = {"batch": [first[a.id][1] for a in new] + stored_hints(store, new)}
        summary.partitions = partitions or max(2, sc.defaultParallelism * 2)
        slots = sc.broadcast(balanced_slots([first[a.id] for a in new], summary.partitions))
        summary.phases["ingest"], clock = round(time.perf_counter() - clock, 2), time.perf_counter()
        if summary.out_dir:
            clear_tables(summary.out_dir)
        results = (items.filter(lambda kv: kv[0] in slots.value)
                   .map(lambda kv: (slots.value[kv[0]], kv))
                   .partitionBy(summary.partitions, lambda slot: slot)
                   .values()
                   .mapPartitionsWithIndex(extract_partition(settings, sc.broadcast(hints), summary.out_dir))
                   .persist())
        try:
            vectors, held = _write_results(results, store, store_arg, settings, summary, new)
            summary.phases["extract"] = round(time.perf_counter() - clock - summary.phases.get("store", 0), 2)
            clock = time.perf_counter()
            clusterer = SparkClusterer(sc, summary.partitions, settings.spark_resolve_min_items,
                                       settings.resolve_workers)
            resolver = driver_resolver(pipeline, vectors, clusterer)
            store.update_resolution(resolver, held)
            summary.resolution = RESOLVED_ON.get(clusterer.ran_on, "driver")
            if summary.out_dir:  # the whole resolution, not only what this batch changed
                write_driver_tables(summary.out_dir, store.events(), store.stories(), summary.rejections,
                                    now=_now())
            summary.phases["resolve"] = round(time.perf_counter() - clock, 2)
        finally:
            results.unpersist()
    finally:
        items.unpersist()
    count_store(store, summary)


def balanced_slots(chosen: Sequence[tuple], partitions: int) -> dict[tuple, int]:
    """{item key: extract partition} for the chosen (key, hint, text length)
    rows: longest text first onto the partition with the least text so far,
    ties by key, so partitions carry about equal parsing work (a plain
    `repartition` dealt 20 to 35 of the bench's 200 articles to a partition)
    and the assignment is the same on every run."""
    load = [(0, slot) for slot in range(max(1, partitions))]
    slot_of: dict[tuple, int] = {}
    for key, _hint, size in sorted(chosen, key=lambda row: (-row[2], row[0])):
        total, slot = heapq.heappop(load)
        slot_of[key] = slot
        heapq.heappush(load, (total + size, slot))
    return slot_of


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
                   new: list[Article]) -> tuple[dict, Optional[dict[str, ArticleResult]]]:
    """Into the store from the executors (PostgreSQL, shared) or from the
    driver (DuckDB, single writer). Either way this action runs the extract
    stage (and writes the Parquet files, when asked). Returns the sentence
    vectors the executors computed for resolution and, when the driver
    stored them, the results it stored ({article id: result}; None when the
    executors did)."""
    vectors: dict = {}
    if isinstance(store_arg, str) and store_arg.startswith(("postgresql://", "postgres://")):
        results.foreachPartition(write_partition(store_arg, settings))
        for part in results.map(lambda row: row[3]).filter(bool).collect():
            vectors.update(part)
        stored = store.known_article_ids()
        summary.new_article_ids = [a.id for a in new if a.id in stored]
        summary.articles_new = len(summary.new_article_ids)
        return vectors, None
    collected = sorted(results.collect(), key=lambda row: row[0])
    for _key, _result, _rows, part in collected:
        vectors.update(part)
    parsed = [result for _key, result, _rows, _part in collected]
    clock = time.perf_counter()
    summary.new_article_ids = store.write_results(parsed, [rows for _key, _result, rows, _part in collected])
    summary.phases["store"] = round(time.perf_counter() - clock, 2)
    summary.articles_new = len(summary.new_article_ids)
    stored = set(summary.new_article_ids)
    return vectors, {r.article.id: r for r in parsed if r.article.id in stored}


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
