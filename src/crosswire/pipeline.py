"""The pipeline object: one place that runs ingest -> annotate -> extract ->
resolve -> compare, used by the CLI, the Python API, the web app and the Spark
runner alike.

    >>> from crosswire import Pipeline
    >>> pipe = Pipeline()
    >>> out = pipe.process(["Russia and the US will hold talks on January 10."])
    >>> out.events_df()
"""
from __future__ import annotations

import functools
import logging
import time as _time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Union

from . import runstamp
from .annotate import ModelMissing, load_nlp, sentences_of
from .config import Settings
from .extract import Anchor, ArticleContext, check_stages, stage_info
from .extract.events import EventModelMissing
from .records import Article, ArticleResult, Event, Rejection, Story, to_dict

ArticleLike = Union[str, Article, dict]
log = logging.getLogger("crosswire")
# articles parsed and read by the transformer (one window at a time,
# tagger.TokenTagger.encode) before their stages run; the first article still
# comes out after a few articles' work
ENCODE_ARTICLES = 8
# a model the configuration needs is missing: every article would fail alike, so the run stops
SETUP_ERRORS = (runstamp.ModelUnavailable, ModelMissing, EventModelMissing)


class StageFailed(RuntimeError):
    """An extract stage raised on one article (which stage, and what)."""

    def __init__(self, stage: str, cause: BaseException) -> None:
        super().__init__(f"{stage}: {type(cause).__name__}: {cause}")
        self.stage, self.cause = stage, cause


@dataclass
class Results:
    """What a pipeline run found: per-article results, canonical events, stories."""

    articles: list[ArticleResult] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)  # the run stamp (runstamp.run_stamp), {} when unknown

    @property
    def quotes(self):
        return [q for r in self.articles for q in r.quotes]

    def to_json(self) -> dict[str, Any]:
        from .outputs import results_to_json
        return results_to_json(self.articles, self.events, self.stories, self.run)

    # DataFrames for notebooks ------------------------------------------------
    def events_df(self):
        from .outputs import events_frame
        return events_frame(self.events)

    def quotes_df(self):
        import pandas as pd
        return pd.DataFrame([_flat_quote(q) for q in self.quotes])

    def mentions_df(self):
        import pandas as pd
        return pd.DataFrame([to_dict(m) for r in self.articles for m in r.event_mentions])

    def articles_df(self):
        import pandas as pd
        return pd.DataFrame([{k: v for k, v in to_dict(r.article).items() if k != "text"} for r in self.articles])

    def stories_df(self):
        import pandas as pd
        return pd.DataFrame([to_dict(s) for s in self.stories])


def _flat_quote(q) -> dict[str, Any]:
    d = to_dict(q)
    d["speaker_name"] = q.speaker.name
    d["speaker_code"] = q.speaker.code
    return d


class Pipeline:
    """Runs the stages named in `Settings.stages` over articles. Building one
    checks the stage order (`extract.check_stages`: a stage whose needs are
    not configured before it is a `StageOrderError`) and that every model the
    configuration uses is there (`runstamp.check_present`); the first article
    loads them all (`runstamp.require_loaded`). Either failure is a
    `runstamp.ModelUnavailable` naming the model: never a quietly weaker run."""

    def __init__(self, settings: Optional[Settings] = None, **overrides: Any) -> None:
        self.settings = settings or Settings.load(**overrides)
        self._stages = [(stage.name, stage.run) for stage in check_stages(self.settings.stages)]
        runstamp.check_present(self.settings)
        self._models_loaded = False
        # seconds spent in each step ("parse", "tagger", every stage), summed over
        # the articles extracted, forked workers' included (bench/throughput.py)
        self.timings: Counter[str] = Counter()

    @functools.cached_property
    def producer(self) -> str:
        """The id results extracted here are stamped with (runstamp.producer_id)."""
        return runstamp.producer_id(self.settings)

    def run_stamp(self) -> dict[str, Any]:
        """What this pipeline is and which models it has loaded so far."""
        return runstamp.run_stamp(self.settings)

    @property
    def nlp(self):
        return load_nlp(self.settings.spacy_model)

    @property
    def encoder(self):
        """The shared transformer pass (the quotes tagger's MiniLM,
        extract/quotes/tagger.py), when a configured stage reads it; else None."""
        if not self._wants_encoding():
            return None
        from .extract.quotes.tagger import ADAPTER_PATH, load_tagger

        return load_tagger(str(ADAPTER_PATH))

    def _wants_encoding(self) -> bool:
        """Whether a configured stage reads the pass (`Stage.reads_encoding`)."""
        return any(stage_info(name).reads_encoding(self.settings) for name in self.settings.stages)

    # -------------------------------------------------------------- articles
    def as_article(self, item: ArticleLike, index: int = 0) -> Article:
        """Texts, dicts (JSONL-style fields) and Articles all become Articles."""
        from .ingest import article_from_fields

        if isinstance(item, Article):
            return item
        if isinstance(item, str):
            return article_from_fields({"text": item}, path=f"<text {index}>", settings=self.settings)
        return article_from_fields(dict(item), path=str(item.get("path") or f"<record {index}>"),
                                   settings=self.settings)

    # --------------------------------------------------------------- extract
    def extract(self, articles: Sequence[Article], hints: Optional[dict[str, Any]] = None,
                on_article: Optional[Callable[[ArticleResult], None]] = None,
                workers: Optional[int] = None) -> Iterator[ArticleResult]:
        """Annotate and run every extract stage over each article, in order;
        on `workers` processes (default `Settings.extract_workers`) when there
        are enough articles (extract_workers.py), with the same results."""
        from .extract_workers import extract_in_processes

        hints = dict(hints or {})
        hints.setdefault("batch", [article_hint(a) for a in articles])
        for result in extract_in_processes(self, articles, hints, workers):
            if on_article:
                on_article(result)
            yield result

    def load_models(self) -> None:
        """Load every model the configuration uses, once (runstamp.require_loaded:
        ModelUnavailable for one that does not load). Done before the first
        article, so forked extraction workers inherit them loaded, and the
        producer id they stamp results with is the parent's."""
        if not self._models_loaded:
            runstamp.require_loaded(self.settings)
            _ = self.producer  # computed once, before any fork
            self._models_loaded = True

    def extract_here(self, articles: Sequence[Article], hints: dict[str, Any]) -> Iterator[ArticleResult]:
        """`extract` in this process: spaCy parses the articles in batches,
        the transformer reads them a few at a time (one pass that every
        stage shares), then the stages run."""
        self.load_models()
        docs = self.nlp.pipe((a.text for a in articles), batch_size=self.settings.spacy_batch_size)
        encoder = self.encoder
        for first in range(0, len(articles), ENCODE_ARTICLES):
            chunk = articles[first:first + ENCODE_ARTICLES]
            with self.clock("parse"):
                parsed = [next(docs) for _ in chunk]
            with self.clock("tagger"):
                encodings = encoder.encode(parsed) if encoder is not None else [None] * len(parsed)
            for article, doc, encoding in zip(chunk, parsed, encodings):
                yield self.extract_doc(article, doc, hints, encoding)

    def extract_doc(self, article: Article, doc: Any, hints: Optional[dict[str, Any]] = None,
                    encoding: Any = None) -> ArticleResult:
        """The article's result. A stage that fails on one article does not
        stop the batch: the article is stored with its sentences and no
        records, unstamped (`producer` None), so a later run that reads it
        extracts it again, and the failure is logged with the file and the
        reason."""
        try:
            return self.extract_context(article, doc, hints, encoding).result
        except StageFailed as failed:
            log.error("%s: extraction failed in the %s stage (%s: %s); stored without records, extracted "
                      "again the next time it is read", article.path or article.id, failed.stage,
                      type(failed.cause).__name__, failed.cause)
            return ArticleResult(article=article, sentences=sentences_of(doc), producer=None)

    def extract_context(self, article: Article, doc: Any, hints: Optional[dict[str, Any]] = None,
                        encoding: Any = None) -> ArticleContext:
        """The article's context after every stage: its doc and its result
        (what training reads to compute features as the stages do)."""
        self.load_models()
        sentences = sentences_of(doc)
        result = ArticleResult(article=article, sentences=sentences, producer=self.producer)
        anchor = Anchor(article.published, "publication") if article.published else Anchor(None, "none")
        ctx = ArticleContext(article=article, doc=doc, sentences=sentences, settings=self.settings,
                             result=result, anchor=anchor, batch_hints=hints or {}, encoding=encoding)
        for name, stage in self._stages:
            with self.clock(name):
                try:
                    stage(ctx)
                except SETUP_ERRORS:
                    raise
                except Exception as exc:
                    raise StageFailed(name, exc) from exc
        return ctx

    @contextmanager
    def clock(self, step: str) -> Iterator[None]:
        """Add the block's wall time to `timings[step]`."""
        started = _time.perf_counter()
        try:
            yield
        finally:
            # float seconds: Counter adds them as it adds counts (typeshed types its values as int)
            self.timings[step] += _time.perf_counter() - started  # type: ignore[assignment]

    # --------------------------------------------------------------- resolve
    def resolve(self, results: Sequence[ArticleResult], clusterer=None,
                previous: Optional[dict[str, list[str]]] = None):
        """Resolve and compare; `clusterer` replaces the one-process mention
        clustering (the Spark runner distributes it by blocking keys);
        `previous` ({event id: member mention ids}) are events never to split."""
        from .compare import compare
        from .resolve import resolve

        with self.clock("resolve"):
            resolution = resolve(results, self.settings, clusterer, previous)
            compare(resolution, results)
        return resolution

    def resolve_update(self, store, held=None, full: bool = False, clusterer=None):
        """Resolve a store's pending articles against its stored resolution
        (`resolve.incremental.update`) and compare what changed; the callable
        `Store.update_resolution` takes. `full`: resolve everything again."""
        from .compare import compare
        from .resolve.incremental import update

        result = update(store, self.settings, held, clusterer, full)
        compare(result, result.results)
        return result

    def process(self, items: Iterable[ArticleLike]) -> Results:
        """Texts / dicts / Articles in, Results out (in memory, no store)."""
        articles = [self.as_article(item, i) for i, item in enumerate(items)]
        results = list(self.extract(articles))
        resolution = self.resolve(results)
        return Results(articles=results, events=resolution.events, stories=resolution.stories,
                       run=self.run_stamp())


def article_hint(article: Article) -> dict[str, Any]:
    """What the time stage may use of a batch article to anchor another one."""
    return {"id": article.id, "title": article.title, "published": article.published,
            "outlet": article.outlet, "text": article.text}
