"""Cost of the places stage against spaCy's parse, same articles, same process.

    .venv/bin/python bench/places.py [PATH ...]

Loads the gazetteer (timed: once per process), parses the articles (default:
the bundled examples/) with spaCy once, runs every stage before `places`
on them, then times the `places` stage alone over the parsed articles and
spaCy's parse of the same texts. The last line is

    places: X ms/article (gazetteer load Y s), spacy Z ms/article
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]


def contexts(pipe, articles, docs):
    """The ArticleContext of each article after every stage before `places`."""
    from crosswire.annotate import sentences_of
    from crosswire.extract import Anchor, ArticleContext
    from crosswire.records import ArticleResult

    out = []
    for article, doc in zip(articles, docs):
        sentences = sentences_of(doc)
        anchor = Anchor(article.published, "publication") if article.published else Anchor(None, "none")
        ctx = ArticleContext(article=article, doc=doc, sentences=sentences, settings=pipe.settings,
                             result=ArticleResult(article=article, sentences=sentences), anchor=anchor)
        for _name, stage in pipe._stages:
            stage(ctx)
        out.append(ctx)
    return out


def main(argv: list[str]) -> None:
    from crosswire import Pipeline
    from crosswire.config import Settings
    from crosswire.extract import get_stage
    from crosswire.extract.places.gazetteer import load_gazetteer
    from crosswire.ingest import read_inputs
    from crosswire.records import Article

    started = time.perf_counter()
    load_gazetteer()
    load_s = time.perf_counter() - started
    before = tuple(s for s in Settings().stages if s != "places")
    pipe = Pipeline(stages=before, quotes_tagger=False)
    articles = [a for a in read_inputs(argv or [str(REPO / "examples")], pipe.settings) if isinstance(a, Article)]
    texts = [a.text for a in articles]
    started = time.perf_counter()
    docs = list(pipe.nlp.pipe(texts))
    spacy_s = time.perf_counter() - started
    ctxs = contexts(pipe, articles, docs)
    places = get_stage("places")
    started = time.perf_counter()
    for ctx in ctxs:
        places(ctx)
    places_s = time.perf_counter() - started
    n = len(articles)
    print(f"{n} articles, {sum(len(d) for d in docs)} tokens, "
          f"{sum(len(c.result.toponyms) for c in ctxs)} toponyms, "
          f"{sum(1 for c in ctxs for m in c.result.event_mentions if m.location)} of "
          f"{sum(len(c.result.event_mentions) for c in ctxs)} event mentions placed")
    print(f"places: {1000 * places_s / n:.1f} ms/article (gazetteer load {load_s:.2f} s), "
          f"spacy {1000 * spacy_s / n:.0f} ms/article")


if __name__ == "__main__":
    main(sys.argv[1:])
