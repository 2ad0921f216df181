"""Fit the news pair scorer's weights (resolve/scoring.py NEWS_WEIGHTS*) on
the gold event keys of news_events/train, and choose the threshold out of fold.

    .venv/bin/python experiments/news_merge_fit.py [--store S.duckdb] [--embeddings] [--thresholds 0.1,0.15,0.2]
                                                   [--shipped]

1. The default pipeline extracts the train articles into a store (or `--store`
   names one that holds them, e.g. a run over corpus/articles.jsonl).
2. Each event mention is matched to a gold line as `crosswire eval news`
   matches it (article, sentence, type); a matched mention gets its gold key.
3. The candidate pairs of the resolver's blocking, less those its hard
   constraints refuse, between two labelled mentions are the training pairs
   (positive: one gold key), over the scorer's news features.
4. Out of fold: the articles' stories (corpus `story`, else the article) in 5
   folds; for each fold a logistic regression fitted on the other folds'
   pairs resolves the fold's articles, and the cross-article merge counts
   (as eval news counts them) are summed. Then the weights on all pairs.

Prints per threshold the out-of-fold merge precision/recall/F1, the final
weights (JSON, to paste into scoring.py) and, with them, how pairs of mentions
within one article are merged (in sample). Uses train only.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from crosswire import resolve as R
from crosswire.config import Settings
from crosswire.datasets import corpus_path
from crosswire.datasets.news_events import match, merge_counts, predictions, read_folder
from crosswire.outputs import results_to_json
from crosswire.resolve.actors import build_actor_index
from crosswire.resolve.blocking import candidate_pairs
from crosswire.resolve.embed import Embedder
from crosswire.resolve.scoring import cannot_link, features

NAMES = ["same_lemma", "same_class", "same_type", "codes_overlap", "codes_disjoint", "date_equal", "date_one_missing",
         "soft_date_equal", "soft_date_conflict", "days_apart", "same_sentence", "location_equal", "location_conflict",
         "topic_overlap", "context_overlap", "same_doc"]
FOLDS = 5


def train_results(store_path: str | None, articles: list[dict], more: list[dict]) -> list:
    """The extraction of the train articles and of `more` (corpus records), from a store or run here."""
    from crosswire.pipeline import Pipeline
    from crosswire.runner import run_paths
    from crosswire.store import open_store

    urls = {a["url"] for a in articles}
    if store_path:
        with open_store(store_path, read_only=True) as store:
            return [r for r in store.load_results() if r.article.url in urls]
    with tempfile.TemporaryDirectory() as tmp:
        paths = [str(corpus_path("eval/news_events/train") / "articles.jsonl")]
        if more:
            paths.append(os.path.join(tmp, "more.jsonl"))
            with open(paths[-1], "w", encoding="utf-8") as fh:
                for a in more:
                    fh.write(json.dumps({k: a[k] for k in ("id", "title", "text", "published", "outlet", "url")}) + "\n")
        with open_store(os.path.join(tmp, "train.duckdb")) as store:
            run_paths(paths, store, Pipeline())
            return store.load_results()


def more_gold() -> tuple[list[dict], list[dict]]:
    """The corpus articles the project annotated (crosswire.training's annotations) and their gold lines."""
    from crosswire.loading import read_jsonl
    from crosswire.training.events import MORE_GOLD_PATH

    ids = set(MORE_GOLD_PATH.with_suffix(".ids").read_text(encoding="utf-8").split())
    corpus = [r for r in read_jsonl(corpus_path("corpus/articles.jsonl")) if r["id"] in ids]
    return corpus, [g for g in read_jsonl(MORE_GOLD_PATH) if g["article"] in ids]


def gold_keys(results: list, articles: list[dict], gold: list[dict]) -> dict[str, str]:
    gold_id = {a["url"]: a["id"] for a in articles}
    preds = [{"article": gold_id[r.article.url], "sentence": m.text, "type": m.event_type, "id": m.id}
             for r in results for m in r.event_mentions]
    return {p["id"]: gold[i]["event"] for p, i in match(preds, gold, True) if i is not None}


def pair_table(results: list, keys: dict[str, str], names: list[str], embed: bool):
    ids, _entries = build_actor_index(results)
    items, texts = R.mention_items(results, ids)
    if embed:
        for item, vec in zip(items, Embedder(enabled=True).sentences([texts[it.key] for it in items])):
            item.vector = vec
    items.sort(key=lambda it: it.key)
    rows, labels, docs = [], [], []
    for i, j in candidate_pairs(items):
        a, b = items[i], items[j]
        if a.key in keys and b.key in keys and not cannot_link(a, b):
            f = features(a, b)
            rows.append([f[n] for n in names])
            labels.append(keys[a.key] == keys[b.key])
            docs.append(a.doc)
    return np.array(rows), np.array(labels), docs


def fitted(X, y, names: list[str]) -> dict[str, float]:
    lr = LogisticRegression(C=1.0, max_iter=2000).fit(X, y)
    return {"bias": round(float(lr.intercept_[0]), 2), **{n: round(float(c), 2) for n, c in zip(names, lr.coef_[0])}}


def use_weights(weights: dict[str, float]) -> None:
    """Make the resolver score with these weights (every news table)."""
    for table in (R.scoring.NEWS_WEIGHTS, R.scoring.NEWS_WEIGHTS_MINILM, R.scoring.NEWS_WEIGHTS_NO_EMBEDDING):
        table.clear()
        table.update(weights)
    R.scoring._COMPILED.clear()


def merge_tallies(results: list, articles: list[dict], gold: list[dict], settings: Settings) -> np.ndarray:
    resolution = R.resolve(results, settings)
    out = json.loads(json.dumps(results_to_json(results, resolution.events, resolution.stories, {})))
    preds, _found = predictions(out, articles, {g["article"] for g in gold})
    matched = [(p, gold[i]) for p, i in match(preds, gold, True) if i is not None and not gold[i].get("background")]
    return np.array(merge_counts(matched))


def within_article_tally(results: list, keys: dict[str, str], settings: Settings) -> np.ndarray:
    """Pairs of labelled mentions of one article: (same event and same gold key, same event only,
    same gold key only)."""
    events = {m.mention_id: e.id for e in R.resolve(results, settings).events for m in e.mentions}
    article = {m.id: r.article.id for r in results for m in r.event_mentions}
    labelled = sorted(keys)
    tally = np.zeros(3, int)
    for k, a in enumerate(labelled):
        for b in labelled[k + 1:]:
            if article[a] == article[b]:
                together, same = events.get(a) == events.get(b), keys[a] == keys[b]
                tally += [together and same, together and not same, same and not together]
    return tally


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return round(float(p), 4), round(float(r), 4), round(float(2 * p * r / (p + r)) if p + r else 0.0, 4)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", help="a store holding the train articles' extraction")
    ap.add_argument("--embeddings", action="store_true", help="with the MiniLM sentence embedding feature")
    ap.add_argument("--meanings", action="store_true",
                    help="with the embedding feature from the mentions' stored sentence vectors (EventMention.meaning)")
    ap.add_argument("--thresholds", default="0.1,0.15,0.2,0.25,0.3")
    ap.add_argument("--shipped", action="store_true",
                    help="fit nothing: how the shipped weights merge the train articles (not out of fold: "
                         "they were fitted on train pairs of an earlier extraction)")
    ap.add_argument("--more-gold", action="store_true",
                    help="also fit on the project's annotated corpus articles; tallies stay on train's")
    args = ap.parse_args()
    articles, gold = read_folder(Path(corpus_path("eval/news_events/train")))
    train_urls = {a["url"] for a in articles}
    more_articles, more_lines = more_gold() if args.more_gold else ([], [])
    articles, gold = articles + more_articles, gold + more_lines
    results = train_results(args.store, articles, more_articles)
    keys = gold_keys(results, articles, gold)
    if args.shipped:
        for threshold in (float(t) for t in args.thresholds.split(",")):
            settings = Settings(coref_threshold=threshold, use_embeddings=args.embeddings)
            print(f"threshold {threshold}: shipped weights, across articles, merge P/R/F1 "
                  f"{prf(*merge_tallies(results, articles, gold, settings))}; within articles, pair P/R/F1 "
                  f"{prf(*within_article_tally(results, keys, settings))}")
        return
    names = NAMES + (["embedding"] if args.embeddings or args.meanings else [])
    X, y, docs = pair_table(results, keys, names, args.embeddings)
    story = {json.loads(line)["url"]: json.loads(line).get("story")
             for line in corpus_path("corpus/articles.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()}
    group = {r.article.id: story.get(r.article.url) or r.article.id for r in results}
    fold_of = {g: k % FOLDS for k, g in enumerate(sorted(set(group.values())))}
    pair_fold = np.array([fold_of[group[d]] for d in docs])
    print(f"{len(results)} articles, {len(keys)} labelled mentions, {len(y)} pairs ({int(y.sum())} positive)")
    for threshold in (float(t) for t in args.thresholds.split(",")):
        tally = np.zeros(3, int)
        for fold in range(FOLDS):
            use_weights(fitted(X[pair_fold != fold], y[pair_fold != fold], names))
            held = [r for r in results if fold_of[group[r.article.id]] == fold and r.article.url in train_urls]
            tally += merge_tallies(held, articles, gold, Settings(coref_threshold=threshold,
                                                                    use_embeddings=args.embeddings))
        print(f"threshold {threshold}: out-of-fold merge P/R/F1 {prf(*tally)} (tp, fp, fn {tally.tolist()})")
    weights = fitted(X, y, names)
    use_weights(weights)
    for threshold in (float(t) for t in args.thresholds.split(",")):
        tally = within_article_tally(results, keys, Settings(coref_threshold=threshold, use_embeddings=args.embeddings))
        print(f"threshold {threshold}: within articles, these weights (in sample), pair P/R/F1 {prf(*tally)}")
    print(json.dumps(weights))


if __name__ == "__main__":
    sys.exit(main())
