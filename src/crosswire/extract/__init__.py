"""Extract: per-article stages, each a function over an `ArticleContext`.

A stage has one contract: it reads the article, the spaCy doc and what the
stages before it put into `ctx.result`, and appends its own records there. It
never reaches into another stage's internals. Stages are registered by name
(`@register_stage("time")`) and run in the order `Settings.stages` gives, so
a new stage is one decorated function in its own module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ..config import Settings
from ..records import Article, ArticleResult, Sentence

StageFn = Callable[["ArticleContext"], None]
_REGISTRY: dict[str, StageFn] = {}


@dataclass
class Anchor:
    """The date relative expressions are resolved against, and how we got it."""

    date: Optional[str]  # ISO date or None when nothing at all is known
    basis: str  # "publication" | "inferred"
    reason: Optional[str] = None  # for inferred anchors: which evidence


@dataclass
class ArticleContext:
    article: Article
    doc: Any  # spacy.tokens.Doc
    sentences: list[Sentence]
    settings: Settings
    result: ArticleResult
    anchor: Anchor = field(default_factory=lambda: Anchor(None, "none"))
    # hints from the batch (e.g. publication dates of the story's other articles)
    batch_hints: dict[str, Any] = field(default_factory=dict)
    # the pipeline's one transformer pass over the article (extract/quotes/tagger.Encoding:
    # word pieces, last hidden layer, the tagger's log-odds), or None when no stage wants it
    encoding: Any = None

    def sentence_at(self, char: int) -> int:
        """Index of the sentence containing character offset `char`."""
        lo, hi = 0, len(self.sentences) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            s = self.sentences[mid]
            if char < s.start:
                hi = mid - 1
            elif char >= s.end:
                lo = mid + 1
            else:
                return mid
        return max(0, min(lo, len(self.sentences) - 1))


def register_stage(name: str) -> Callable[[StageFn], StageFn]:
    def decorate(fn: StageFn) -> StageFn:
        _REGISTRY[name] = fn
        return fn
    return decorate


def get_stage(name: str) -> StageFn:
    _load_builtin_stages()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown stage {name!r}; known: {sorted(_REGISTRY)}") from None


def registered_stages() -> list[str]:
    _load_builtin_stages()
    return sorted(_REGISTRY)


def _load_builtin_stages() -> None:
    # Importing the modules registers their stages.
    from . import time, actors, sources, quotes, events  # noqa: F401
