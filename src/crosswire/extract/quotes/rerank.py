"""Content-boundary reranker: for a decoded reported content, choose its span
among nearby boundaries.

Why: about half of the content exact misses on PolNeAR are boundary
disagreements (the start a cue-phrase word too early or late, the end a
clause too short or long), and no fixed rule settles them: at a comma gold
goes on about as often as it stops. The decoding in spans.py sums per-token
margins; this model looks at the whole span instead, at its edges (the words
either side of each boundary, their parse), whether it is a constituent, and
how much role-model (and tagger) margin it gains or loses against the decoded
span.

Candidates per reported (not quoted) content fragment [a, b]: the decoded
span; starts near a and at the left edges of the cue's complements; ends near
b, before punctuation and function words that open a clause, at the sentence
end and at the right edges of the cue's complements; within the cue's line,
never crossing the cue, the source or another attribution (at most
MAX_CANDIDATES, the nearest). A conditional logit (softmax over a fragment's
candidates) scores them; the decoded span is replaced only when another
candidate beats it by more than the model's `threshold`. Two weight sets,
one for the linear path and one with the tagger's log-odds, both fitted on
PolNeAR train contents decoded by upstream models that did not see their
article (700-839 by models fitted on 0-699; each fifth of 0-699 by models
fitted on the rest of 0-699):

    .venv/bin/python -m crosswire.extract.quotes.rerank train ../shared/eval/polnear/train
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ...config import DATA_DIR
from ...loading import load_once, read_json_gz, write_json_gz
from .spans import QUOTE_MARKS, TAG_INDEX, DocView, _neighbour

RERANK_PATH = DATA_DIR / "quotes" / "content_rerank.json.gz"
MAX_CANDIDATES = 40
NEAR = 25  # how far (tokens) before the decoded start a start is tried
CLOSE = 1  # every token this close to a decoded boundary is tried as one
MAX_STARTS, MAX_ENDS = 12, 14
L2 = 1.0  # penalty of the conditional logit (cross-validated on held-out train)
THRESHOLDS = (0.0, 0.5, 1.0)  # margin over the decoded span a candidate needs; the best by CV ships
HELD_OUT = 700  # train articles from here on are scored by upstream models fitted on the ones before
FOLDS = 5
EDGE_MARKS = {",", "—", "-", "--", "–"}
COMPLEMENTS = {"ccomp", "xcomp", "dobj", "pobj", "prep", "advcl", "attr", "oprd", "acomp", "npadvmod", "parataxis"}


@dataclass
class Context:
    """What the decoding knows about one content fragment."""

    doc: Any
    view: DocView
    cue_i: int
    lo: int  # the cue's line, [lo, hi)
    hi: int
    blocked: set  # cue, source, other attributions' tokens
    quotes_of: list
    margins: dict  # token -> the role model's content margin
    tags: Optional[list]
    cues: frozenset = frozenset()  # every cue head of the document


# ------------------------------------------------------------- candidates
def candidates(ctx: Context, a: int, b: int) -> list[tuple[int, int]]:
    """Token ranges [s, e] to choose among, the decoded [a, b] first: the
    starts and ends nearest to the decoded ones (every token close by, then
    only clause boundaries), paired nearest-first."""
    v = ctx.view
    starts, ends = {a}, {b}
    for k in range(max(ctx.lo, a - NEAR), min(ctx.hi, b + 1)):
        if _word(v, k) and (abs(k - a) <= CLOSE or k == ctx.lo or _boundary(ctx, k - 1)):
            starts.add(k)
    for k in range(max(ctx.lo, a), ctx.hi):
        if _word(v, k) and (abs(k - b) <= CLOSE or k + 1 >= ctx.hi or _boundary(ctx, k + 1)):
            ends.add(k)
    for child in ctx.doc[ctx.cue_i].children:
        if child.dep_ in COMPLEMENTS:
            starts.update((child.left_edge.i, child.i))
            ends.add(child.right_edge.i)
    starts_ = sorted(starts, key=lambda k: (abs(k - a), k))[:MAX_STARTS]
    ends_ = sorted(ends, key=lambda k: (abs(k - b), k))[:MAX_ENDS]
    pairs = [(i + j, s, e) for i, s in enumerate(starts_) for j, e in enumerate(ends_)
             if (s, e) != (a, b) and _allowed(ctx, s, e)]
    pairs.sort()
    return [(a, b)] + [(s, e) for _, s, e in pairs[:MAX_CANDIDATES - 1]]


def _boundary(ctx: Context, k: int) -> bool:
    """A token a content may start after or stop before."""
    v = ctx.view
    return k < ctx.lo or k >= ctx.hi or k in ctx.blocked or _opens_clause(v, k) or v.pos[k] == "PART"


def _word(v: DocView, k: int) -> bool:
    return not v.is_space[k] and v.text[k] not in EDGE_MARKS


def _opens_clause(v: DocView, k: int) -> bool:
    """A boundary where a content may stop: punctuation, a conjunction, a
    relative word, a preposition."""
    return v.is_punct[k] or v.pos[k] in ("CCONJ", "SCONJ", "ADP") or v.lower[k] in ("which", "who", "that", "while")


def _allowed(ctx: Context, s: int, e: int) -> bool:
    """Inside the line, free of blocked tokens, not cutting a quotation."""
    if not ctx.lo <= s <= e < ctx.hi or not _word(ctx.view, s) or not _word(ctx.view, e):
        return False
    if any(k in ctx.blocked for k in range(s, e + 1)):
        return False
    qs, qe = ctx.quotes_of[s], ctx.quotes_of[e]
    return (qs < 0 or ctx.view.text[s] in QUOTE_MARKS) and (qe < 0 or ctx.view.text[e] in QUOTE_MARKS)


# ------------------------------------------------------------- features
def _bucket(d: int) -> str:
    if abs(d) <= 2:
        return str(d)
    return ("+" if d > 0 else "-") + ("5" if abs(d) <= 5 else "far")


def _length(n: int) -> str:
    return "1" if n <= 1 else "3" if n <= 3 else "8" if n <= 8 else "20" if n <= 20 else "40" if n <= 40 else "long"


def _sum(values: dict, s: int, e: int) -> float:
    return sum(values.get(k, 0.0) for k in range(s, e + 1))


def _constituent(v: DocView, s: int, e: int) -> str:
    """How many words of [s, e] have their head outside it (1: a constituent)."""
    tops = sum(1 for k in range(s, e + 1) if not v.is_punct[k] and (not s <= v.head[k] <= e or v.head[k] == k))
    return str(min(tops, 3))


def features(ctx: Context, s: int, e: int, a: int, b: int) -> dict[str, float]:
    """Sparse features of candidate [s, e] against the decoded [a, b]."""
    v = ctx.view
    first, last = _neighbour(v, s), _neighbour(v, e)
    before, after = _neighbour(v, s - 1), _neighbour(v, e + 1)
    side = "L" if e < ctx.cue_i else "R"
    ds, de = _bucket(s - a), _bucket(e - b)
    sent_end = e + 1 >= ctx.hi or all(v.is_punct[k] or v.is_space[k] for k in range(e + 1, ctx.hi))
    f = {
        "dec": float((s, e) == (a, b)), f"ds={ds}": 1.0, f"de={de}": 1.0, f"dsde={ds}|{de}": 1.0,
        f"f={first}|{side}": 1.0, f"l={last}|{side}": 1.0, f"bf={before}|{first}|{side}": 1.0,
        f"la={last}|{after}|{side}": 1.0, f"fd={v.dep[s]}|{side}": 1.0, f"ld={v.dep[e]}|{side}": 1.0,
        f"dsf={ds}|{first}": 1.0, f"del={de}|{last}": 1.0, f"dsb={ds}|{before}": 1.0, f"dea={de}|{after}": 1.0,
        f"len={_length(e - s + 1)}": 1.0, f"con={_constituent(v, s, e)}": 1.0, f"se={sent_end}|{after}": 1.0,
        f"cue={_bucket(s - ctx.cue_i - 1) if side == 'R' else _bucket(ctx.cue_i - e - 1)}|{side}": 1.0,
        f"hc={v.head[s] == ctx.cue_i}|{v.dep[s]}": 1.0,
        f"cl={v.lemma[ctx.cue_i]}|{first}": 1.0,
    }
    f.update(_tree_features(ctx, s, e))
    gained = sum(1 for k in ctx.cues if s <= k <= e and not a <= k <= b)
    lost = sum(1 for k in ctx.cues if a <= k <= b and not s <= k <= e)
    if gained or lost:  # another cue taken in or let go: its attribution is at stake
        f[f"cues={min(gained, 2)}|{min(lost, 2)}"] = 1.0
    f.update(_margin_features("m", ctx.margins, s, e, a, b))
    if ctx.tags is not None:
        content = {k: ctx.tags[k][TAG_INDEX["content"]] for k in range(max(ctx.lo, min(s, a) - 1),
                                                                          min(ctx.hi, max(e, b) + 2))}
        f.update(_margin_features("t", content, s, e, a, b))
    return f


def _up(v: DocView, k: int, edge: list) -> int:
    """The highest node whose subtree has the same edge (left or right) as `k`."""
    node = k
    for _ in range(40):
        h = v.head[node]
        if h == node or edge[h] != edge[k]:
            break
        node = h
    return node


def _tree_features(ctx: Context, s: int, e: int) -> dict[str, float]:
    """Which constituents each boundary opens or closes, and how they hang
    from the cue ('asked Trump | if ...', 'accused Clinton of | ...',
    '... Lewinsky | , with whom ...')."""
    v, c = ctx.view, ctx.cue_i

    def rel(h: int) -> str:
        return "cue" if h == c else "in" if s <= h <= e else "kid" if v.head[h] == c else "out"

    def cmp(x: int, y: int) -> str:
        return "=" if x == y else "<" if x < y else ">"

    first, last = _up(v, s, v.left), _up(v, e, v.right)
    f = {f"sn={v.dep[first]}|{rel(v.head[first])}|{cmp(v.right[first], e)}": 1.0,
         f"en={v.dep[last]}|{rel(v.head[last])}|{cmp(v.left[last], s)}": 1.0,
         f"csn={v.lemma[c]}|{v.dep[first]}": 1.0}
    k = e + 1
    while k < ctx.hi and v.text[k] in EDGE_MARKS:
        k += 1
    if k < ctx.hi:
        nxt = _up(v, k, v.left)
        f[f"an={v.dep[nxt]}|{rel(v.head[nxt])}|{e + 1 < k}"] = 1.0
    if s - 1 >= ctx.lo:
        prev = _up(v, s - 1, v.right)
        f[f"bn={v.dep[prev]}|{rel(v.head[prev])}"] = 1.0
        f[f"cbn={v.lemma[c]}|{v.dep[prev]}|{rel(v.head[prev])}"] = 1.0
    return f


def _margin_features(name: str, values: dict, s: int, e: int, a: int, b: int) -> dict[str, float]:
    """Scores gained or lost against the decoded span, and at the edges."""
    def clip(x: float, c: float = 10.0) -> float:
        return max(-c, min(c, x)) / c

    gain = _sum(values, s, e) - _sum(values, a, b)
    return {f"{name}gain": clip(gain), f"{name}in_s": clip(values.get(s, 0.0), 5.0),
            f"{name}in_e": clip(values.get(e, 0.0), 5.0), f"{name}out_s": clip(values.get(s - 1, 0.0), 5.0),
            f"{name}out_e": clip(values.get(e + 1, 0.0), 5.0),
            f"{name}mean": clip(_sum(values, s, e) / (e - s + 1), 5.0)}


# ------------------------------------------------------------- model
@dataclass
class Reranker:
    """Linear weights over candidate features, per path (linear, tagger)."""

    weights: dict[str, dict[str, float]]
    threshold: dict[str, float]

    def choose(self, ctx: Context, a: int, b: int) -> tuple[int, int]:
        """The best candidate, or the decoded span unless beaten by the threshold."""
        path = "linear" if ctx.tags is None else "tagger"
        if path not in self.weights:
            return a, b
        cands = candidates(ctx, a, b)
        feats = [features(ctx, s, e, a, b) for s, e in cands]
        return cands[pick(self.weights[path], feats, self.threshold[path])]


def pick(weights: dict[str, float], feats: list[dict[str, float]], threshold: float = 0.0) -> int:
    """Index of the candidate a weight set chooses among a fragment's
    candidate features (the decoded span is the first): the best scoring,
    unless it beats the decoded span by no more than `threshold`."""
    scores = [sum(weights.get(k, 0.0) * x for k, x in f.items()) for f in feats]
    best = max(range(len(scores)), key=scores.__getitem__)
    return best if scores[best] > scores[0] + threshold else 0


@load_once
def load_reranker(path: str = str(RERANK_PATH)) -> Optional[Reranker]:
    """The shipped weights, or None (the decoded spans are then kept)."""
    data = read_json_gz(path)
    if data is None:
        return None
    return Reranker(weights=data["weights"], threshold=data["threshold"])


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


# ------------------------------------------------------------- training
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
    rows, cols, vals, y, starts = [], [], [], [], [0]
    for g in groups:
        for f, label in zip(g["feats"], g["y"]):
            r = len(y)
            for k, x in f.items():
                if k in index:
                    rows.append(r), cols.append(index[k]), vals.append(x)
            y.append(label)
        starts.append(len(y))
    x = csr_matrix((vals, (rows, cols)), shape=(len(y), len(names)))
    y = np.asarray(y, dtype=float)
    bounds = np.asarray(starts)
    group_of = np.repeat(np.arange(len(groups)), np.diff(bounds))
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
    from ...evaluate.quotes import doc_units
    from .spans import attribution_spans

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
    from .spans import tagger_logits

    cached = read_json_gz(cache) if cache else None
    if cached is not None:
        return cached
    tags = [tagger_logits(doc) for doc in parsed]
    if any(t is None for t in tags):
        return None
    if cache:
        write_json_gz(cache, [[[round(x, 3) for x in row] for row in t] for t in tags])
    return tags


def _upstream(docs, parsed, keep: list[int], path: Path):
    """Linear models fitted on the articles `keep` (cached at `path`)."""
    from .spans import load_model
    from .train import train_parsed

    if not path.exists():
        train_parsed([docs[i] for i in keep], [parsed[i] for i in keep], path)
    return load_model(str(path))


def train(path: str, out: Path = RERANK_PATH, parsed_cache: Optional[str] = None,
          tags_cache: Optional[str] = None, upstream_dir: Optional[str] = None) -> dict[str, Any]:
    """Fit both weight sets on fragments decoded the way unseen text is:
    articles 700-839 by linear models fitted on 0-699 (with and without the
    shipped tagger, which saw only 0-699), and, for more data, each fifth of
    0-699 by linear models fitted on the other four fifths (linear path
    only: the tagger saw those). The threshold per path is chosen by 5-fold
    CV over articles 700-839, the other fragments always in training."""
    import tempfile

    from ...datasets.polnear import read_polnear
    from .train import parse_articles

    docs = list(read_polnear(path))
    parsed = parse_articles(docs, parsed_cache)
    cache = Path(upstream_dir or tempfile.mkdtemp())
    cache.mkdir(parents=True, exist_ok=True)
    model = _upstream(docs, parsed, list(range(HELD_OUT)), cache / "model_0_699.json.gz")
    held_docs, held_parsed = docs[HELD_OUT:], parsed[HELD_OUT:]
    tags = _tagger_logits(held_parsed, tags_cache)
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
    write_json_gz(out, report)
    return {"path": str(out), "bytes": out.stat().st_size, "threshold": report["threshold"],
            "crossfit_fragments": len(crossfit), "cv": report["cv"]}


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="train the content-boundary reranker on PolNeAR train")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("path", help="PolNeAR train directory (text/ and attributions/)")
    t.add_argument("--out", default=str(RERANK_PATH))
    t.add_argument("--parsed", help="DocBin cache of the spaCy parses (written when missing)")
    t.add_argument("--tags", help="json.gz cache of the tagger's log-odds for articles 700-839")
    t.add_argument("--upstream", help="folder caching the linear models fitted on parts of 0-699")
    args = parser.parse_args(argv)
    print(json.dumps(train(args.path, Path(args.out), args.parsed, args.tags, args.upstream)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
