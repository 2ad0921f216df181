"""Extraction on forked workers (extract_workers.py): the same results, in
the same order, as one process; real spaCy and the shipped tagger."""
from __future__ import annotations

import json
import threading
from collections import Counter

import pytest

from crosswire import Pipeline, extract_workers
from crosswire.records import to_dict


_TASK = extract_workers._extract_task


def _counted_task(indices):
    """The workers' task, marking in the timings it sends back that a worker ran it."""
    results, timings = _TASK(indices)
    return results, timings + Counter(worker_tasks=1)


@pytest.fixture(scope="module")
def articles():
    pipe = Pipeline(progress=False)
    texts = [
        '"We will not accept these terms," Maria Lopez told reporters on Friday.',
        "Russia and the United States will hold talks in Geneva on January 10, 2022, officials said.",
        "The ministry said on Tuesday that the bridge would reopen in the spring.",
        "Protesters clashed with police in the capital, according to Reuters.",
        "The senator said that the new tax plan would hurt small farmers.",
    ]
    return [pipe.as_article({"text": t, "published": "2022-01-05"}, i) for i, t in enumerate(texts)]


def test_workers_give_the_results_of_one_process(articles, monkeypatch):
    if threading.active_count() > 1:
        pytest.skip("another thread runs in this test process: extraction stays in one process")
    pipe = Pipeline(progress=False)
    alone = [json.dumps(to_dict(r), sort_keys=True) for r in pipe.extract(articles, workers=1)]
    monkeypatch.setattr(extract_workers, "MIN_ARTICLES", 2)
    monkeypatch.setattr(extract_workers, "FIRST_ARTICLES", 1)
    monkeypatch.setattr(extract_workers, "TASK_ARTICLES", 1)
    monkeypatch.setattr(extract_workers, "_extract_task", _counted_task)
    pipe.timings.clear()
    together = [json.dumps(to_dict(r), sort_keys=True) for r in pipe.extract(articles, workers=2)]
    assert pipe.timings["worker_tasks"] == len(articles) - 1
    assert together == alone
    assert {"parse", "tagger", "quotes", "events"} <= set(pipe.timings)


def test_small_batches_stay_in_one_process(articles, monkeypatch):
    started = []
    monkeypatch.setattr(extract_workers.multiprocessing, "get_context", lambda *a: started.append(a))
    results = list(Pipeline(progress=False).extract(articles, workers=2))
    assert len(results) == len(articles) and not started
