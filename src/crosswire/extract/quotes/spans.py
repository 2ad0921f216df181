"""Attribution spans (source, cue, content) from a spaCy parse.

Two small linear models trained on PolNeAR (see `train.py`) do the work:

1. the *cue model* scores every token as the head of an attribution cue
   ("said", "told", "according", "called", "thinks", ...), from its lemma,
   part of speech, dependency label, children and quotation context;
2. the *role model* labels each token of the cue's sentence as source, cue,
   content or none, from where it sits relative to the cue in the dependency
   tree (which branch of the cue it hangs from, left or right, inside the
   same quotation or not). Conventions such as "the cue keeps its auxiliary
   and 'also'" or "content keeps the complementiser 'that' and the closing
   quotation mark" are learned from the annotation, not hand-written.

Content and source are the best-scoring contiguous token ranges (maximum-sum
subarray of the role margins, snapped to a dependency constituent when that
costs little); a content span that touches a quotation is widened to the
whole quotation, across sentences and paragraphs. Scoring is plain dictionary look-ups over sparse features
(weights shipped in crosswire/data/quotes/), so it costs little beside the
parse itself.
"""
from __future__ import annotations

import functools
import gzip
import json
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ...config import DATA_DIR

MODEL_PATH = DATA_DIR / "quotes" / "attribution_model.json.gz"
ROLE_LABELS = ("none", "source", "cue", "content")
OPEN_QUOTES = {"“", "``", "‘‘"}
CLOSE_QUOTES = {"”", "''", "’’"}
STRAIGHT_QUOTES = {'"'}
CUE_THRESHOLD = 0.4  # tuned on a held-out part of PolNeAR train
CUE_POS = {"VERB", "AUX", "NOUN", "ADP", "ADJ", "PROPN"}


@dataclass
class SpanAttribution:
    """One predicted attribution: fragments per role, as (start, end) chars."""

    source: list[tuple[int, int]] = field(default_factory=list)
    cue: list[tuple[int, int]] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)
    cue_head: int = -1  # token index of the cue head
    score: float = 0.0
    direct: bool = False  # content is (or contains) a quotation


# ------------------------------------------------------------- quotations
def quote_regions(doc) -> list[tuple[int, int]]:
    """Token ranges [first, last] of quotations, quote marks included.

    Curly and PTB-style marks pair up open/close; straight double quotes
    toggle. A quotation left open at a paragraph break is closed there
    unless the next paragraph reopens it (the newspaper convention for
    quotes running over paragraphs)."""
    regions: list[tuple[int, int]] = []
    open_at: Optional[int] = None
    for tok in doc:
        text = tok.text
        if text in OPEN_QUOTES or (text in STRAIGHT_QUOTES and open_at is None):
            if open_at is None or not _paragraph_break_between(doc, open_at, tok.i):
                open_at = tok.i  # a fresh quotation (or a stray mark before it)
            continue  # else a continued quotation reopening its next paragraph
        if text in CLOSE_QUOTES or text in STRAIGHT_QUOTES:
            if open_at is not None:
                regions.append((open_at, tok.i))
                open_at = None
    return regions


def _paragraph_break_between(doc, first: int, last: int) -> bool:
    return any("\n" in doc[i].whitespace_ or doc[i].is_space and "\n" in doc[i].text
               for i in range(first, last))


def quote_index(doc, regions: list[tuple[int, int]]) -> list[int]:
    """For each token, the index of the quotation region it lies in, or -1."""
    inside = [-1] * len(doc)
    for r, (a, b) in enumerate(regions):
        for i in range(a, b + 1):
            inside[i] = r
    return inside


# ------------------------------------------------------------- features
def cue_features(tok, in_quote: int) -> list[str]:
    """Features of a token as a possible cue head."""
    lemma = tok.lemma_.lower()
    feats = [
        "b", f"l={lemma}", f"p={tok.pos_}", f"d={tok.dep_}", f"t={tok.tag_}",
        f"ld={lemma}|{tok.dep_}", f"lp={lemma}|{tok.pos_}",
        f"hl={tok.head.lemma_.lower()}", f"hd={tok.dep_}|{tok.head.pos_}",
        f"q={in_quote >= 0}", f"lq={lemma}|{in_quote >= 0}",
    ]
    doc = tok.doc
    prev_t = doc[tok.i - 1].lower_ if tok.i > 0 else "<s>"
    next_t = doc[tok.i + 1].lower_ if tok.i + 1 < len(doc) else "</s>"
    feats += [f"pw={prev_t}", f"nw={next_t}", f"lnw={lemma}|{next_t}"]
    for child in tok.children:
        feats.append(f"c={child.dep_}")
        feats.append(f"lc={lemma}|{child.dep_}")
        if child.dep_ in ("mark", "prep", "prt", "dobj"):
            feats.append(f"cl={child.dep_}|{child.lower_}")
        if child.text in OPEN_QUOTES or child.text in CLOSE_QUOTES or child.text in STRAIGHT_QUOTES:
            feats.append("cq")
    return feats


def _branch(tok, cue, limit: int = 40):
    """The child of `cue` whose subtree holds `tok` and the one below it
    (None when tok is not under the cue)."""
    below = None
    node = tok
    for _ in range(limit):
        if node.head.i == cue.i and node.i != cue.i:
            return node, below
        if node.head.i == node.i:
            return None, None
        below = node
        node = node.head
    return None, None


def role_features(tok, cue, quotes_of: list[int]) -> list[str]:
    """Features of a token for its role relative to a cue head."""
    side = "L" if tok.i < cue.i else "R"
    cue_key = f"{cue.lemma_.lower()}"
    tq, cq = quotes_of[tok.i], quotes_of[cue.i]
    quote_rel = "none" if tq < 0 else ("same" if tq == cq else "other")
    is_qmark = tok.text in OPEN_QUOTES or tok.text in CLOSE_QUOTES or tok.text in STRAIGHT_QUOTES
    if tok.i == cue.i:
        rel = "SELF"
        sub = ""
    else:
        branch, below = _branch(tok, cue)
        if branch is not None:
            rel = f"B:{branch.dep_}"
            sub = "=" if branch.i == tok.i else f">{below.dep_ if below is not None and below.i != tok.i else tok.dep_}"
            if below is not None and below.i != tok.i:
                sub += "+"
        else:
            anc = cue.head
            if tok.i == anc.i:
                rel, sub = f"H:{cue.dep_}", ""
            else:
                b2, _ = _branch(tok, anc)
                if b2 is not None:
                    rel, sub = f"S:{cue.dep_}:{b2.dep_}", ("=" if b2.i == tok.i else ">")
                elif any(a.i == tok.i for a in cue.ancestors):
                    rel, sub = "A", ""
                else:
                    rel, sub = "F", ""
    dist = abs(tok.i - cue.i)
    dbin = "1" if dist <= 1 else "3" if dist <= 3 else "8" if dist <= 8 else "20" if dist <= 20 else "far"
    feats = [
        "b", f"r={rel}", f"rs={rel}{sub}", f"rside={rel}|{side}", f"rsd={rel}{sub}|{side}|{tok.dep_}",
        f"rp={rel}|{tok.pos_}", f"rc={rel}|{cue_key}", f"rcd={rel}|{cue.dep_}",
        f"rq={rel}|{quote_rel}", f"q={quote_rel}|{side}", f"qm={is_qmark}|{side}|{quote_rel}",
        f"td={tok.dep_}|{side}", f"tl={tok.lower_}|{rel}", f"dist={dbin}|{side}",
        f"punct={tok.is_punct}|{rel}{sub}", f"cd={cue.dep_}|{side}",
    ]
    if is_qmark:
        feats.append(f"qmr={rel}{sub}|{side}")
    feats += _edge_features(tok, cue, rel, side)
    return feats


def _edge_features(tok, cue, rel: str, side: str) -> list[str]:
    """Where constituents start and end: the conventions of the annotation
    ('that' and 'to' open a content, a closing mark ends it) live at the
    edges of the cue's branches."""
    feats = []
    if rel.startswith("B:"):
        branch, _ = _branch(tok, cue)
        if branch is not None:
            feats.append(f"bl={rel}|{branch.lemma_.lower()}")
            if tok.i == branch.left_edge.i:
                feats.append(f"le={rel}|{tok.lower_}")
            if tok.i == branch.right_edge.i:
                feats.append(f"re={rel}|{tok.lower_ if tok.is_punct else tok.pos_}")
    cue_deps = {c.dep_ for c in cue.children}
    for d in ("ccomp", "dobj", "xcomp", "prep"):
        if d in cue_deps:
            feats.append(f"ch={rel}|{d}")
    return feats


# ------------------------------------------------------------- model
@dataclass
class LinearModel:
    """Sparse linear model: feature -> weights per class, plus biases."""

    classes: list[str]
    weights: dict[str, list[float]]
    bias: list[float]

    def scores(self, feats: Iterable[str]) -> list[float]:
        w = self.weights
        rows = [row for row in map(w.get, feats) if row is not None]
        if len(self.bias) == 1:
            return [self.bias[0] + sum(row[0] for row in rows)]
        return [b + sum(col) for b, col in zip(self.bias, zip(*rows))] if rows else list(self.bias)

    def weight(self, feature: str) -> float:
        row = self.weights.get(feature)
        return row[0] if row else 0.0


@dataclass
class AttributionModel:
    cue: LinearModel
    role: LinearModel


@functools.lru_cache(maxsize=2)
def load_model(path: str = str(MODEL_PATH)) -> Optional[AttributionModel]:
    """The shipped weights, or None when they have not been trained yet."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return None
    return AttributionModel(cue=LinearModel(**data["cue"]), role=LinearModel(**data["role"]))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


# ------------------------------------------------------------- decoding
def cue_heads(doc, model: AttributionModel, quotes_of: list[int]) -> list[tuple[int, float]]:
    """Tokens the cue model takes as cue heads, with their probability."""
    out = []
    for tok in doc:
        pos = tok.pos_
        if pos not in CUE_POS and tok.text != ":":
            continue
        if pos not in ("VERB", "AUX") and model.cue.weight(f"l={tok.lemma_.lower()}") <= 0:
            continue  # a noun or preposition is a cue only when its word is ("statement", "according")
        p = _sigmoid(model.cue.scores(cue_features(tok, quotes_of[tok.i]))[0])
        if p >= CUE_THRESHOLD:
            out.append((tok.i, p))
    return out


def _runs(indices: list[int], barriers: set[int] = frozenset()) -> list[tuple[int, int]]:
    """Runs of a role's tokens, bridging gaps of unlabelled tokens and
    breaking only at tokens of another role (the cue or source that
    interrupts a quotation): per-token labels are noisy inside a clause."""
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and not any(j in barriers for j in range(runs[-1][1] + 1, i)):
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _char_span(doc, first: int, last: int) -> tuple[int, int]:
    return doc[first].idx, doc[last].idx + len(doc[last].text)


def label_roles(doc, cue_i: int, model: AttributionModel, quotes_of: list[int],
                taken: set[int]) -> dict[str, list[int]]:
    """Token indices per role for one cue, within the cue's sentence."""
    cue = doc[cue_i]
    sent = cue.sent
    roles: dict[str, list[int]] = {"source": [], "cue": [cue_i], "content": []}
    lo, hi = _line_bounds(doc, sent, cue_i)
    classes = model.role.classes
    margins: dict[str, dict[int, float]] = {"source": {}, "content": {}}
    for tok in doc[lo:hi]:
        if tok.i == cue_i or tok.is_space or tok.i in taken:
            continue
        s = model.role.scores(role_features(tok, cue, quotes_of))
        best = max(range(len(s)), key=s.__getitem__)
        label = classes[best]
        if label != "none":
            roles[label].append(tok.i)
        for role in ("source", "content"):
            k = classes.index(role)
            margins[role][tok.i] = s[k] - max(v for j, v in enumerate(s) if j != k)
    roles["_lo"], roles["_hi"] = [lo], [hi]  # type: ignore[assignment]
    roles["_margins"] = margins  # type: ignore[assignment]
    return roles


def _kadane(margins: dict[int, float], lo: int, hi: int, blocked: set[int]) -> tuple[float, int, int]:
    """The contiguous token range in [lo, hi) with the largest summed margin,
    never crossing a blocked token (the cue, another role's span)."""
    best = (0.0, -1, -1)
    total, start = 0.0, lo
    for i in range(lo, hi):
        if i in blocked:
            total, start = 0.0, i + 1
            continue
        m = margins.get(i, 0.0)
        if total <= 0:
            total, start = m, i
        else:
            total += m
        if total > best[0]:
            best = (total, start, i)
    return best


def _line_bounds(doc, sent, cue_i: int) -> tuple[int, int]:
    """The part of the cue's sentence on the cue's own line: a heading the
    parser glued to the next line is not part of the attribution."""
    lo, hi = sent.start, sent.end
    for i in range(cue_i - 1, sent.start - 1, -1):
        if "\n" in doc[i].whitespace_ or (doc[i].is_space and "\n" in doc[i].text):
            lo = i + 1
            break
    for i in range(cue_i, sent.end):
        if "\n" in doc[i].whitespace_ or (doc[i].is_space and "\n" in doc[i].text):
            hi = i + 1
            break
    return lo, hi


SECOND_CONTENT_MIN = 2.0  # summed margin a second (interrupted) content fragment needs


SNAP_SLACK = 2.0  # how much margin a constituent boundary may cost


def _snap_to_constituent(doc, margins: dict[int, float], a: int, b: int, score: float, lo: int, hi: int,
                         blocked: set[int]) -> tuple[int, int]:
    """Prefer a dependency subtree (a constituent) whose summed margin is
    within SNAP_SLACK of the best free range: annotators mark constituents,
    per-token scores are noisy at the edges."""
    best = None
    for i in range(a, b + 1):
        tok = doc[i]
        x, y = tok.left_edge.i, tok.right_edge.i
        while y > x and doc[y].is_punct and doc[y].text not in CLOSE_QUOTES | STRAIGHT_QUOTES:
            y -= 1
        if x < lo or y >= hi or any(j in blocked for j in range(x, y + 1)):
            continue
        total = sum(margins.get(j, 0.0) for j in range(x, y + 1))
        if total >= score - SNAP_SLACK and (best is None or total > best[0]):
            best = (total, x, y)
    return (best[1], best[2]) if best else (a, b)


def _decode(roles: dict, cue_i: int, doc=None) -> dict[str, list[tuple[int, int]]]:
    """Spans per role: the cue's own run of cue tokens; content and source
    as the best-scoring contiguous ranges (maximum-sum subarray of the
    role margins), content first, source never overlapping it."""
    lo, hi, margins = roles["_lo"][0], roles["_hi"][0], roles["_margins"]
    cue_runs = _runs(sorted(roles["cue"]), set(roles["source"]) | set(roles["content"]))
    cue_runs = [r for r in cue_runs if r[0] <= cue_i <= r[1]] + \
        [r for r in cue_runs if not r[0] <= cue_i <= r[1]][:1]
    blocked = {i for a, b in cue_runs for i in range(a, b + 1)}
    content = []
    score, a, b = _kadane(margins["content"], lo, hi, blocked)
    if a >= 0 and doc is not None and SNAP_SLACK > 0:
        a, b = _snap_to_constituent(doc, margins["content"], a, b, score, lo, hi, blocked)
    if a >= 0:
        content.append((a, b))
        left = _kadane(margins["content"], lo, a, blocked)
        right = _kadane(margins["content"], b + 1, hi, blocked)
        extra = max(left, right)
        if extra[0] >= SECOND_CONTENT_MIN and extra[1] >= 0:
            between = range(min(b, extra[2]) + 1, max(a, extra[1]))
            if any(i in blocked or i in roles["source"] for i in between):
                content.append((extra[1], extra[2]))
    blocked |= {i for x, y in content for i in range(x, y + 1)}
    score, a, b = _kadane(margins["source"], lo, hi, blocked)
    source = [(a, b)] if a >= 0 else []
    return {"cue": cue_runs, "source": source, "content": sorted(content)}


def _trim(doc, first: int, last: int) -> Optional[tuple[int, int]]:
    """Drop leading/trailing commas and spaces a run picked up."""
    while first <= last and (doc[first].is_space or doc[first].text in {",", "—", "-", "--"}):
        first += 1
    while last >= first and (doc[last].is_space or doc[last].text in {",", "—", "-", "--"}):
        last -= 1
    return (first, last) if first <= last else None


def _widen_to_quote(doc, first: int, last: int, regions: list[tuple[int, int]],
                    quotes_of: list[int], cue_i: int) -> tuple[int, int, bool]:
    """A content run touching a quotation takes the whole quotation (when
    the cue is outside it), across sentences."""
    direct = False
    for i in (first, last):
        r = quotes_of[i]
        if r >= 0 and quotes_of[cue_i] != r:
            a, b = regions[r]
            first, last, direct = min(first, a), max(last, b), True
    return first, last, direct


def _trailing_cue_fallback(doc, att: SpanAttribution, cue_i: int, taken: set[int], used: set[int]) -> None:
    """"<claim>, the officials confirmed on Tuesday.": a cue hanging off the
    end of the clause it reports (advcl/parataxis of it) takes that clause
    as content and its own subject as source, when the role model found no
    content (long claims dilute its scores)."""
    cue = doc[cue_i]
    head = cue.head
    if cue.dep_ not in ("advcl", "parataxis") or head.i >= cue.i:
        return
    subjects = [c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subjects:
        return
    line_start, _ = _line_bounds(doc, cue.sent, cue_i)
    first, last = max(head.left_edge.i, line_start), cue.left_edge.i - 1
    trimmed = _trim(doc, first, last)
    if trimmed is None or any(i in taken for i in range(trimmed[0], trimmed[1] + 1)):
        return
    subj = subjects[0]
    att.content = [_char_span(doc, *trimmed)]
    att.source = [_char_span(doc, subj.left_edge.i, subj.right_edge.i)]
    used.update(range(trimmed[0], trimmed[1] + 1))


def attribution_spans(doc, model: Optional[AttributionModel] = None) -> list[SpanAttribution]:
    """All attributions in a parsed document (empty when no model is shipped)."""
    model = model or load_model()
    if model is None:
        return []
    regions = quote_regions(doc)
    quotes_of = quote_index(doc, regions)
    heads = cue_heads(doc, model, quotes_of)
    taken: set[int] = set()
    out: list[SpanAttribution] = []
    # Cues outside quotations first: a "confirm" inside a quoted sentence is
    # part of the content, not an attribution of its own.
    for cue_i, p in sorted(heads, key=lambda h: (quotes_of[h[0]] >= 0, -h[1])):
        if cue_i in taken:
            continue
        roles = label_roles(doc, cue_i, model, quotes_of, taken)
        att = SpanAttribution(cue_head=cue_i, score=p)
        used: set[int] = set()
        role_runs = _decode(roles, cue_i, doc)
        for role in ("cue", "source", "content"):
            for first, last in role_runs[role]:
                trimmed = _trim(doc, first, last)
                if trimmed is None:
                    continue
                first, last = trimmed
                if role == "content":
                    first, last, direct = _widen_to_quote(doc, first, last, regions, quotes_of, cue_i)
                    att.direct = att.direct or direct
                    if not direct and last > first and doc[last].text in {".", ";"}:
                        last -= 1  # reported content stops before the sentence's full stop
                getattr(att, role).append(_char_span(doc, first, last))
                used.update(range(first, last + 1))
        if not att.content:
            _trailing_cue_fallback(doc, att, cue_i, taken, used)
        if not att.content:
            continue
        taken.update(used)
        out.append(att)
    out.sort(key=lambda a: a.cue[0] if a.cue else (0, 0))
    return out
