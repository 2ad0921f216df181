"""Throughput of the whole pipeline against spaCy alone, same articles, same process.

    .venv/bin/python bench/throughput.py [--articles N] [--repeat K] [PATH ...]

Reads the articles (default: the bundled examples/), parses them with spaCy
alone (nlp.pipe, the cost we cannot avoid), then runs the full crosswire
pipeline over the same texts: annotate, every extract stage, cross-document
resolution and comparison (in memory; no store). The last line is

    throughput: pipeline X articles/s, spacy Y articles/s, ratio R
"""
from __future__ import annotations

import argparse
import os
import sys
import time
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


def time_pipeline(pipeline, articles) -> float:
    started = time.perf_counter()
    results = list(pipeline.extract(articles))
    pipeline.resolve(results)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--articles", type=int, default=0, help="use only the first N articles")
    parser.add_argument("--repeat", type=int, default=2, help="timed rounds (best is kept)")
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
    pipe_s = min(time_pipeline(pipeline, articles) for _ in range(args.repeat))
    n = len(articles)
    words = sum(len(t.split()) for t in texts)
    print(f"articles: {n} ({words} words); spaCy {spacy_s:.2f} s, pipeline {pipe_s:.2f} s (best of {args.repeat})")
    print(f"throughput: pipeline {n / pipe_s:.2f} articles/s, spacy {n / spacy_s:.2f} articles/s, "
          f"ratio {spacy_s / pipe_s:.2f}")


if __name__ == "__main__":
    main()
