"""What runs on the executors: per-partition functions and the per-process
pipeline cache.

Why a module-level cache: Spark reuses each Python worker process for many
tasks (spark.python.worker.reuse), so a Pipeline (and the spaCy model it
loads) built once per process serves every partition that process runs:
spaCy loads once per executor core, never per article or per partition.

The functions here are plain closures over picklable values (Settings, a
broadcast of the batch hints), so Spark ships them by reference to this
module; an executor needs `crosswire` installed (docs/scale.md).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Optional

from ..config import Settings
from ..records import Article, Rejection

_PIPELINES: dict[str, Any] = {}

FAULT_KEY = "spark_fail_first_attempt"  # Settings.extra: "extract" | "write" (tests of task retry)


def cached_pipeline(settings: Settings):
    """One Pipeline (one spaCy model) per executor process and settings."""
    from ..pipeline import Pipeline

    key = repr(settings)
    pipeline = _PIPELINES.get(key)
    if pipeline is None:
        pipeline = _PIPELINES[key] = Pipeline(settings)
        _ = pipeline.nlp  # load the model now, once
    return pipeline


def maybe_fail(settings: Settings, stage: str) -> None:
    """Fail the first attempt of partition 0 when a test asks for it, after the
    partition's work is done, to prove a retried task adds nothing twice."""
    if settings.extra.get(FAULT_KEY) != stage:
        return
    from pyspark import TaskContext

    ctx = TaskContext.get()
    if ctx is not None and ctx.partitionId() == 0 and ctx.attemptNumber() == 0:
        raise RuntimeError(f"injected failure in {stage} (first attempt of partition 0)")


# ------------------------------------------------------------------ ingest
def ingest_local(settings: Settings) -> Callable[[Iterable], Iterator]:
    """InputFile -> ((file index, item index), Article | Rejection)."""
    from .inputs import iter_items

    def run(files: Iterable) -> Iterator:
        for file in files:
            yield from iter_items(file, settings)
    return run


def ingest_remote(settings: Settings, files_by_uri: dict) -> Callable[[Iterable], Iterator]:
    """(uri, bytes) from binaryFiles -> ((file index, item index), item)."""
    from .inputs import iter_items

    def run(pairs: Iterable) -> Iterator:
        for uri, data in pairs:
            file = files_by_uri.get(uri) or files_by_uri.get(_normal_uri(uri))
            if file is not None:
                yield from iter_items(file, settings, bytes(data))
    return run


def _normal_uri(uri: str) -> str:
    """binaryFiles may spell a local file as file:/x instead of file:///x."""
    if uri.startswith("file:/") and not uri.startswith("file:///"):
        return "file:///" + uri[len("file:/"):].lstrip("/")
    return uri


def light(item: Article | Rejection, hint: Callable[[Article], dict]) -> tuple[str, Any, Optional[dict], int]:
    """What the driver needs to sort items out: the item without its text,
    the article's batch hint, and its text's length (the extract stage's
    cost, to balance its partitions)."""
    if isinstance(item, Rejection):
        return "rejection", item, None, 0
    bare = Article(**{**item.__dict__, "text": ""})
    return "article", bare, hint(item), len(item.text)


# ----------------------------------------------------------------- extract
def extract_partition(settings: Settings, hints, out_dir: Optional[str] = None) -> Callable:
    """(partition, rows of (key, Article)) -> (key, ArticleResult, its store
    rows, sentence vectors), parsing the partition in spaCy batches with the
    run's batch hints (a broadcast).

    The store rows (`store.result_rows`: every table's tuples, records as
    JSON) are built here, in parallel, rather than by the single driver that
    inserts them. With `out_dir`, the partition's Parquet files are written
    from the same rows in the same task (named by partition, so a retry
    overwrites them). The vectors are resolution's most expensive input,
    computed here by the resolve package's own Embedder (see
    crosswire.scale.resolve). Results travel as Spark pickles them, not as
    JSON: rebuilding them with `records.from_dict` cost the driver ~45 ms an
    article, serially, and gives objects equal to these (the store's JSON
    round trip is lossless)."""
    def run(part: int, rows: Iterable) -> Iterator:
        from ..store import result_rows
        from .resolve import mention_vectors

        rows = sorted(rows, key=lambda row: row[0])  # shuffles deliver in any order: parse in file order
        if not rows:
            return iter(())
        pipeline = cached_pipeline(settings)
        articles = [article for _key, article in rows]
        # one process per task: Spark's own cores are the parallelism (no extract_workers pool)
        results = list(pipeline.extract(articles, hints=hints.value, workers=1))
        stored = [result_rows(result) for result in results]
        if out_dir:
            from .tables import write_article_tables
            write_article_tables(out_dir, part, results, stored)
        vectors = mention_vectors(results, settings)
        maybe_fail(settings, "extract")
        return iter([(key, result, table_rows, vectors if i == 0 else {})
                     for i, ((key, _a), result, table_rows) in enumerate(zip(rows, results, stored))])
    return run


# ------------------------------------------------------------------- store
def write_partition(db: str, settings: Settings) -> Callable[[Iterable], None]:
    """Write a partition's results straight into a shared (PostgreSQL) store.
    Idempotent: a retried task finds its articles stored and skips them."""
    def run(rows: Iterable) -> None:
        from ..store import open_store

        with open_store(db) as store:
            for _key, result, table_rows, _vectors in rows:
                store.write_result(result, table_rows)
        maybe_fail(settings, "write")
    return run
