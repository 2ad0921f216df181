"""Fit the centre of the sentence vectors the events stage keeps on each
mention (extract/events/meaning.py):

    python -m crosswire.training.meaning [--limit N]

The tagger's last layer, averaged over a sentence, points mostly one way:
two unrelated news sentences have a cosine of about 0.72. Subtracting the
mean vector of many news sentences leaves what tells them apart (unrelated
pairs then average about 0.0), and made the vector useful to the merge
scorer (docs/decisions/stories-and-merging.md). The mean is taken over every
sentence of the Wikinews corpus minus the news_events dev articles: no label
is read.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Optional

from ..config import Settings
from ..datasets import corpus_path
from ..datasets.news_events import read_folder
from ..extract.events.meaning import CENTRE_PATH
from ..extract.events.sentence_types import sentence_vectors
from .commands import parse_config

log = logging.getLogger("crosswire.training.meaning")


@dataclass
class Config:
    """The centre's inputs."""

    limit: Optional[int] = field(default=None, metadata={"help": "read only the first N corpus articles"})


def corpus_articles(limit: Optional[int]):
    """The corpus articles, less the news_events dev ones."""
    from ..ingest import read_inputs
    from ..records import Article

    dev, _gold = read_folder(corpus_path("eval/news_events/dev"))
    dev_urls = {a["url"] for a in dev}
    articles = [a for a in read_inputs([str(corpus_path("corpus/articles.jsonl"))], Settings.load(), dedupe=False)
                if isinstance(a, Article) and a.url not in dev_urls]
    return articles[:limit] if limit else articles


def fit_centre(cfg: Config):
    """The mean unit sentence vector of the articles' transformer passes."""
    import numpy as np

    from ..annotate import load_nlp
    from ..extract.quotes.tagger import ADAPTER_PATH, load_tagger

    tagger = load_tagger(str(ADAPTER_PATH))
    if tagger is None:
        raise SystemExit("the quotes tagger cannot load (`crosswire doctor` says why)")
    articles = corpus_articles(cfg.limit)
    rows = []
    for doc in load_nlp().pipe([a.text for a in articles], batch_size=16):
        vectors = sentence_vectors(tagger.encode([doc])[0], list(doc.sents))
        rows.append(vectors[np.linalg.norm(vectors, axis=1) > 0])
    every = np.vstack(rows)
    log.info("%d sentences of %d articles", len(every), len(articles))
    return every.mean(axis=0).astype(np.float32)


def main(argv: Optional[list[str]] = None) -> int:
    import numpy as np

    cfg = parse_config(Config, __doc__, argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    centre = fit_centre(cfg)
    CENTRE_PATH.parent.mkdir(parents=True, exist_ok=True)
    np.save(CENTRE_PATH, centre)
    print(f"wrote {CENTRE_PATH} ({len(centre)} dimensions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
