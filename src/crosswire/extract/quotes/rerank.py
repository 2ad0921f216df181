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
fitted on the rest of 0-699; `python -m crosswire.training.quotes_rerank`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ...config import DATA_DIR
from ...loading import load_once, read_json_gz
from .view import QUOTE_MARKS, TAG_INDEX, DocView, neighbour

RERANK_PATH = DATA_DIR / "quotes" / "content_rerank.json.gz"
MAX_CANDIDATES = 40
NEAR = 25  # how far (tokens) before the decoded start a start is tried
CLOSE = 1  # every token this close to a decoded boundary is tried as one
MAX_STARTS, MAX_ENDS = 12, 14
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
    first, last = neighbour(v, s), neighbour(v, e)
    before, after = neighbour(v, s - 1), neighbour(v, e + 1)
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
