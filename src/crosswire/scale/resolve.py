"""Cross-document resolution in a Spark run.

Where the time goes: profiling `crosswire.resolve.resolve` shows that about
95% of it is encoding mention sentences with the embedding model; blocking,
scoring and clustering are cheap beside it. The encoding is per sentence, so
it is done on the executors, in the extract task, by the resolve package's
own `Embedder` (model loaded once per executor process), and the driver's
resolution is then served those vectors instead of encoding them again.

The clustering itself (the resolve package's blocking, scoring and
constrained average-link clustering) runs on the driver, on every stored
result, exactly as in a local run: that is what keeps the Spark and local
answers identical, ids included. docs/scale.md discusses splitting it by
blocking-key components for corpora whose mentions do not fit one node.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, Sequence

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


def driver_resolver(pipeline, vectors: dict[str, Any]) -> Callable[[list[ArticleResult]], Any]:
    """`results -> Resolution` for `Store.update_resolution`: the pipeline's
    own resolve (and compare), with the executors' vectors."""
    def resolve(results: list[ArticleResult]):
        with precomputed_vectors(vectors):
            return pipeline.resolve(results)
    return resolve
