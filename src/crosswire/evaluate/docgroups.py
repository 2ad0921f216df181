"""Document groups for the ECB+ evaluation: which documents report the same incident.

Why two passes: a corpus mixes event *types* (earthquakes, rehab stays) and,
inside a type, several *instances* (this earthquake, that one). Over the whole
corpus the words of a type (earthquake, magnitude) dominate TF-IDF, so one
threshold either splits an instance or merges the instances of a type. The
first pass finds the types with a low threshold; the second re-weights the
words inside each type's documents only, where the type's own words become
common and lose weight, and what is left (names, places, numbers, dates,
rare words) tells one instance from another.

Each pass blends two TF-IDF cosines: content words, and the document's names
and numbers (capitalised words not opening a sentence, digit strings), which
carry who, where and when. Settings were chosen on the ECB+ train topics
(B-cubed against the gold sub-topics, then CoNLL F1 of the coreference run).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from ..resolve.cluster import agglomerate
from ..resolve.scoring import Item

if TYPE_CHECKING:
    import numpy as np

TYPE_THRESHOLD = 0.1  # first pass: documents of one event type
INSTANCE_THRESHOLD = 0.12  # second pass, inside a type: documents of one incident
TYPE_WORD_SHARE = 0.5  # weight of content words (the rest: names and numbers), first pass
INSTANCE_WORD_SHARE = 0.3  # the same, second pass: names and numbers tell instances apart

_NUMBER = re.compile(r"\d[\d,.:/]*")
_WORDS = r"(?u)\b[A-Za-z]{3,}\b"


def names_and_numbers(sentences: Sequence[Sequence[str]]) -> str:
    """Capitalised words that do not open their sentence, and numbers: the
    who, where and when of a document, lower-cased, one string."""
    out = []
    for words in sentences:
        for k, w in enumerate(words):
            if (k > 0 and len(w) > 1 and w[:1].isupper()) or _NUMBER.fullmatch(w):
                out.append(w.lower())
    return " ".join(out)


def _cosines(texts: Sequence[str], names: Sequence[str], word_share: float) -> "np.ndarray":
    """Dense matrix: word_share * content-word cosine + the rest * name cosine."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    def cos(docs: Sequence[str], **kw):
        try:
            X = TfidfVectorizer(sublinear_tf=True, **kw).fit_transform(docs)
        except ValueError:  # no term at all (empty documents)
            return np.zeros((len(docs), len(docs)))
        return (X @ X.T).toarray()

    words = cos(texts, stop_words="english", token_pattern=_WORDS)
    named = cos(names, token_pattern=r"\S+")
    return word_share * words + (1.0 - word_share) * named


def _average_link(sim: "np.ndarray", threshold: float) -> list[list[int]]:
    """Classic average link (every pair counts, unrelated pairs as 0)."""
    n = sim.shape[0]
    if n < 2:
        return [[i] for i in range(n)]
    edges = [(i, j, float(sim[i, j])) for i in range(n) for j in range(i + 1, n) if sim[i, j] > 0]
    items = [Item(key=str(i), doc=str(i), sentence=0, lemma="") for i in range(n)]
    return agglomerate(items, edges, threshold, same_sentence_rule=False, unscored_as_zero=True)


def group_documents(names: Sequence[str], texts: Sequence[str], named: Sequence[str],
                    instance_threshold: float = INSTANCE_THRESHOLD) -> dict[str, str]:
    """name -> group id (the group's first name). `texts`: whole document
    text; `named`: names_and_numbers of the document."""
    groups: dict[str, str] = {}
    for coarse in _average_link(_cosines(texts, named, TYPE_WORD_SHARE), TYPE_THRESHOLD):
        if len(coarse) < 3:  # two documents: the first pass already compared them
            fine = [list(range(len(coarse)))]
        else:
            sim = _cosines([texts[i] for i in coarse], [named[i] for i in coarse], INSTANCE_WORD_SHARE)
            fine = _average_link(sim, instance_threshold)
        for part in fine:
            for k in part:
                groups[names[coarse[k]]] = names[coarse[part[0]]]
    return groups
