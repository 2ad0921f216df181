"""Infer an anchor date for an article that states no publication date.

Evidence, best first:
1. document metadata (`Article.meta` fields such as "date" or "published");
2. another article of the same batch that shares many distinctive words
   (names, rare long words) and has a publication date, provided that date
   agrees with the dates the text itself states;
3. the fully specified dates in the text: a date the clause puts in the
   future ("hopes to receive answers in January 2022") means the article was
   written before it; one in the past means after it.

Returns (date, reason) or None; the caller records Anchor(date, "inferred", reason).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from datetime import date, timedelta
from typing import Any, Iterable, Optional

from .calendar import timex_to_interval
from .tagger import as_date, tag_text
from .tense import FUTURE, PAST, direction_at

META_DATE_KEYS = ("published", "date", "pubdate", "publication_date", "datePublished", "dateline", "created", "updated")
MIN_SHARED_WORDS = 6
# IDF-weighted share of distinctive words. On the Wikinews sample corpus, 0.3
# picks an article of the same story, or one at most a month away, every time.
MIN_OVERLAP = 0.3
# Document frequencies are smoothed as if the batch sat among this many
# unrelated articles, so a two-article batch still weighs words evenly.
BACKGROUND_DOCS = 50

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_STOP = frozenset("""the and for that with this from have has had will would said says their there they them
were was are been being which about after before into over also than then when what while where who whom
whose other more most some such only very just like could should might must shall can not but its his her
him she our out any all new one two three four five year years month months week weeks day days time""".split())


def infer_anchor(text: str, doc: Any = None, meta: Optional[dict] = None,
                 batch: Iterable[dict] = (), self_id: Optional[str] = None) -> Optional[tuple[str, str]]:
    from_meta = _from_metadata(meta or {})
    if from_meta:
        return from_meta
    low, high, plain = _bounds_from_text(text, doc)
    neighbour = _from_batch(text, batch, self_id, low, high)
    if neighbour:
        return neighbour
    if high:
        d, what = high
        return d.isoformat(), f"written before {what}, a future date stated in the text"
    if low:
        d, what = low
        return d.isoformat(), f"written after {what}, a past date stated in the text"
    if plain:
        d, what = plain
        return d.isoformat(), f"latest full date stated in the text: {what}"
    return None


def _from_metadata(meta: dict) -> Optional[tuple[str, str]]:
    for key in META_DATE_KEYS:
        value = meta.get(key)
        m = re.match(r"(\d{4}-\d{2}-\d{2})", str(value or ""))
        if m and as_date(m.group(1)):
            return m.group(1), f"document metadata field {key!r}"
    return None


def _bounds_from_text(text: str, doc: Any):
    """(lowest possible date, highest possible date, latest undirected date),
    each (date, description) or None, from explicit month- or day-level dates."""
    low = high = plain = None
    for found in tag_text(text, None, doc):
        if found.relative or found.type not in ("DATE", "TIME") or not re.match(r"\d{4}-\d\d", found.value):
            continue
        start, end, _gran = timex_to_interval(found.value)
        if not start:
            continue
        first, last = date.fromisoformat(start), date.fromisoformat(end)
        what = f"{found.text!r} ({found.value})"
        direction = direction_at(doc, found.start, found.end)
        if direction == FUTURE:
            bound = first - timedelta(days=1)
            if high is None or bound < high[0]:
                high = (bound, what)
        elif direction == PAST:
            if low is None or last > low[0]:
                low = (last, what)
        elif plain is None or first > plain[0]:
            plain = (first, what)
    if low and high and low[0] > high[0]:
        high = None  # contradictory evidence: keep the past bound
    return low, high, plain


def _distinctive_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD_RE.findall(text) if (w[0].isupper() or len(w) >= 7) and w.lower() not in _STOP}


def _from_batch(text: str, batch: Iterable[dict], self_id: Optional[str], low, high) -> Optional[tuple[str, str]]:
    """The publication date of the batch article that shares the largest
    IDF-weighted share of distinctive words with this one, when that share is
    high and the date agrees with the text's own date bounds."""
    mine = _distinctive_words(text)
    others = [o for o in (batch or ()) if o.get("id") != self_id and o.get("text") != text]
    if not mine or not others:
        return None
    vocab = {id(o): _distinctive_words((o.get("title") or "") + "\n" + (o.get("text") or "")) for o in others}
    df = Counter(w for words in vocab.values() for w in words)
    df.update(mine)
    n_docs = len(others) + 1 + BACKGROUND_DOCS
    idf = {w: math.log(n_docs / (count + 0.5)) for w, count in df.items()}
    mine_weight = sum(idf[w] for w in mine)
    best = None
    for other in others:
        published = as_date(other.get("published"))
        if published is None:
            continue
        if low and published < low[0]:
            continue
        if high and published > high[0] + timedelta(days=7):
            continue
        theirs = vocab[id(other)]
        shared = mine & theirs
        if len(shared) < MIN_SHARED_WORDS:
            continue
        overlap = sum(idf[w] for w in shared) / min(mine_weight, sum(idf[w] for w in theirs))
        if overlap >= MIN_OVERLAP and (best is None or overlap > best[0]):
            best = (overlap, len(shared), published, other)
    if best is None:
        return None
    overlap, shared, published, other = best
    title = (other.get("title") or other.get("id") or "")[:80]
    return published.isoformat(), (f"publication date of batch article {other.get('id')} ({title!r}), which shares "
                                   f"{shared} distinctive words ({overlap:.0%} weighted) and agrees with the dates "
                                   f"in the text")
