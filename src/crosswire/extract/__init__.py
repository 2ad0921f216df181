"""Extract: per-article stages, each a function over an `ArticleContext`.

A stage has one contract: it reads the article, the spaCy doc and what the
stages before it put into `ctx.result`, and appends its own records there. It
never reaches into another stage's internals. Stages are registered by name
with what they read and what they add
(`@register_stage("quotes", needs=("time", "actors", "sources"), provides=("quotes",))`)
and run in the order `Settings.stages` gives; `check_stages` refuses an order
in which a stage runs without the stages it needs before it, so a broken or
missing upstream stage is an error naming both, never a silently empty field.
A new stage is one decorated function in its own module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ..config import Settings
from ..records import Article, ArticleResult, Sentence

StageFn = Callable[["ArticleContext"], None]
RESULT_FIELDS = ("timexes", "actor_mentions", "attributions", "quotes", "event_mentions", "toponyms")


def reads_no_encoding(settings: Any) -> bool:
    """A stage that never reads the transformer pass (the default)."""
    return False


@dataclass(frozen=True)
class Stage:
    """A registered stage: its function, the stages whose records it reads
    (`needs`), the `ArticleResult` fields it appends to (`provides`), and
    whether, under given settings, it reads the article's shared transformer
    pass (`reads_encoding`: the pipeline makes the pass only when a
    configured stage does)."""

    name: str
    run: StageFn
    needs: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    reads_encoding: Callable[[Any], bool] = reads_no_encoding


class StageOrderError(ValueError):
    """A configured stage needs a stage that is not configured before it."""


_REGISTRY: dict[str, Stage] = {}


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
    # each sentence's mean last-layer vector from `encoding` (events.sentence_types.sentence_vectors),
    # made once for the stages that read it
    sentence_vectors: Any = None

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


def register_stage(name: str, needs: tuple[str, ...] = (), provides: tuple[str, ...] = (),
                   reads_encoding: Callable[[Any], bool] = reads_no_encoding) -> Callable[[StageFn], StageFn]:
    """Register `fn` as stage `name`, reading the records of the stages in
    `needs` and appending to the `ArticleResult` fields in `provides`;
    `reads_encoding(settings)`: whether it reads `ArticleContext.encoding`."""
    unknown = [f for f in provides if f not in RESULT_FIELDS]
    if unknown:
        raise ValueError(f"stage {name!r} provides {unknown}, which are not ArticleResult fields {RESULT_FIELDS}")

    def decorate(fn: StageFn) -> StageFn:
        _REGISTRY[name] = Stage(name, fn, tuple(needs), tuple(provides), reads_encoding)
        return fn
    return decorate


def stage_info(name: str) -> Stage:
    """The registered stage `name` (KeyError naming the known ones)."""
    _load_builtin_stages()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown stage {name!r}; known: {sorted(_REGISTRY)}") from None


def get_stage(name: str) -> StageFn:
    return stage_info(name).run


def check_stages(names: tuple[str, ...] | list[str]) -> list[Stage]:
    """The stages of a configured order, after checking that each one's needs
    run before it; a StageOrderError names the stage and what it lacks."""
    stages = [stage_info(name) for name in names]
    earlier: set[str] = set()
    for stage in stages:
        for need in stage.needs:
            if need not in earlier:
                where = "after it" if need in names else "not configured"
                raise StageOrderError(f"stage {stage.name!r} needs stage {need!r}, which is {where} "
                                      f"(Settings.stages = {', '.join(names)})")
        earlier.add(stage.name)
    return stages


def registered_stages() -> list[str]:
    _load_builtin_stages()
    return sorted(_REGISTRY)


def _load_builtin_stages() -> None:
    # Importing the modules registers their stages.
    from . import time, actors, sources, quotes, events, places  # noqa: F401
