"""Train the content-boundary reranker (extract/quotes/rerank.py) on
PolNeAR train: two weight sets of a conditional logit over each reported
content's candidate spans, one for the linear path and one with the
tagger's log-odds, and the margin each needs, chosen by cross-validation.

    .venv/bin/python -m crosswire.training.quotes_rerank [PATH, default <data root>/eval/polnear/train] \
        [--parsed DOCBIN] [--tags JSON.GZ] [--upstream DIR]

The contents it learns from are decoded the way unseen text is: by span
models that did not see their article (`train`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..datasets.polnear import doc_units, read_polnear
from ..extract.quotes.rerank import RERANK_PATH, Context, candidates, features, pick
from ..extract.quotes.spans import attribution_spans, load_model, tagger_logits
from ..loading import read_json_gz, write_json_gz
from .commands import parse_config
from .quotes_spans import parse_articles, train_parsed, train_path, train_path_field

L2 = 1.0  # penalty of the conditional logit (cross-validated on held-out train)
THRESHOLDS = (0.0, 0.5, 1.0)  # margin over the decoded span a candidate needs; the best by CV ships
HELD_OUT = 700  # train articles from here on are scored by upstream models fitted on the ones before
FOLDS = 5


@dataclass
class Config:
    """A training run of the reranker (defaults: what shipped)."""

    path: Optional[Path] = train_path_field()
    out: Path = RERANK_PATH
    parsed: Optional[Path] = field(default=None, metadata={
        "help": "DocBin cache of the spaCy parses (written when missing)"})
    tags: Optional[Path] = field(default=None, metadata={
        "help": "json.gz cache of the tagger's log-odds for articles 700-839"})
    upstream: Optional[Path] = field(default=None, metadata={
        "help": "folder caching the linear models fitted on parts of 0-699"})


class Recorder:
    """Keeps the decoded spans and records each fragment's candidates with
    their features (training and cross-validation)."""

    def __init__(self) -> None:
        self.groups: list[dict] = []
        self.doc_id: Any = None

    def choose(self, ctx: Context, a: int, b: int) -> tuple[int, int]:
        cands = candidates(ctx, a, b)
        doc = ctx.doc
        self.groups.append({"doc": self.doc_id,
                            "spans": [(doc[s].idx, doc[e].idx + len(doc[e].text)) for s, e in cands],
                            "feats": [features(ctx, s, e, a, b) for s, e in cands]})
        return a, b


def fit(groups: list[dict], l2: float = 1.0, min_count: int = 2) -> dict[str, float]:
    """A conditional logit over each fragment's candidates (fragments with a
    gold candidate only), L2-penalised, by L-BFGS; returns feature weights."""
    from collections import Counter

    import numpy as np
    from scipy.optimize import minimize
    from scipy.sparse import csr_matrix

    groups = [g for g in groups if any(g["y"])]
    counts = Counter(k for g in groups for f in g["feats"] for k in f)
    names = sorted(k for k, c in counts.items() if c >= min_count)
    index = {k: j for j, k in enumerate(names)}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    labels: list[int] = []
    starts = [0]
    for g in groups:
        for f, label in zip(g["feats"], g["y"]):
            for k, value in f.items():
                if k in index:
                    rows.append(len(labels))
                    cols.append(index[k])
                    vals.append(value)
            labels.append(label)
        starts.append(len(labels))
    x = csr_matrix((vals, (rows, cols)), shape=(len(labels), len(names)))
    y = np.asarray(labels, dtype=float)
    bounds = np.asarray(starts)
    group_of: Any = np.repeat(np.arange(len(groups)), np.diff(bounds))
    gold_count = np.add.reduceat(y, bounds[:-1])

    def loss(w):
        z = x @ w
        zmax = np.maximum.reduceat(z, bounds[:-1])
        ez = np.exp(z - zmax[group_of])
        total = np.add.reduceat(ez, bounds[:-1])
        gold = np.add.reduceat(ez * y, bounds[:-1])
        value = -np.sum(np.log(gold) - np.log(total)) + 0.5 * l2 * w @ w
        grad_rows = ez / total[group_of] - ez * y / gold[group_of]
        return value, x.T @ grad_rows + l2 * w

    assert (gold_count > 0).all()
    res = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return {k: round(float(v), 4) for k, v in zip(names, res.x) if abs(v) >= 1e-4}


def record(docs, parsed, model, tags: Optional[list] = None, start: int = 0) -> list[dict]:
    """Candidates of every reported content the decoding finds in `parsed`
    (with per-document tagger log-odds when given), labelled against gold:
    a candidate is right when it equals a gold content unit."""
    recorder = Recorder()
    for k, (pdoc, doc) in enumerate(zip(docs, parsed)):
        recorder.doc_id = start + k
        first = len(recorder.groups)
        attribution_spans(doc, model=model, tags=None if tags is None else tags[k], use_tagger=False,
                          reranker=recorder)
        gold = doc_units(pdoc.text, pdoc.attributions)["content"]
        for g in recorder.groups[first:]:
            g["y"] = [int(span in gold) for span in g["spans"]]
    return recorder.groups


def cross_validate(groups: list[dict], l2: float, thresholds: tuple = THRESHOLDS, folds: int = FOLDS,
                   pool: Optional[list[dict]] = None) -> dict[float, int]:
    """Fragments whose chosen span is gold, minus those whose decoded span
    is, per threshold, over `folds` folds by article (`pool`: extra
    training fragments from other articles)."""
    docs = sorted({g["doc"] for g in groups})
    fold_of = {d: k * folds // len(docs) for k, d in enumerate(docs)}
    gain = {t: 0 for t in thresholds}
    for k in range(folds):
        weights = fit([g for g in groups if fold_of[g["doc"]] != k] + (pool or []), l2=l2)
        for g in groups:
            if fold_of[g["doc"]] == k:
                for t in thresholds:
                    gain[t] += g["y"][pick(weights, g["feats"], t)] - g["y"][0]
    return gain


def _tagger_logits(parsed, cache: Optional[str]) -> Optional[list]:
    """The shipped tagger's log-odds per article (a JSON cache when given);
    None without a tagger."""
    cached = read_json_gz(cache) if cache else None
    if cached is not None:
        return cached
    read = [tagger_logits(doc) for doc in parsed]
    tags = [t for t in read if t is not None]
    if len(tags) < len(read):
        return None
    if cache:
        write_json_gz(cache, [[[round(x, 3) for x in row] for row in t] for t in tags])
    return tags


def _upstream(docs, parsed, keep: list[int], path: Path):
    """Linear models fitted on the articles `keep` (cached at `path`)."""
    if not path.exists():
        train_parsed([docs[i] for i in keep], [parsed[i] for i in keep], path)
    return load_model(str(path))


def train(cfg: Config) -> dict[str, Any]:
    """Fit both weight sets on fragments decoded the way unseen text is:
    articles 700-839 by linear models fitted on 0-699 (with and without the
    shipped tagger, which saw only 0-699), and, for more data, each fifth of
    0-699 by linear models fitted on the other four fifths (linear path
    only: the tagger saw those). The threshold per path is chosen by 5-fold
    CV over articles 700-839, the other fragments always in training."""
    import tempfile

    docs = list(read_polnear(train_path(cfg.path)))
    parsed = parse_articles(docs, str(cfg.parsed) if cfg.parsed else None)
    cache = cfg.upstream or Path(tempfile.mkdtemp())
    cache.mkdir(parents=True, exist_ok=True)
    model = _upstream(docs, parsed, list(range(HELD_OUT)), cache / "model_0_699.json.gz")
    held_docs, held_parsed = docs[HELD_OUT:], parsed[HELD_OUT:]
    tags = _tagger_logits(held_parsed, str(cfg.tags) if cfg.tags else None)
    crossfit: list[dict] = []
    step = HELD_OUT // FOLDS
    for k in range(FOLDS):
        lo, hi = k * step, (k + 1) * step
        fold_model = _upstream(docs, parsed, [i for i in range(HELD_OUT) if not lo <= i < hi],
                               cache / f"model_0_699_without_{lo}_{hi}.json.gz")
        crossfit += record(docs[lo:hi], parsed[lo:hi], fold_model, start=lo)
    report: dict[str, Any] = {"weights": {}, "threshold": {}, "cv": {}}
    for name, path_tags in (("linear", None), ("tagger", tags)):
        if name == "tagger" and tags is None:
            continue
        groups = record(held_docs, held_parsed, model, path_tags, start=HELD_OUT)
        gain = cross_validate(groups, L2, pool=crossfit)
        best = max(THRESHOLDS, key=lambda t: (gain[t], -t))
        report["threshold"][name] = best
        report["weights"][name] = fit(groups + crossfit, l2=L2)
        report["cv"][name] = {"fragments": len(groups), "decoded_exact": sum(g["y"][0] for g in groups),
                              "exact_gained_by_threshold": {str(t): v for t, v in gain.items()}}
    report["trained_on"] = ("PolNeAR train (Newell et al. 2018): reported contents decoded by models that did "
                            "not see their article; derived weights only")
    write_json_gz(cfg.out, report)
    return {"path": str(cfg.out), "bytes": cfg.out.stat().st_size, "threshold": report["threshold"],
            "crossfit_fragments": len(crossfit), "cv": report["cv"]}


def main(argv: Optional[list[str]] = None) -> int:
    print(json.dumps(train(parse_config(Config, __doc__, argv))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
