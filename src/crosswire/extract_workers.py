"""Extraction on every local core: articles spread over forked processes.

Why processes: the spaCy parse and every stage after it are Python on one
core; only the transformer's matrix products use a second one. Two forked
workers, each on one core, extract about twice as many articles a second
as one process (bench/throughput.py). `Pipeline.extract` calls
`extract_in_processes`; the results are the ones one process gives, in the
same order, so the local runner stores them as they come.

How: the parent extracts the first articles itself, which loads spaCy, the
tagger and every table, then forks the workers, which inherit all of it
(nothing is loaded twice, and the first article comes out as soon as in one
process). Workers receive article indices and send back results; the
articles and batch hints are inherited, not pickled. Each worker runs its
transformer on one thread and ignores Ctrl-C: the parent handles it and
stops them. Small batches, platforms without `fork` and processes with
other Python threads (a web server: a fork copies their held locks) stay in
one process.
"""
from __future__ import annotations

import multiprocessing
import signal
import threading
from collections import Counter
from typing import TYPE_CHECKING, Any, Iterator, Optional, Sequence

from .records import Article, ArticleResult
from .resolve.parallel import workers_for

if TYPE_CHECKING:
    from .pipeline import Pipeline

MIN_ARTICLES = 12  # below this, forking and the workers' sessions cost more than they save
FIRST_ARTICLES = 1  # extracted by the parent before forking (loads every model once, and the first result comes out as in one process)
TASK_ARTICLES = 4  # articles a worker takes at a time: parsed and read by the transformer together
_STATE: dict[str, Any] = {}  # what forked workers inherit: the pipeline, the articles, the hints


def extract_in_processes(pipeline: "Pipeline", articles: Sequence[Article], hints: dict[str, Any],
                         workers: Optional[int] = None) -> Iterator[ArticleResult]:
    """`pipeline.extract_here` over `articles`, on `workers` processes
    (None: `Settings.extract_workers`; 0: every CPU) when that pays."""
    requested = pipeline.settings.extract_workers if workers is None else workers
    n = workers_for(len(articles), requested, MIN_ARTICLES)
    if n <= 1 or threading.active_count() > 1:
        yield from pipeline.extract_here(articles, hints)
        return
    yield from pipeline.extract_here(articles[:FIRST_ARTICLES], hints)
    rest = range(FIRST_ARTICLES, len(articles))
    tasks = [rest[k:k + TASK_ARTICLES] for k in range(0, len(rest), TASK_ARTICLES)]
    _STATE.update(pipeline=pipeline, articles=articles, hints=hints)
    try:
        with multiprocessing.get_context("fork").Pool(n, initializer=_start_worker) as pool:
            for results, timings in pool.imap(_extract_task, tasks):
                pipeline.timings.update(timings)
                yield from results
    finally:
        _STATE.clear()


def _start_worker() -> None:
    """One thread for the transformer and for numpy's BLAS (the workers
    share the cores: with its own thread pool per worker, BLAS spun on the
    other worker's core and the events stage took half as long again), and
    Ctrl-C left to the parent, which then stops the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    try:
        import torch
    except ImportError:  # no tagger: nothing multi-threaded to tame
        return
    torch.set_num_threads(1)


def _extract_task(indices: range) -> tuple[list[ArticleResult], Counter]:
    pipeline = _STATE["pipeline"]
    pipeline.timings = Counter()
    articles = [_STATE["articles"][k] for k in indices]
    return list(pipeline.extract_here(articles, _STATE["hints"])), pipeline.timings
