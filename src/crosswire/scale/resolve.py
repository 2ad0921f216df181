"""Cross-document resolution in a Spark run.

Where the time goes: profiling `crosswire.resolve.resolve` shows that about
95% of it is encoding mention sentences with the embedding model; blocking,
scoring and clustering are cheap beside it. The encoding is per sentence, so
it is done on the executors, in the extract task, by the resolve package's
own `Embedder` (model loaded once per executor process), and the driver's
resolution is then served those vectors instead of encoding them again.

From `Settings.spark_resolve_min_items` mention items up, the clustering
is distributed by blocking keys (`SparkClusterer`); below it the driver
clusters with the local run's clusterer, because Spark's fixed cost per
stage would dwarf the work. The distributed clustering uses the resolve
package's own functions, so it equals the local clustering exactly (ids
included):

1. every mention item goes to each of its blocks (its article's block and
   one per participant key, `blocking.blocks_of`); each block is paired and
   scored on an executor (`blocking.block_pairs`, `resolve.scored_edges`);
   a pair found in two blocks is kept once;
2. the driver receives only the pairs scoring at or above the threshold and
   finds their connected components (union-find): average link never
   merges across them;
3. each component's items and edges meet on an executor, which clusters it
   (`cluster.cluster_component`); the driver collects the clusters.

No node holds every pair: the driver holds the strong pairs and the mention
items (the clusters' members), the executors one block or component each.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, Optional, Sequence

from ..config import Settings
from ..records import ArticleResult


def mention_vectors(results: Sequence[ArticleResult], settings: Settings) -> dict[str, Any]:
    """{sentence text: unit vector} for every event mention of these results,
    from the resolve package's Embedder; {} when embeddings are off or absent."""
    if not settings.use_embeddings:
        return {}
    texts = sorted({m.text for r in results for m in r.event_mentions})
    if not texts:
        return {}
    from ..resolve.embed import Embedder

    _one_thread_per_task()
    embedder = Embedder(enabled=True)
    if not embedder.available:
        return {}
    return dict(zip(texts, embedder.sentences(texts)))


def _one_thread_per_task() -> None:
    """Spark runs one task per core: torch must not also spread over every core."""
    try:
        from pyspark import TaskContext
        import torch

        ctx = TaskContext.get()
        if ctx is not None:
            torch.set_num_threads(max(1, int(ctx.cpus())))
    except Exception:  # no torch, or not inside a task: nothing to tune
        pass


class _ModelOnDemand:
    """Stands in for the embedding model on the driver and loads it only
    when a sentence was not encoded on the executors: with every vector
    precomputed, the driver never pays for loading the model."""

    def __getattr__(self, name: str) -> Any:
        from ..resolve.embed import load_model

        return getattr(load_model(), name)


@contextlib.contextmanager
def precomputed_vectors(vectors: dict[str, Any]) -> Iterator[None]:
    """Serve `vectors` to the resolve package's Embedder while resolving on
    the driver: its cache is filled before use, so only sentences the
    executors did not encode (articles stored by earlier runs) are encoded."""
    import crosswire.resolve as resolve_package
    from ..resolve.embed import model_path

    base = getattr(resolve_package, "Embedder", None)
    if base is None or not vectors:
        yield
        return

    class PrecomputedEmbedder(base):  # type: ignore[misc, valid-type]
        def __init__(self, enabled: bool = True) -> None:
            self.model = _ModelOnDemand() if enabled and model_path() else None
            self.cache = dict(vectors)

    resolve_package.Embedder = PrecomputedEmbedder
    try:
        yield
    finally:
        resolve_package.Embedder = base


class SparkClusterer:
    """The resolve package's `Clusterer`, run on Spark by blocking keys (see
    the module docstring). Callable as `(items, threshold, weights, rule)`.

    Below `min_items` items the driver clusters them itself, with the local
    run's own clusterer (one process, or `workers` processes for large
    inputs): each Spark stage costs seconds of scheduling and Python-worker
    overhead whatever its size, so a few thousand mentions cluster on the
    driver in about a second where six stages take about a minute. Same
    answer either way. `ran_on` says where the last call clustered."""

    def __init__(self, sc, partitions: int, min_items: int = 0, workers: int = 0) -> None:
        self.sc = sc
        self.partitions = max(1, partitions)
        self.min_items = min_items
        self.workers = workers
        self.ran_on = ""

    def __call__(self, items: list, threshold: float, weights: dict, same_sentence_rule: bool = True) -> list[list[int]]:
        from ..resolve import _default_clusterer
        from ..resolve.cluster import strong_components

        if len(items) < max(2, self.min_items):
            self.ran_on = "driver"
            return _default_clusterer(len(items), self.workers)(items, threshold, weights, same_sentence_rule)
        self.ran_on = "executors"
        edges = self._edges(items, weights, same_sentence_rule).persist()
        try:
            strong = edges.filter(lambda e: e[2] >= threshold).map(lambda e: (e[0], e[1])).collect()
            components = [c for c in strong_components(len(items), strong) if len(c) > 1]
            clustered = self._cluster(items, edges, components, threshold, same_sentence_rule)
        finally:
            edges.unpersist()
        in_component = {i for c in components for i in c}
        singles = [[i] for i in range(len(items)) if i not in in_component]
        return sorted(clustered + singles, key=lambda c: c[0])

    def _edges(self, items: list, weights: dict, rule: bool):
        """RDD of scored (i, j, score) edges, i < j, each pair once."""
        from ..resolve.blocking import blocks_of

        def pair_block(block_members):
            from ..resolve import block_edges

            block, members = block_members
            members = sorted(members, key=lambda m: m[0])
            for i, j, s in block_edges(block, [g for g, _ in members], [it for _, it in members], weights, rule):
                yield (i, j), s

        return (self.sc.parallelize(list(enumerate(items)), self.partitions)
                .flatMap(lambda kv: [(b, kv) for b in blocks_of(kv[1])])
                .groupByKey(self.partitions)
                .flatMap(pair_block)
                .reduceByKey(lambda a, b: a, self.partitions)
                .map(lambda kv: (kv[0][0], kv[0][1], kv[1])))

    def _cluster(self, items: list, edges, components: list[list[int]], threshold: float,
                 rule: bool) -> list[list[int]]:
        """Cluster every strong component on the executors."""
        if not components:
            return []
        component_of = self.sc.broadcast({i: c for c, idxs in enumerate(components) for i in idxs})
        members = self.sc.parallelize([(c, (i, items[i])) for c, idxs in enumerate(components) for i in idxs],
                                      self.partitions)

        def same_component(e):
            c = component_of.value.get(e[0])
            return c is not None and c == component_of.value.get(e[1])

        keyed_edges = edges.filter(same_component).map(lambda e: (component_of.value[e[0]], e))

        def cluster(group):
            from ..resolve.cluster import cluster_component

            _c, (member_rows, edge_rows) = group
            member_rows = sorted(member_rows, key=lambda m: m[0])
            return cluster_component([it for _, it in member_rows], [i for i, _ in member_rows], list(edge_rows),
                                     threshold, rule)

        try:
            return members.cogroup(keyed_edges, self.partitions).flatMap(cluster).collect()
        finally:
            component_of.unpersist()


def driver_resolver(pipeline, vectors: dict[str, Any], clusterer=None) -> Callable[..., Any]:
    """The `resolve_update` callable `Store.update_resolution` takes: the
    pipeline's own (incremental resolution and compare), with the executors'
    vectors and, given one, the Spark clusterer."""
    def resolve_update(store, held: Optional[dict[str, ArticleResult]] = None, full: bool = False):
        with precomputed_vectors(vectors):
            return pipeline.resolve_update(store, held, full, clusterer)
    return resolve_update
