"""What the quotes stage's decoding (spans.py) and its content-boundary
reranker (rerank.py) both read: quotation marks, per-token arrays of a
parsed document (`DocView`), how a neighbouring token reads as a boundary,
and where each role sits in the tagger's per-token log-odds. spans.py
imports rerank.py; rerank.py imports only this.
"""
from __future__ import annotations

OPEN_QUOTES = {"“", "``", "‘‘"}
CLOSE_QUOTES = {"”", "''", "’’"}
STRAIGHT_QUOTES = {'"'}
QUOTE_MARKS = OPEN_QUOTES | CLOSE_QUOTES | STRAIGHT_QUOTES
# columns of the tagger's per-token log-odds (tagger.OUTPUTS: source, cue, content, cue_head)
TAG_INDEX = {"source": 0, "cue": 1, "content": 2}
CUE_HEAD = 3


class DocView:
    """Plain per-token arrays of a parsed doc. Reading spaCy token attributes
    creates Python objects on every access; the role model reads them for
    every (token, cue) pair, so we read each once per document."""

    __slots__ = ("n", "head", "dep", "pos", "lower", "lemma", "text", "is_punct", "left", "right",
                 "child_deps", "is_space", "sent_start", "sent_end", "newline_after", "commas_before",
                 "marks_before", "in_parens")

    def __init__(self, doc) -> None:
        toks = list(doc)
        self.n = len(toks)
        self.head = [t.head.i for t in toks]
        self.dep = [t.dep_ for t in toks]
        self.pos = [t.pos_ for t in toks]
        self.lower = [t.lower_ for t in toks]
        self.lemma = [t.lemma_.lower() for t in toks]
        self.text = [t.text for t in toks]
        self.is_punct = [t.is_punct for t in toks]
        self.is_space = [t.is_space for t in toks]
        self.newline_after = ["\n" in t.whitespace_ or (t.is_space and "\n" in t.text) for t in toks]
        self.left = [t.left_edge.i for t in toks]
        self.right = [t.right_edge.i for t in toks]
        self.commas_before = [0] * (self.n + 1)  # commas among tokens [0, k)
        for k, t in enumerate(toks):
            self.commas_before[k + 1] = self.commas_before[k] + (t.text == ",")
        self.marks_before = [0] * (self.n + 1)  # quotation marks among tokens [0, k)
        self.in_parens = [False] * self.n  # inside ( ... ) or [ ... ]
        depth = 0
        for k, t in enumerate(toks):
            self.marks_before[k + 1] = self.marks_before[k] + (t.text in QUOTE_MARKS)
            depth = max(0, depth - (t.text in (")", "]")))
            self.in_parens[k] = depth > 0 and t.text not in (")", "]")
            depth += t.text in ("(", "[")
            if self.newline_after[k]:
                depth = 0
        self.child_deps: list[set[str]] = [set() for _ in toks]
        for k, h in enumerate(self.head):
            if h != k:
                self.child_deps[h].add(self.dep[k])
        starts = [k for k, t in enumerate(toks) if k == 0 or t.is_sent_start] + [self.n]
        self.sent_start = [0] * self.n
        self.sent_end = [0] * self.n
        for a, b in zip(starts, starts[1:]):
            for k in range(a, b):
                self.sent_start[k], self.sent_end[k] = a, b


def neighbour(v: DocView, k: int) -> str:
    """A neighbouring token as a boundary cue: punctuation and function
    words by their text (', and', ', which', '( ... )'), others by part of speech."""
    if k < 0 or k >= v.n:
        return "<>"
    if v.is_punct[k] or v.pos[k] in ("CCONJ", "SCONJ", "ADP", "PRON", "DET"):
        return v.lower[k]
    return v.pos[k]
