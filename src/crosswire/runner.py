"""The local run: files -> store, resumable and idempotent.

    ingest -> skip articles already stored (content hash) -> annotate+extract
    -> write each article's results at once -> resolve everything stored
    -> replace the derived events and stories.

Each article is committed as soon as it is extracted, so Ctrl-C or a crash
loses nothing already stored; the next run skips those articles and
re-resolves. Resolution is a deterministic function of all stored results, so
running A then B gives the same events as running A and B together.
"""
from __future__ import annotations

import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

from .ingest import read_inputs
from .pipeline import ArticleLike, Pipeline, article_hint
from .records import Article, Rejection
from .store import Store

ProgressFn = Callable[[int, int, str], None]


@dataclass
class RunSummary:
    run_id: str
    db: str
    articles_read: int = 0
    articles_new: int = 0
    articles_known: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    event_mentions: int = 0
    quotes: int = 0
    events: int = 0
    stories: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    new_article_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["rejections"] = [{"path": r.path, "reason": r.reason, "detail": r.detail} for r in self.rejections]
        d.pop("new_article_ids")
        return d


def run_paths(paths: Iterable[str], store: Store, pipeline: Optional[Pipeline] = None,
              progress: bool | ProgressFn = False) -> RunSummary:
    """Read files, directories and globs into the store."""
    pipeline = pipeline or Pipeline()
    return _run(read_inputs(paths, pipeline.settings, dedupe=False), store, pipeline, progress)


def run_texts(items: Iterable[ArticleLike], store: Store, pipeline: Optional[Pipeline] = None,
              progress: bool | ProgressFn = False) -> RunSummary:
    """Texts, dicts or Articles (as the API and web uploads give them) into the store."""
    pipeline = pipeline or Pipeline()
    return _run((pipeline.as_article(item, i) for i, item in enumerate(items)), store, pipeline, progress)


def _run(items: Iterable[Article | Rejection], store: Store, pipeline: Pipeline,
         progress: bool | ProgressFn) -> RunSummary:
    started = time.perf_counter()
    summary = RunSummary(run_id=uuid.uuid4().hex[:12], db=store.location)
    store.start_run(summary.run_id)
    status = "failed"
    try:
        new = sort_out(items, store, summary)
        _extract_and_store(new, store, pipeline, summary, progress)
        status = "done"
    except KeyboardInterrupt:
        summary.interrupted = True
        status = "interrupted"
    finally:
        if not summary.interrupted:
            resolve_store(store, pipeline)
        count_store(store, summary)
        summary.seconds = round(time.perf_counter() - started, 2)
        store.finish_run(summary.run_id, status, summary.as_dict())
    return summary


def sort_out(items: Iterable[Article | Rejection], store: Store, summary: RunSummary) -> list[Article]:
    """Quarantine rejections, note known articles, return the new ones (each once)."""
    known = store.known_article_ids()
    new: dict[str, Article] = {}
    for item in items:
        if isinstance(item, Rejection):
            summary.rejections.append(item)
            store.quarantine(item)
            continue
        summary.articles_read += 1
        if item.id in known or item.id in new:
            summary.articles_known += 1
            if item.id in known and item.path:
                store.add_path(item.id, item.path)
            continue
        new[item.id] = item
    return list(new.values())


def _extract_and_store(articles: list[Article], store: Store, pipeline: Pipeline, summary: RunSummary,
                       progress: bool | ProgressFn) -> None:
    if not articles:
        return
    hints = {"batch": [article_hint(a) for a in articles] + stored_hints(store, articles)}
    report = _progress_reporter(progress, len(articles))
    try:
        for i, result in enumerate(pipeline.extract(articles, hints=hints), start=1):
            if store.write_result(result):
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
            bar.update(task, completed=done, description=label[:40])
            bar.refresh()
    return report


def _stderr_console():
    from rich.console import Console
    return Console(file=sys.stderr)
