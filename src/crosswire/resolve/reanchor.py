"""Revise the anchor date of stored undated articles when a later batch
brings a dated report of their story.

Why: an article with no publication date is anchored by the time stage from
the dated articles it is read with (`extract.time.anchor`: the batch article
sharing most distinctive words), else from the dates its text states. Read
alone first, it gets the second, cruder anchor; when its dated story-mate
arrives in a later batch, one batch of both would have anchored it on the
story-mate. So each run that brings dated articles asks, for every stored
undated article, whether the anchor inference would now pick one of them;
those articles are re-extracted from their stored text (their rows replaced,
`Store.replace_result`) and the store is resolved again in full, as after an
upgrade. The cost is one anchor inference per stored undated article per run
with dated news (a word-overlap test, no parse) and one extraction per
article actually revised.
"""
from __future__ import annotations

from typing import Any, Sequence

from ..extract.time import infer_anchor
from ..records import Article

BATCH_REASON = "publication date of batch article "


def _neighbour(article: Article, hints: Sequence[dict[str, Any]]) -> str | None:
    """The id of the hinted article that would anchor `article`, if one would."""
    found = infer_anchor(article.text, None, article.meta, hints, article.id)
    if not found or not found[1].startswith(BATCH_REASON):
        return None
    return found[1][len(BATCH_REASON):].split(" ", 1)[0]


def articles_to_reanchor(stored: Sequence[Article], new: Sequence[Article],
                         hint: Any) -> list[Article]:
    """The stored undated articles (not in `new`) whose anchor would now come
    from a dated article of `new` (`hint`: pipeline.article_hint)."""
    new_ids = {a.id for a in new}
    dated_new = [hint(a) for a in new if a.published]
    if not dated_new:
        return []
    undated = [a for a in stored if not a.published and a.id not in new_ids]
    candidates = [a for a in undated if _neighbour(a, dated_new)]
    if not candidates:
        return []
    every_dated = [hint(a) for a in stored if a.published and a.id not in new_ids] + dated_new
    return [a for a in candidates if _neighbour(a, every_dated) in new_ids]
