"""Attribution spans (source, cue, content) from a spaCy parse.

Two small linear models trained on PolNeAR (crosswire.training.quotes_spans) do the work:

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
whole quotation, across sentences and paragraphs. Conventions of the
annotation applied after decoding (measured on train): a source keeps the
comma closing an apposition inside it; a quotation that follows a direct
quote's attribution without a cue of its own is a second content fragment
of it; the preposition between cue and content goes to the cue; a reported
content stops before a comma opening a trailing relative clause, at a
quotation followed only by a noun phrase glossing it, and before a dangling
', saying'; a quotation signed with a dash and a name is attributed to that
name; a quotation the parser split off from its cue's sentence ('"...?" Beck
asked.') is that cue's content; a reported content stops before ', adding
...' when the participle is a cue of its own.
Scoring is plain dictionary look-ups over sparse features (weights shipped
in crosswire/data/quotes/), so it costs little beside the parse itself.

When the contextual tagger (tagger.py: fine-tuned MiniLM, per-token source /
cue / content / cue-head log-odds) is available, its log-odds enter both
models' scores (`Blend`); the decoding above is unchanged. Without it (no
torch, no base model, no adapter) the linear models work alone.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Optional

from ...config import DATA_DIR
from ...loading import load_once, read_json_gz
from .rerank import Context, load_reranker
from .view import CLOSE_QUOTES, CUE_HEAD, OPEN_QUOTES, QUOTE_MARKS, STRAIGHT_QUOTES, TAG_INDEX, DocView, neighbour

MODEL_PATH = DATA_DIR / "quotes" / "attribution_model.json.gz"
ROLE_LABELS = ("none", "source", "cue", "content")
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
    last_token: int = -1  # the attribution's last token, where a continuing quotation may follow


# ------------------------------------------------------------- quotations
AMBIGUOUS_QUOTES = {'"', "''"}  # the same mark opens and closes (straight, or PTB/NYT-style '')


def quote_regions(doc) -> list[tuple[int, int]]:
    """Token ranges [first, last] of quotations, quote marks included.

    Curly and `` marks open, curly marks close; a straight '"' or a doubled
    "''" (the New York Times writes ''...'' for both ends) opens when it
    sits before a word and closes when it sits after one, and toggles when
    spacing does not tell. A quotation left open at a paragraph break
    continues when the next paragraph reopens it with a mark of the same
    kind (the newspaper convention for quotes running over paragraphs) and
    is closed at the break otherwise."""
    regions: list[tuple[int, int]] = []
    open_at: Optional[int] = None
    last_word = -1  # the last non-space token seen
    for tok in doc:
        if tok.is_space:
            continue
        starts_paragraph = last_word >= 0 and _newline_after(doc[last_word]) or \
            last_word >= 0 and any(doc[k].is_space and "\n" in doc[k].text for k in range(last_word + 1, tok.i))
        role = _mark_role(doc, tok)
        if open_at is not None and starts_paragraph:
            if role in ("open", "either") and _same_kind(doc[open_at].text, tok.text):
                last_word = tok.i
                continue  # the quotation reopens its next paragraph: it goes on
            regions.append((open_at, last_word))  # left open: it ends with its paragraph
            open_at = None
        if role == "open" or (role == "either" and open_at is None):
            open_at = tok.i  # a fresh quotation (a stray mark before it is dropped)
        elif role in ("close", "either") and open_at is not None:
            regions.append((open_at, tok.i))
            open_at = None
        last_word = tok.i
    return regions


def _mark_role(doc, tok) -> Optional[str]:
    """'open', 'close' or 'either' for a quotation mark; None for any other token."""
    text = tok.text
    if text in OPEN_QUOTES:
        return "open"
    if text in CLOSE_QUOTES and text not in AMBIGUOUS_QUOTES:
        return "close"
    if text not in AMBIGUOUS_QUOTES:
        return None
    i = tok.i
    space_before = i == 0 or bool(doc[i - 1].whitespace_) or doc[i - 1].is_space
    space_after = bool(tok.whitespace_) or i + 1 >= len(doc) or doc[i + 1].is_space or \
        (doc[i + 1].is_punct and doc[i + 1].text not in OPEN_QUOTES)
    if space_before and not space_after:
        return "open"
    if space_after and not space_before:
        return "close"
    return "either"


def _same_kind(opener: str, mark: str) -> bool:
    """Curly with curly, straight or doubled with straight or doubled."""
    return (opener in AMBIGUOUS_QUOTES) == (mark in AMBIGUOUS_QUOTES)


def _newline_after(tok) -> bool:
    return "\n" in tok.whitespace_


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


def _branch(v: DocView, t: int, c: int, limit: int = 40) -> tuple[int, int]:
    """The child of cue `c` whose subtree holds token `t`, and the node below
    it on the path (-1 when none / when t is not under the cue)."""
    below = -1
    node = t
    head = v.head
    for _ in range(limit):
        if head[node] == c and node != c:
            return node, below
        if head[node] == node:
            return -1, -1
        below = node
        node = head[node]
    return -1, -1


CLAUSE_DEPS = {"relcl", "acl", "advcl", "appos", "conj", "parataxis", "ccomp", "xcomp", "pcomp", "npadvmod"}


def _clause_below_branch(v: DocView, t: int, branch: int, limit: int = 40) -> str:
    """The nearest clause-like relation on the way up from `t` to the cue's
    branch ("relcl" for a word of ', which expires ...' hanging off the
    content): where PolNeAR ends a content depends on it."""
    node = t
    for _ in range(limit):
        if node == branch or v.head[node] == node:
            return "-"
        if v.dep[node] in CLAUSE_DEPS:
            return v.dep[node]
        node = v.head[node]
    return "-"


def _commas_between(v: DocView, t: int, c: int) -> str:
    """How many commas separate `t` from the cue (0, 1, 2+)."""
    a, b = (t, c) if t < c else (c, t)
    k = v.commas_before[b] - v.commas_before[a + 1]
    return str(min(k, 2))


def _is_ancestor(v: DocView, t: int, c: int, limit: int = 40) -> bool:
    node = c
    for _ in range(limit):
        if v.head[node] == node:
            return False
        node = v.head[node]
        if node == t:
            return True
    return False


def role_features(v: DocView, t: int, c: int, quotes_of: list[int]) -> list[str]:
    """Features of token `t` for its role relative to cue head `c`."""
    side = "L" if t < c else "R"
    tq, cq = quotes_of[t], quotes_of[c]
    quote_rel = "none" if tq < 0 else ("same" if tq == cq else "other")
    text = v.text[t]
    is_qmark = text in OPEN_QUOTES or text in CLOSE_QUOTES or text in STRAIGHT_QUOTES
    tdep, cdep = v.dep[t], v.dep[c]
    branch = -1
    if t == c:
        rel, sub = "SELF", ""
    else:
        branch, below = _branch(v, t, c)
        if branch >= 0:
            rel = f"B:{v.dep[branch]}"
            deeper = below >= 0 and below != t
            sub = "=" if branch == t else f">{v.dep[below] if deeper else tdep}"
            if deeper:
                sub += "+"
        else:
            anc = v.head[c]
            if t == anc:
                rel, sub = f"H:{cdep}", ""
            else:
                b2, _ = _branch(v, t, anc)
                if b2 >= 0:
                    rel, sub = f"S:{cdep}:{v.dep[b2]}", ("=" if b2 == t else ">")
                elif _is_ancestor(v, t, c):
                    rel, sub = "A", ""
                else:
                    rel, sub = "F", ""
    dist = abs(t - c)
    dbin = "1" if dist <= 1 else "3" if dist <= 3 else "8" if dist <= 8 else "20" if dist <= 20 else "far"
    is_punct = v.is_punct[t]
    feats = [
        "b", f"r={rel}", f"rs={rel}{sub}", f"rside={rel}|{side}", f"rsd={rel}{sub}|{side}|{tdep}",
        f"rp={rel}|{v.pos[t]}", f"rc={rel}|{v.lemma[c]}", f"rcd={rel}|{cdep}",
        f"rq={rel}|{quote_rel}", f"q={quote_rel}|{side}", f"qm={is_qmark}|{side}|{quote_rel}",
        f"td={tdep}|{side}", f"tl={v.lower[t]}|{rel}", f"dist={dbin}|{side}",
        f"punct={is_punct}|{rel}{sub}", f"cd={cdep}|{side}",
        f"cm={rel}|{_commas_between(v, t, c)}|{side}",
    ]
    if is_qmark:
        feats.append(f"qmr={rel}{sub}|{side}")
    # Edges of the cue's branches carry the annotation's conventions ('that'
    # and 'to' open a content, a closing mark ends it).
    if branch >= 0:
        feats.append(f"bl={rel}|{v.lemma[branch]}")
        clause = _clause_below_branch(v, t, branch)
        feats.append(f"cb={rel}|{clause}|{side}")
        feats.append(f"cbm={rel}|{clause}|{_commas_between(v, t, c)}|{side}")
        if t == v.left[branch]:
            feats.append(f"le={rel}|{v.lower[t]}")
        if t == v.right[branch]:
            feats.append(f"re={rel}|{v.lower[t] if is_punct else v.pos[t]}")
    a, b = (t, c) if t < c else (c, t)
    marks = min(v.marks_before[b] - v.marks_before[a + 1], 2)
    feats.append(f"mb={rel}|{marks}|{side}|{quote_rel}")
    if v.in_parens[t]:
        feats.append(f"par={rel}|{side}")
    prev_t, next_t = neighbour(v, t - 1), neighbour(v, t + 1)
    feats.append(f"nb={rel}|{prev_t}|{next_t}|{side}")
    feats.append(f"tri={prev_t}|{neighbour(v, t)}|{next_t}|{side}|{quote_rel}")
    cue_deps = v.child_deps[c]
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


@load_once
def load_model(path: str = str(MODEL_PATH)) -> Optional[AttributionModel]:
    """The shipped weights, or None when they have not been trained yet."""
    data = read_json_gz(path)
    if data is None:
        return None
    return AttributionModel(cue=LinearModel(**data["cue"]), role=LinearModel(**data["role"]))


@dataclass(frozen=True)
class Blend:
    """How the contextual tagger's log-odds (tagger.py) enter the decoding;
    chosen on held-out PolNeAR train (articles 700-839), not on dev."""

    cue: float = 0.6  # share of the tagger's cue-head logit in the cue score
    gate: float = 1.0  # tagger cue-head logit that admits a word the linear gate leaves out
    threshold: float = 0.35  # cue probability of the mixed score
    source: float = 0.5  # weight of the tagger's source log-odds on the source score
    cue_role: float = 0.5  # ... of its cue log-odds on the cue score of the role model
    content: float = 1.0  # ... of its content log-odds on the content score


BLEND = Blend()


def tagger_logits(doc) -> Optional[list[list[float]]]:
    """The tagger's per-token log-odds (source, cue, content, cue head), or
    None when it is not available (the linear path then works alone)."""
    from . import tagger as tagger_module

    tagger = tagger_module.load_tagger(str(tagger_module.ADAPTER_PATH))
    return tagger.token_logits(doc) if tagger is not None else None


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


# ------------------------------------------------------------- decoding
def cue_heads(doc, model: AttributionModel, quotes_of: list[int], tags: Optional[list[list[float]]] = None,
              blend: Optional["Blend"] = None) -> list[tuple[int, float]]:
    """Tokens the cue model takes as cue heads, with their probability. With
    the tagger's log-odds (`tags`), the score mixes the linear cue logit with
    the tagger's cue-head logit, and a word the linear gate leaves out (a noun
    or preposition whose word weighs nothing) passes when the tagger is sure."""
    blend = blend or BLEND
    out = []
    for tok in doc:
        pos = tok.pos_
        tag = tags[tok.i][CUE_HEAD] if tags is not None else None
        sure = tag is not None and tag >= blend.gate
        if pos not in CUE_POS and tok.text != ":" and not sure:
            continue
        if pos not in ("VERB", "AUX") and model.cue.weight(f"l={tok.lemma_.lower()}") <= 0 and not sure:
            continue  # a noun or preposition is a cue only when its word is ("statement", "according")
        z = model.cue.scores(cue_features(tok, quotes_of[tok.i]))[0]
        if tag is not None:
            z = (1.0 - blend.cue) * z + blend.cue * tag
        p = _sigmoid(z)
        if p >= (CUE_THRESHOLD if tag is None else blend.threshold):
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


@dataclass
class RoleLabels:
    """One cue's token labels: the tokens whose best role is source, cue or
    content (argmax), each token's source and content margin (its role's
    score over the best other), and the token range [lo, hi) they were read
    in (the cue's sentence, on the cue's line)."""

    lo: int
    hi: int
    tokens: dict[str, list[int]]
    margins: dict[str, dict[int, float]]


def label_roles(v: DocView, cue_i: int, model: AttributionModel, quotes_of: list[int],
                taken: set[int], tags: Optional[list[list[float]]] = None,
                blend: Optional["Blend"] = None) -> RoleLabels:
    """Role labels and margins for one cue within its sentence and line. The
    tagger's log-odds of a role (`tags`), weighted, add to that role's linear
    score: the tagger sees the passage, the linear model the path to this cue."""
    blend = blend or BLEND
    roles: dict[str, list[int]] = {"source": [], "cue": [cue_i], "content": []}
    lo, hi = _line_bounds(v, cue_i)
    classes = model.role.classes
    k_source, k_content = classes.index("source"), classes.index("content")
    shifts = [(classes.index(role), w, TAG_INDEX[role]) for role, w in
              (("source", blend.source), ("cue", blend.cue_role), ("content", blend.content)) if w]
    margins: dict[str, dict[int, float]] = {"source": {}, "content": {}}
    for t in range(lo, hi):
        if t == cue_i or v.is_space[t] or t in taken:
            continue
        s = model.role.scores(role_features(v, t, cue_i, quotes_of))
        if tags is not None and shifts:
            s = list(s)
            for k, w, j in shifts:
                s[k] += w * tags[t][j]
        best = max(range(len(s)), key=s.__getitem__)
        label = classes[best]
        if label != "none":
            roles[label].append(t)
        for role, k in (("source", k_source), ("content", k_content)):
            margins[role][t] = s[k] - max(x for j, x in enumerate(s) if j != k)
    return RoleLabels(lo, hi, roles, margins)


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


def _line_bounds(v: DocView, cue_i: int) -> tuple[int, int]:
    """The part of the cue's sentence on the cue's own line: a heading the
    parser glued to the next line is not part of the attribution."""
    lo, hi = v.sent_start[cue_i], v.sent_end[cue_i]
    for k in range(cue_i - 1, lo - 1, -1):
        if v.newline_after[k]:
            lo = k + 1
            break
    for k in range(cue_i, hi):
        if v.newline_after[k]:
            hi = k + 1
            break
    return lo, hi


SECOND_CONTENT_MIN = 4.0  # summed margin a second (interrupted) content fragment needs (held-out train)
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


def _decode(labels: RoleLabels, cue_i: int, doc=None) -> dict[str, list[tuple[int, int]]]:
    """Spans per role: the cue's own run of cue tokens; content and source
    as the best-scoring contiguous ranges (maximum-sum subarray of the
    role margins), content first, source never overlapping it."""
    lo, hi, margins, roles = labels.lo, labels.hi, labels.margins, labels.tokens
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


CUE_PREPOSITIONS = {"about", "of", "for", "on", "with", "at", "against", "over", "to", "by", "from", "into", "in",
                    "as", "like", "toward", "towards", "upon", "behind", "out", "up", "off", "down", "through"}


def _preposition_to_cue(doc, runs: dict[str, list[tuple[int, int]]], cue_i: int) -> None:
    """'voiced displeasure with | some of Trump's proposals', 'took aim at |
    comments by ...': PolNeAR puts the preposition between a cue and its
    content in the cue (on train: 'about' 480 times in the cue, 75 in the
    content; 'of' 441/38, 'for' 413/74, 'against' 108/3), so a content that
    opens with the cue's preposition hands it over."""
    cue_runs = runs["cue"]
    own = next((k for k, (a, b) in enumerate(cue_runs) if a <= cue_i <= b), None)
    if own is None:
        return
    cue_first, cue_last = cue_runs[own]
    for k, (first, last) in enumerate(runs["content"]):
        tok = doc[first]
        gap = range(cue_last + 1, first)
        if first >= last or tok.pos_ != "ADP" or tok.lower_ not in CUE_PREPOSITIONS or \
                not all(doc[i].is_space for i in gap) or not _attached_to(tok, cue_first, cue_last):
            continue
        runs["content"][k] = (first + 1, last)
        cue_runs[own] = (cue_first, first)


def _attached_to(tok, first: int, last: int) -> bool:
    """The preposition hangs off the cue span (a word of it is its head)."""
    return first <= tok.head.i <= last


TRAILING_CLAUSES = {"relcl", "acl"}


def _cut_trailing_clause(doc, first: int, last: int, cue_i: int) -> tuple[int, int]:
    """'... a renewal of the Iran Sanctions Act, which expires at the end of
    the year': a reported content stops before a comma that opens a relative
    (or participial) clause running to its end (on train gold leaves ', which'
    out 146 times and keeps it 90; measured on held-out train, content exact
    F1 +0.003). Quotations are kept whole."""
    if first <= cue_i <= last or any(doc[i].text in QUOTE_MARKS for i in range(first, last + 1)):
        return first, last
    end = last
    while end > first and doc[end].is_punct:
        end -= 1
    for i in range(first + 1, end):
        if doc[i].text != ",":
            continue
        clause = _top_after(doc, i + 1, i, end)
        if clause.dep_ in TRAILING_CLAUSES and clause.right_edge.i >= end and clause.head.i < i:
            return first, i - 1
    return first, last


def _cut_trailing_participle(doc, first: int, last: int, cue_i: int) -> tuple[int, int]:
    """'... would do the same as president, saying': a reported content
    that ends in a comma and a lone participle (the start of a clause that
    another attribution, or the line's end, took away) stops before the
    comma (rare: one more exact content on held-out train, one on dev)."""
    if first <= cue_i <= last or any(doc[i].text in QUOTE_MARKS for i in range(first, last + 1)):
        return first, last
    end = last
    while end > first and doc[end].is_punct:
        end -= 1
    if end - 1 > first and doc[end - 1].text == "," and doc[end].tag_ == "VBG":
        return first, end - 2
    return first, last


NOUN_PHRASE_OPENERS = {"DET", "NOUN", "ADJ", "PROPN"}


def _stop_after_quotation(doc, first: int, last: int, cue_i: int) -> tuple[int, int]:
    """'... that would touch the JCPOA," a formal acronym for the deal': a
    reported content whose quotation closes on a comma and is followed only
    by a noun phrase explaining the quoted words stops at the closing mark
    (PolNeAR leaves the gloss out)."""
    if first <= cue_i <= last:
        return first, last
    for i in range(first + 1, last):
        if doc[i].text not in CLOSE_QUOTES | STRAIGHT_QUOTES or doc[i - 1].text != "," or \
                _mark_role(doc, doc[i]) == "open":
            continue
        rest = doc[i + 1:last + 1]
        if doc[i + 1].pos_ in NOUN_PHRASE_OPENERS and _is_noun_phrase(rest):
            return first, i
    return first, last


def _is_noun_phrase(span) -> bool:
    """The span's top words (those whose head lies outside it) are nominal:
    a gloss ('a phrase she has used before'), not a clause of its own."""
    tops = [t for t in span if not span.start <= t.head.i < span.end and not t.is_punct]
    return bool(tops) and all(t.pos_ in ("NOUN", "PROPN") and t.dep_ not in ("nsubj", "nsubjpass", "ROOT")
                              for t in tops)


def _stop_before_participle_cue(doc, first: int, last: int, cue_i: int, cue_set: frozenset) -> tuple[int, int]:
    """'Trump said the deal was bad, adding, "We will fix it."': a reported
    content stops before a comma that opens a participle which is a cue
    itself, hanging off the cue or (as the parser often has it) off the
    content's verb; that cue reports its own content."""
    if first <= cue_i <= last:
        return first, last
    for i in range(first + 1, last):
        nxt = doc[i + 1]
        if doc[i].text == "," and nxt.i in cue_set and nxt.tag_ == "VBG" and \
                (nxt.head.i == cue_i or first <= nxt.head.i < i):
            return first, i - 1
    return first, last


def _trim_content_end(doc, first: int, last: int, cue_i: int) -> tuple[int, int]:
    """Where a reported content ends, by the annotation's conventions."""
    first, last = _cut_trailing_clause(doc, first, last, cue_i)
    first, last = _cut_trailing_participle(doc, first, last, cue_i)
    return _stop_after_quotation(doc, first, last, cue_i)


def _top_after(doc, k: int, comma: int, end: int):
    """The highest ancestor of token `k` whose head is still after the comma
    and inside the content: the clause the comma opens."""
    node = doc[k]
    while node.head.i != node.i and node.head.left_edge.i > comma and node.head.i <= end:
        node = node.head
    return node


def _trim(doc, first: int, last: int) -> Optional[tuple[int, int]]:
    """Drop leading/trailing commas and spaces a run picked up."""
    while first <= last and (doc[first].is_space or doc[first].text in {",", "—", "-", "--"}):
        first += 1
    while last >= first and (doc[last].is_space or doc[last].text in {",", "—", "-", "--"}):
        last -= 1
    return (first, last) if first <= last else None


APPOSITION_MARKS = {",", "—", "--", "–"}


def _skip_colon(doc, first: int, last: int) -> int:
    """'said in a statement: "Tonight, ..."': the colon introducing a
    content is never part of it in PolNeAR train (no gold content starts
    with one), though the role model sometimes takes it."""
    while first < last and (doc[first].text == ":" or doc[first].is_space):
        first += 1
    return first


def _close_apposition(doc, first: int, last: int) -> int:
    """'Ed Rendell, who chaired the DNC, said': PolNeAR's source keeps the
    comma (or dash) that closes an apposition or relative clause inside it
    (nine times in ten on train), but not a comma after a plain name."""
    inner = {doc[i].text for i in range(first + 1, last + 1)} & APPOSITION_MARKS
    if last + 1 < len(doc) and doc[last + 1].text in inner:
        return last + 1
    return last


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


def _trailing_cue_fallback(doc, att: SpanAttribution, cue_i: int, taken: set[int], used: set[int],
                           view: Optional[DocView] = None) -> None:
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
    line_start, _ = _line_bounds(DocView(doc) if view is None else view, cue_i)
    first, last = max(head.left_edge.i, line_start), cue.left_edge.i - 1
    trimmed = _trim(doc, first, last)
    if trimmed is None or any(i in taken for i in range(trimmed[0], trimmed[1] + 1)):
        return
    subj = subjects[0]
    att.content = [_char_span(doc, *trimmed)]
    att.source = [_char_span(doc, subj.left_edge.i, subj.right_edge.i)]
    used.update(range(trimmed[0], trimmed[1] + 1))


def _split_quotation_fallback(doc, att: SpanAttribution, cue_i: int, regions, quotes_of, taken: set[int],
                              used: set[int], view: DocView) -> None:
    """'"What was the pivot point?" Beck questioned.': the parser ends the
    sentence at the question mark inside the quotation, so the cue's own
    sentence holds no content. A cue with no content whose sentence opens
    right after a quotation closing on the same line takes that quotation."""
    lo, _ = _line_bounds(view, cue_i)
    k = lo - 1
    while k >= 0 and view.is_space[k] and not view.newline_after[k]:
        k -= 1
    if k < 0 or view.newline_after[k] or quotes_of[k] < 0 or quotes_of[cue_i] == quotes_of[k]:
        return
    first, last = regions[quotes_of[k]]
    if last != k or any(i in taken or i in used for i in range(first, last + 1)):
        return
    att.content = [_char_span(doc, first, last)]
    att.direct = True
    used.update(range(first, last + 1))


def attribution_spans(doc, model: Optional[AttributionModel] = None, tags: Optional[list[list[float]]] = None,
                      use_tagger: bool = True, blend: Optional[Blend] = None,
                      reranker=None) -> list[SpanAttribution]:
    """All attributions in a parsed document (empty when no model is shipped).
    `tags`: the tagger's per-token log-odds, computed here when not given
    (and `use_tagger`); without a tagger the linear models work alone.
    `reranker`: chooses a reported content's boundaries (rerank.py; the
    shipped one when None, none when False)."""
    model = model or load_model()
    if model is None:
        return []
    if reranker is None:
        reranker = load_reranker()
    if tags is None and use_tagger:
        tags = tagger_logits(doc)
    regions = quote_regions(doc)
    quotes_of = quote_index(doc, regions)
    heads = cue_heads(doc, model, quotes_of, tags, blend)
    if not heads:
        return _signature_attributions(doc, regions, set())
    view = DocView(doc)
    taken: set[int] = set()
    out: list[SpanAttribution] = []
    cue_set = frozenset(h for h, _ in heads)
    # Cues outside quotations first: a "confirm" inside a quoted sentence is
    # part of the content, not an attribution of its own.
    for cue_i, p in sorted(heads, key=lambda h: (quotes_of[h[0]] >= 0, -h[1])):
        if cue_i in taken:
            continue
        att, used = _attribute(doc, view, model, cue_i, p, regions, quotes_of, taken, tags, blend, cue_set,
                               reranker)
        if att is None:
            continue
        taken.update(used)
        out.append(att)
    out.extend(_signature_attributions(doc, regions, taken))
    _continue_quotations(doc, view, out, regions, [h for h, _ in heads], taken)
    out.sort(key=lambda a: a.cue[0] if a.cue else (0, 0))
    return out


def _attribute(doc, view: DocView, model: AttributionModel, cue_i: int, p: float, regions, quotes_of,
               taken: set[int], tags, blend, cue_set: frozenset,
               reranker=None) -> tuple[Optional[SpanAttribution], set[int]]:
    """One cue's attribution (None without a content) and the tokens it uses
    (`cue_set`: every cue head of the document; `reranker`: may move a
    reported content's boundaries)."""
    labels = label_roles(view, cue_i, model, quotes_of, taken, tags, blend)
    att = SpanAttribution(cue_head=cue_i, score=p)
    used: set[int] = set()
    role_runs = _decode(labels, cue_i, doc)
    _preposition_to_cue(doc, role_runs, cue_i)
    role_runs["content"] = [_stop_before_participle_cue(doc, *_trim_content_end(doc, a, b, cue_i), cue_i, cue_set)
                            for a, b in role_runs["content"]]
    for role in ("cue", "source", "content"):
        for first, last in role_runs[role]:
            trimmed = _trim(doc, first, last)
            if trimmed is None:
                continue
            first, last = trimmed
            if role == "content":
                first = _skip_colon(doc, first, last)
                first, last, direct = _widen_to_quote(doc, first, last, regions, quotes_of, cue_i)
                att.direct = att.direct or direct
                if not direct and last > first and doc[last].text in {".", ";"}:
                    last -= 1  # reported content stops before the sentence's full stop
                if not direct and reranker:
                    first, last = _rerank(doc, view, cue_i, first, last, labels, used | taken, quotes_of, tags,
                                          reranker, cue_set)
            elif role == "source":
                last = _close_apposition(doc, first, last)
            getattr(att, role).append(_char_span(doc, first, last))
            used.update(range(first, last + 1))
    if not att.content:
        _trailing_cue_fallback(doc, att, cue_i, taken, used, view)
    if not att.content:
        _split_quotation_fallback(doc, att, cue_i, regions, quotes_of, taken, used, view)
    if not att.content:
        return None, used
    att.last_token = max(used | {cue_i})
    return att, used


def _rerank(doc, view: DocView, cue_i: int, first: int, last: int, labels: RoleLabels, blocked: set[int], quotes_of,
            tags, reranker, cue_set: frozenset) -> tuple[int, int]:
    """A reported content's span as the boundary reranker chooses it; a new
    span keeps the conventions of its end (`_trim_content_end`)."""
    ctx = Context(doc, view, cue_i, labels.lo, labels.hi, blocked, quotes_of,
                  labels.margins["content"], tags, cue_set)
    chosen = reranker.choose(ctx, first, last)
    return chosen if chosen == (first, last) else _trim_content_end(doc, *chosen, cue_i)


SIGNATURE_DASHES = {"―", "—", "–", "-", "--"}


def _signature_attributions(doc, regions: list[tuple[int, int]], taken: set[int]) -> list[SpanAttribution]:
    """'"No one should be above the law." — Paul Ryan': a quotation followed
    by a dash and a name (a signature line, as under tweets and vox pops)
    is an attribution with the dash as its cue (PolNeAR marks it so)."""
    out = []
    for first, last in regions:
        dash = _next_word(doc, last)
        if dash is None or doc[dash].text not in SIGNATURE_DASHES or \
                any(i in taken for i in range(first, last + 1)):
            continue
        name = _signature_name(doc, dash + 1)
        if name is None:
            continue
        att = SpanAttribution(cue=[_char_span(doc, dash, dash)], source=[_char_span(doc, *name)],
                              content=[_char_span(doc, first, last)], cue_head=dash, score=1.0,
                              direct=True, last_token=name[1])
        taken.update(range(first, name[1] + 1))
        out.append(att)
    return out


def _next_word(doc, i: int) -> Optional[int]:
    """The next non-space token after `i` (a signature may sit on the next line)."""
    k = i + 1
    while k < len(doc) and doc[k].is_space:
        k += 1
    return k if k < len(doc) else None


def _signature_name(doc, i: int) -> Optional[tuple[int, int]]:
    """The proper name right after a signature dash, on its line: a PERSON
    entity starting there, else the run of proper nouns."""
    while i < len(doc) and doc[i].is_space and "\n" not in doc[i].text:
        i += 1
    if i >= len(doc) or doc[i].pos_ != "PROPN":
        return None
    ent = next((e for e in doc.ents if e.start == i and e.label_ == "PERSON"), None)
    if ent is not None:
        return ent.start, ent.end - 1
    last = i
    while last + 1 < len(doc) and doc[last + 1].pos_ == "PROPN" and not _newline_after(doc[last]):
        last += 1
    return i, last


def _continue_quotations(doc, view: DocView, atts: list[SpanAttribution], regions: list[tuple[int, int]],
                         heads: list[int], taken: set[int]) -> None:
    """'"A," he said. "B."': a quotation opening the sentence right after a
    direct quote's attribution, with no cue of its own, is more of the same
    quote. PolNeAR annotates it as a second content fragment of the same
    attribution (and so does the role model's sentence window miss it)."""
    opening = {a: r for r, (a, _) in enumerate(regions)}
    for att in sorted(atts, key=lambda a: a.last_token):
        if not att.direct or att.last_token < 0:
            continue
        k = view.sent_end[att.last_token]
        while k < view.n and view.is_space[k]:
            k += 1
        r = opening.get(k)
        if r is None:
            continue
        first, last = regions[r]
        if any(i in taken for i in range(first, last + 1)) or _has_own_cue(view, last, heads):
            continue
        att.content.append(_char_span(doc, first, last))
        taken.update(range(first, last + 1))
        att.last_token = last


def _has_own_cue(view: DocView, last: int, heads: list[int]) -> bool:
    """'"B," she added.': a cue follows the quotation in its sentence."""
    return any(last < h < view.sent_end[last] for h in heads)
