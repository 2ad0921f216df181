"""The local run: files -> store, resumable and idempotent.

    ingest -> skip articles already stored (content hash) -> annotate+extract
    -> write each article's results at once -> resolve everything stored
    -> replace the derived events and stories.

Each article is committed as soon as it is extracted, so Ctrl-C or a crash
loses nothing already stored; the next run skips those articles and
re-resolves. Resolution is a deterministic function of all stored results, so
running A then B gives the same events as running A and B together.

After an upgrade (another producer: crosswire version, stages or model
fingerprints, see runstamp.py) a stored article is *stale*. A run re-extracts
the stale articles among its inputs; `reextract_store` (`crosswire
reextract`) re-extracts every stale article from its stored text. Each one's
rows are replaced in one transaction (`Store.replace_result`) and the store
then owes a full resolution, which rebuilds the events from what is stored:
an article's old mentions leave its events, nothing is counted twice, and an
interrupted re-extraction continues where it stopped.
"""
from __future__ import annotations

import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

from .ingest import read_inputs
from .ingest.article import article_or_rejection
from .pipeline import ArticleLike, Pipeline, article_hint
from .records import Article, Rejection
from .resolve.reanchor import articles_to_reanchor
from .sanitize import for_rich
from .store import Store

ProgressFn = Callable[[int, int, str], None]


@dataclass
class RunSummary:
    run_id: str
    db: str
    articles_read: int = 0
    articles_new: int = 0
    articles_known: int = 0
    articles_reextracted: int = 0
    stale_left: int = 0  # stored articles another producer extracted, not among this run's inputs
    rejections: list[Rejection] = field(default_factory=list)
    event_mentions: int = 0
    quotes: int = 0
    events: int = 0
    stories: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    new_article_ids: list[str] = field(default_factory=list)
    stamp: dict[str, Any] = field(default_factory=dict)  # runstamp.run_stamp at the end of the run

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["rejections"] = [{"path": r.path, "reason": r.reason, "detail": r.detail} for r in self.rejections]
        d.pop("new_article_ids")
        d.pop("stamp")
        return d


def run_paths(paths: Iterable[str], store: Store, pipeline: Optional[Pipeline] = None,
              progress: bool | ProgressFn = False) -> RunSummary:
    """Read files, directories and globs into the store."""
    pipeline = pipeline or Pipeline()
    return _run(read_inputs(paths, pipeline.settings, dedupe=False), store, pipeline, progress)


def run_texts(items: Iterable[ArticleLike], store: Store, pipeline: Optional[Pipeline] = None,
              progress: bool | ProgressFn = False) -> RunSummary:
    """Texts, dicts or Articles (as the API and web uploads give them) into the
    store, each checked as `crosswire run` checks what it reads (too short,
    control characters, repetition): what fails is quarantined, not stored."""
    pipeline = pipeline or Pipeline()
    return _run((_checked(pipeline, item, i) for i, item in enumerate(items)), store, pipeline, progress)


def _checked(pipeline: Pipeline, item: ArticleLike, index: int) -> Article | Rejection:
    try:
        article = pipeline.as_article(item, index)
    except Exception as exc:  # one bad item must not cost the others
        return Rejection(f"<record {index}>", f"could not read ({type(exc).__name__})", str(exc)[:300])
    return article_or_rejection(lambda: article, article.path, pipeline.settings)


def reextract_store(store: Store, pipeline: Optional[Pipeline] = None,
                    progress: bool | ProgressFn = False) -> RunSummary:
    """Re-extract every stored article another producer extracted, from its
    stored text, then resolve everything again (see the module docstring)."""
    pipeline = pipeline or Pipeline()
    stale = store.articles_by_id(store.stale_articles(pipeline.producer))
    return _run(stale, store, pipeline, progress)


def _run(items: Iterable[Article | Rejection], store: Store, pipeline: Pipeline,
         progress: bool | ProgressFn) -> RunSummary:
    started = time.perf_counter()
    summary = RunSummary(run_id=uuid.uuid4().hex[:12], db=store.location)
    store.start_run(summary.run_id, pipeline.run_stamp())
    status = "failed"
    try:
        new, stale = sort_out(items, store, summary, pipeline.producer)
        _extract_and_store(new, stale, store, pipeline, summary, progress)
        _extract_and_store([], articles_to_reanchor(store.articles(), new, article_hint), store, pipeline, summary,
                           progress)  # undated stored articles this batch dates (resolve/reanchor.py)
        status = "done"
    except KeyboardInterrupt:
        summary.interrupted = True
        status = "interrupted"
    finally:
        if not summary.interrupted:
            resolve_store(store, pipeline)
        count_store(store, summary)
        summary.stale_left = len(store.stale_articles(pipeline.producer))
        summary.seconds = round(time.perf_counter() - started, 2)
        summary.stamp = pipeline.run_stamp()
        store.finish_run(summary.run_id, status, summary.as_dict(), summary.stamp)
    return summary


def sort_out(items: Iterable[Article | Rejection], store: Store, summary: RunSummary,
             producer: Optional[str] = None) -> tuple[list[Article], list[Article]]:
    """Quarantine rejections, note known articles; return the new articles
    and the stored ones another producer extracted (each once)."""
    known = store.known_article_ids()
    stale_ids = set(store.stale_articles(producer)) if producer else set()
    new: dict[str, Article] = {}
    stale: dict[str, Article] = {}
    for item in items:
        if isinstance(item, Rejection):
            summary.rejections.append(item)
            store.quarantine(item)
            continue
        summary.articles_read += 1
        if item.id in stale_ids and item.id not in stale:
            stale[item.id] = item
            continue
        if item.id in known or item.id in new or item.id in stale:
            summary.articles_known += 1
            if item.id in known and item.path:
                store.add_path(item.id, item.path)
            continue
        new[item.id] = item
    return list(new.values()), list(stale.values())


def _extract_and_store(new: list[Article], stale: list[Article], store: Store, pipeline: Pipeline,
                       summary: RunSummary, progress: bool | ProgressFn) -> None:
    """Extract the new articles and the stale ones, storing each at once
    (`write_result` for a new one, `replace_result` for a stale one)."""
    articles = new + stale
    if not articles:
        return
    replacing = {a.id for a in stale}
    hints = {"batch": [article_hint(a) for a in articles] + stored_hints(store, articles)}
    report = _progress_reporter(progress, len(articles))
    try:
        for i, result in enumerate(pipeline.extract(articles, hints=hints), start=1):
            if result.article.id in replacing:
                store.replace_result(result)
                summary.articles_reextracted += 1
            elif store.write_result(result):
                summary.articles_new += 1
                summary.new_article_ids.append(result.article.id)
            report(i, result.article.title or result.article.path)
    finally:
        report(-1, "")


def stored_hints(store: Store, articles: list[Article]) -> list[dict[str, Any]]:
    """Dated stored articles, offered to the time stage only when some new
    article has no date of its own (to anchor its relative dates)."""
    if all(a.published for a in articles):
        return []
    return [article_hint(a) for a in store.articles() if a.published]


def resolve_store(store: Store, pipeline: Pipeline, full: bool = False):
    """Resolve what was stored since the last resolution against the stored
    events and stories (everything again with `full`), in one transaction
    (serialised between concurrent writers on PostgreSQL); returns the
    `ResolutionUpdate` written."""
    return store.update_resolution(pipeline.resolve_update, full=full)


def count_store(store: Store, summary: RunSummary) -> None:
    counts = store.counts()
    summary.events = counts["events"]
    summary.stories = counts["stories"]
    summary.quotes = counts["quotes"]
    summary.event_mentions = counts["event_mentions"]


def _progress_reporter(progress: bool | ProgressFn, total: int) -> Callable[[int, str], None]:
    """A callable (done, label); done=-1 closes it. A rich progress bar on a
    terminal when progress=True, a user callback, or nothing."""
    if callable(progress):
        return lambda done, label: progress(done, total, label) if done >= 0 else None
    if not progress or total < 2:
        return lambda done, label: None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    # refreshed on each article rather than by rich's refresh thread: a process with
    # other threads does not fork extraction workers (extract_workers.py)
    bar = Progress(TextColumn("[bold]processing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   TextColumn("{task.description}", style="dim"), transient=True,
                   console=_stderr_console(), auto_refresh=False)
    task = bar.add_task("", total=total)
    bar.start()

    def report(done: int, label: str) -> None:
        if done < 0:
            bar.stop()
        else:
            bar.update(task, completed=done, description=for_rich(label[:40]))
            bar.refresh()
    return report


def _stderr_console():
    from rich.console import Console
    return Console(file=sys.stderr)
