"""Throughput of the whole pipeline against spaCy alone, same articles, same process.

    .venv/bin/python bench/throughput.py [--articles N] [--repeat K] [--no-cli] [PATH ...]

Reads the articles (default: the bundled examples/), parses them with spaCy
alone (nlp.pipe in one process, the cost we cannot avoid), then runs the
full crosswire pipeline over the same texts in its default configuration
(every model on, the extraction on every core: extract_workers.py):
annotate, every extract stage, cross-document resolution and comparison (in
memory; no store). Before the last line it prints the time each step takes
per article (summed over the worker processes, so core-seconds), and, from
a `crosswire run` of the same paths in a fresh process and store, the time
from the command to the first article stored (cold start) and the peak
resident memory of that run's largest process. The last line is

    throughput: pipeline X articles/s, spacy Y articles/s, ratio R
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]


def load_articles(paths: list[str], limit: int):
    from crosswire.config import Settings
    from crosswire.ingest import read_inputs
    from crosswire.records import Article

    found = [a for a in read_inputs(paths or [str(REPO / "examples")], Settings()) if isinstance(a, Article)]
    return found[:limit] if limit else found


def time_spacy(nlp, texts: list[str], batch_size: int) -> float:
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return time.perf_counter() - started


def time_pipeline(pipeline, articles) -> tuple[float, Counter]:
    """Seconds for the whole pipeline, and the seconds of each step."""
    pipeline.timings.clear()
    started = time.perf_counter()
    results = list(pipeline.extract(articles))
    pipeline.resolve(results)
    return time.perf_counter() - started, Counter(pipeline.timings)


# the steps in pipeline order; the quotes stage's own time is its span decoding and reranking
STEP_NAMES = {"parse": "spaCy parse", "tagger": "quotes tagger (transformer)", "time": "time", "actors": "actors",
              "sources": "sources", "quotes": "quotes decoding + reranking", "events": "events",
              "places": "places", "resolve": "resolution + comparison"}


def step_table(timings: Counter, n: int) -> list[str]:
    """Milliseconds per article of each step, in pipeline order, then any other."""
    names = [k for k in STEP_NAMES if k in timings] + sorted(set(timings) - set(STEP_NAMES))
    rows = [f"  {STEP_NAMES.get(k, k):<30} {1000 * timings[k] / n:8.1f} ms/article" for k in names]
    return ["per-step time (core-seconds, summed over worker processes):"] + rows


def cold_start(paths: list[str]) -> tuple[float, float, float]:
    """(seconds from `crosswire run` to its first stored article, seconds for
    the whole run, peak RSS in MB of its largest process) in a fresh store."""
    cli = Path(sys.executable).with_name("crosswire")
    with tempfile.TemporaryDirectory(prefix="crosswire-bench-") as tmp:
        started = time.perf_counter()
        proc = subprocess.Popen([str(cli), "run", *(paths or [str(REPO / "examples")]), "--db",
                                 str(Path(tmp) / "bench.duckdb"), "--verbose"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        first = None
        for line in proc.stderr:
            if first is None and line.startswith("stored 1/"):
                first = time.perf_counter() - started
        _, status, usage = os.wait4(proc.pid, 0)
        total = time.perf_counter() - started
    if status != 0 or first is None:
        sys.exit(f"crosswire run failed (status {status})")
    return first, total, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--articles", type=int, default=0, help="use only the first N articles")
    parser.add_argument("--repeat", type=int, default=2, help="timed rounds (best is kept)")
    parser.add_argument("--no-cli", action="store_true", help="skip the `crosswire run` (cold start, memory)")
    args = parser.parse_args()

    from crosswire import Pipeline

    articles = load_articles(args.paths, args.articles)
    if not articles:
        sys.exit("no articles found")
    pipeline = Pipeline(progress=False)
    nlp = pipeline.nlp
    texts = [a.text for a in articles]
    # warm up: models, dictionaries, classifier weights, embeddings
    list(pipeline.extract(articles[:2]))
    spacy_s = min(time_spacy(nlp, texts, pipeline.settings.spacy_batch_size) for _ in range(args.repeat))
    pipe_s, timings = min((time_pipeline(pipeline, articles) for _ in range(args.repeat)), key=lambda r: r[0])
    n = len(articles)
    words = sum(len(t.split()) for t in texts)
    print(f"articles: {n} ({words} words); spaCy {spacy_s:.2f} s, pipeline {pipe_s:.2f} s (best of {args.repeat})")
    print("\n".join(step_table(timings, n)))
    if not args.no_cli:
        first, total, rss = cold_start(args.paths)
        print(f"crosswire run: first article stored after {first:.1f} s (cold start), {n} articles in {total:.1f} s, "
              f"peak RSS {rss:.0f} MB (largest process)")
    print(f"throughput: pipeline {n / pipe_s:.2f} articles/s, spacy {n / spacy_s:.2f} articles/s, "
          f"ratio {spacy_s / pipe_s:.2f}")


if __name__ == "__main__":
    main()
