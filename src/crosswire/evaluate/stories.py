"""`crosswire eval stories [DATA] [--split dev]`: stories against gold story ids.

A story is the set of articles about one developing situation. The figure is
B³ precision, recall and F1 over articles (each article's predicted story
against its gold story, averaged over articles), the usual measure for a
clustering where every item is in exactly one cluster.

DATA is either
- a JSON Lines file of articles with a `story` field (the shared corpus
  `corpus/articles.jsonl`, the default); an article whose `story` is null is
  a story of its own (the corpus's distractors), or
- an ECB+ split folder (topic folders of CAT XML, `eval/ecbplus/<split>` by
  default with `--split`): each document is an article and its gold story is
  its sub-topic (`N_*ecb.xml` and `N_*ecbplus.xml` are two related but
  distinct happenings of one topic, e.g. two rehab stays of one actress).

The default pipeline runs on the articles into a fresh temporary store, as
`crosswire run` does, and the stored stories are scored. Articles are matched
to their gold line by URL, else by title (ingest derives its own article id
from the text).
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

from ..datasets import corpus_path
from ..datasets.ecbplus import read_ecb
from ..datasets.news_events import norm
from ..loading import read_jsonl

DEFAULT_PATH = "corpus/articles.jsonl"
ECB_PATH = "eval/ecbplus"
ECB_URL = "ecbplus:"  # the URL given to an ECB+ document: the key back to its gold sub-topic
NO_SPACE_BEFORE = re.compile(r" ([.,;:!?)'\]}]|n't|'s)")
NO_SPACE_AFTER = re.compile(r"([(\[{$]) ")


# ------------------------------------------------------------------- metrics
def b_cubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> dict[str, float]:
    """B³ precision, recall and F1 of a clustering (item -> cluster id) over
    the items both assign. Precision: for each item, the share of its
    predicted cluster that shares its gold cluster; recall the converse."""
    items = sorted(set(predicted) & set(gold))
    if not items:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    pred_members: dict[str, set[str]] = defaultdict(set)
    gold_members: dict[str, set[str]] = defaultdict(set)
    for it in items:
        pred_members[predicted[it]].add(it)
        gold_members[gold[it]].add(it)
    precision = recall = 0.0
    for it in items:
        both = len(pred_members[predicted[it]] & gold_members[gold[it]])
        precision += both / len(pred_members[predicted[it]])
        recall += both / len(gold_members[gold[it]])
    p, r = precision / len(items), recall / len(items)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


# ---------------------------------------------------------------- gold input
def gold_records(path: Path) -> list[dict[str, Any]]:
    """Article records (title, text, published, outlet, url) each with its gold
    `story`: from a JSONL file, or from an ECB+ split folder."""
    if path.is_dir():
        return ecb_records(path)
    records = read_jsonl(path)
    if not any("story" in r for r in records):
        raise ValueError(f"{path}: no article has a `story` field (the gold story id)")
    for i, r in enumerate(records):
        r["story"] = r.get("story") or f"single:{r.get('id', i)}"  # a story of its own
    return records


def _detokenize(words: Sequence[str]) -> str:
    return NO_SPACE_AFTER.sub(r"\1", NO_SPACE_BEFORE.sub(r"\1", " ".join(words)))


def ecb_records(folder: Path) -> list[dict[str, Any]]:
    """ECB+ documents as articles: the first sentence is the title, the
    sub-topic (topic number + ecb / ecbplus) the gold story."""
    records = []
    for doc in read_ecb(str(folder)):
        sentences = [_detokenize(words) for words in doc.sentences()]
        topic = doc.name.split("_")[0]
        sub = "ecbplus" if doc.name.endswith("ecbplus.xml") else "ecb"
        records.append({"title": sentences[0] if sentences else doc.name, "text": "\n\n".join(sentences[1:]),
                        "url": ECB_URL + doc.name, "story": f"{topic}-{sub}"})
    if not records:
        raise FileNotFoundError(f"{folder}: no ECB+ documents (topic folders of *.xml)")
    return records


# ------------------------------------------------------------------- running
def run_stories(records: Iterable[dict[str, Any]], pipeline: Any = None) -> tuple[list, list]:
    """(stored articles, stored stories) of a `crosswire run` over the records
    in a fresh temporary store."""
    from ..pipeline import Pipeline
    from ..runner import run_paths
    from ..store import open_store

    pipe = pipeline or Pipeline()
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "articles.jsonl")
        with open(source, "w", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps({k: v for k, v in r.items() if k != "story"}, ensure_ascii=False) + "\n")
        with open_store(os.path.join(tmp, "stories.duckdb")) as store:
            run_paths([source], store, pipe, progress=False)
            return store.articles(), store.stories()


def gold_of_articles(articles: Sequence[Any], records: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Stored article id -> gold story, matched by URL, else by title."""
    by_url = {r["url"]: r["story"] for r in records if r.get("url")}
    by_title = {norm(r.get("title")): r["story"] for r in records}
    out = {}
    for a in articles:
        story = by_url.get(a.url) if a.url else None
        story = story or by_title.get(norm(a.title))
        if story:
            out[a.id] = story
    return out


def score_stories(stories: Sequence[Any], gold: Mapping[str, str]) -> dict[str, Any]:
    """B³ of stored stories against gold (article id -> story), with counts."""
    predicted = {a: s.id for s in stories for a in s.articles}
    metrics = b_cubed(predicted, gold)
    scored = set(predicted) & set(gold)
    sizes = Counter(gold[a] for a in scored)
    return {**{k: round(v, 4) for k, v in metrics.items()}, "articles": len(scored),
            "gold_stories": len(sizes), "gold_stories_2plus": sum(1 for n in sizes.values() if n > 1),
            "stories": len({predicted[a] for a in scored})}


def _data_path(path: Optional[str], split: Optional[str]) -> Path:
    if path:
        return Path(path)
    return corpus_path(f"{ECB_PATH}/{split}" if split else DEFAULT_PATH)


def run(path: Optional[str], args: Any = None) -> dict[str, Any]:
    folder = _data_path(path, getattr(args, "split", None))
    if not folder.exists():
        raise FileNotFoundError(f"{folder}: no such file or folder")
    records = gold_records(folder)
    limit = getattr(args, "limit", None)
    if limit:
        records = records[:limit]
    articles, stories = run_stories(records)
    return {"data": str(folder), **score_stories(stories, gold_of_articles(articles, records))}


def format_line(m: dict[str, Any]) -> str:
    return (f"stories: B3 precision {m['precision']:.3f} recall {m['recall']:.3f} f1 {m['f1']:.3f} "
            f"({m['stories']} stories for {m['gold_stories']} gold, {m['gold_stories_2plus']} with 2+ articles; "
            f"{m['articles']} articles)")
