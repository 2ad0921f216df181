"""Background processing of uploaded articles, and the store lock.

Uploads are queued as jobs and run one at a time on a single worker thread
through the same runner the CLI uses (`crosswire.runner.run_texts`), so the
web server never parses articles in a request (uploaded files are read by the
worker too: a large page takes seconds of parsing) and never runs two spaCy
pipelines at once. At most `max_pending` jobs wait; more are refused (503)
rather than queued without end. Each job reports progress (articles done of
total, the phase) that the upload page polls at /api/jobs/{id}. A failed job
says why in one line; its traceback goes to the server log, never to clients.

DuckDB connections must not be used from two threads at once, and the
worker writes while requests read, so every store call goes through
`LockedStore`, which serialises method calls on one connection. Each call
(a read, or one article's write transaction) is short, so pages stay
responsive during a long job.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Optional

from ..records import Article, Rejection
from ..sanitize import redact_urls_in
from ..store import Store

log = logging.getLogger("crosswire.web")


class QueueFull(Exception):
    """Too many upload jobs waiting: the client should retry later (503)."""


class LockedStore:
    """A Store proxy whose public methods run under one re-entrant lock."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.RLock()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._store, name)
        if not callable(value) or name.startswith("_"):
            return value

        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return value(*args, **kwargs)
        locked.__name__ = name
        return locked

    def close(self) -> None:
        with self._lock:
            self._store.close()


@dataclass
class Job:
    id: str
    items: int
    status: str = "queued"  # queued | running | done | failed
    phase: str = "queued"  # queued | reading | extracting | resolving | done | failed
    done: int = 0
    total: int = 0
    current: str = ""
    created: float = field(default_factory=time.time)
    finished: Optional[float] = None
    summary: Optional[dict[str, Any]] = None
    rejections: list[dict[str, str]] = field(default_factory=list)
    error: Optional[str] = None

    def as_dict(self) -> dict[str, Any]:
        fraction = (self.done / self.total) if self.total else (1.0 if self.status == "done" else 0.0)
        return {"id": self.id, "status": self.status, "phase": self.phase, "done": self.done,
                "total": self.total, "progress": round(fraction, 3), "current": self.current,
                "items": self.items, "summary": self.summary, "rejections": self.rejections,
                "error": self.error, "created": self.created, "finished": self.finished}


class JobQueue:
    """Runs upload jobs one after another on a worker thread."""

    def __init__(self, store: Any, settings: Any = None, max_jobs_kept: int = 200, max_pending: int = 20) -> None:
        self.store = store
        self.settings = settings
        self.jobs: dict[str, Job] = {}
        self.max_jobs_kept = max_jobs_kept
        self.max_pending = max_pending
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crosswire-job")
        self._pipeline = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------- submit
    def submit(self, items: list[Any], rejections: Optional[list[Rejection]] = None,
               files: Optional[list[tuple[str, bytes]]] = None) -> Job:
        """Queue texts/dicts/Articles, and uploaded files (name, bytes) that the
        worker reads first, for processing; rejections (found in the request,
        or while reading the files) are recorded in the job and the store's
        quarantine. Raises QueueFull when max_pending jobs are waiting."""
        files = files or []
        job = Job(id=uuid.uuid4().hex[:16], items=len(items) + len(files), total=len(items))
        with self._lock:
            if sum(1 for j in self.jobs.values() if not j.finished) >= self.max_pending:
                raise QueueFull(f"{self.max_pending} uploads are already waiting: try again in a minute")
            self.jobs[job.id] = job
            self._forget_old()
        self._note_rejections(job, rejections or [])
        self._executor.submit(self._run, job, items, files)
        return job

    def _note_rejections(self, job: Job, rejections: list[Rejection]) -> None:
        job.rejections += [{"path": r.path, "reason": r.reason, "detail": r.detail} for r in rejections]
        for r in rejections:
            self.store.quarantine(r)

    def get(self, job_id: str) -> Optional[Job]:
        return self.jobs.get(job_id)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _forget_old(self) -> None:
        finished = [j for j in self.jobs.values() if j.finished]
        for job in sorted(finished, key=lambda j: j.created)[:max(0, len(self.jobs) - self.max_jobs_kept)]:
            del self.jobs[job.id]

    # ---------------------------------------------------------------- run
    def pipeline(self):
        """One Pipeline for the server's lifetime (spaCy loads on first use)."""
        if self._pipeline is None:
            from ..pipeline import Pipeline
            self._pipeline = Pipeline(self.settings) if self.settings is not None else Pipeline(progress=False)
        return self._pipeline

    def _run(self, job: Job, items: list[Any], files: list[tuple[str, bytes]]) -> None:
        from ..runner import run_texts

        job.status = "running"

        def progress(done: int, total: int, label: str) -> None:
            job.done, job.total, job.current = done, total, label
            if total and done >= total:
                job.phase = "resolving"
        try:
            if files:
                job.phase = "reading"
                articles, rejections = uploaded_articles(files, self.pipeline().settings)
                self._note_rejections(job, rejections)
                items = articles + items
                job.total = len(items)
            job.phase = "extracting"
            summary = run_texts(items, self.store, pipeline=self.pipeline(), progress=progress)
            job.summary = summary.as_dict()
            job.rejections += job.summary.get("rejections", [])
            job.done = job.total
            job.status = job.phase = "done"
        except Exception as exc:  # reported to the user through the job, never a crash of the server
            job.status = job.phase = "failed"
            job.error = f"processing failed ({exc.__class__.__name__}); the server log has the details"
            log.error("upload job %s failed: %s", job.id, redact_urls_in(str(exc)), exc_info=True)
        finally:
            job.finished = time.time()


def uploaded_articles(files: list[tuple[str, bytes]], settings) -> tuple[list[Article], list[Rejection]]:
    """Read uploaded files with the same ingest code as `crosswire run`, via a
    temporary folder (the readers pick the format from the file name), and
    record each article's path as `upload:<file name>`."""
    import os
    import tempfile

    from ..ingest import read_inputs

    articles: list[Article] = []
    rejections: list[Rejection] = []
    with tempfile.TemporaryDirectory(prefix="crosswire-upload-") as folder:
        paths = {}
        for i, (name, data) in enumerate(files):
            safe = os.path.basename(name.replace("\\", "/")) or f"upload-{i}.txt"
            path = os.path.join(folder, f"{i:04d}-{safe}")
            with open(path, "wb") as handle:
                handle.write(data)
            paths[path] = safe
        for item in read_inputs(sorted(paths), settings):
            label = f"upload:{paths.get(item.path, os.path.basename(item.path))}"
            if isinstance(item, Rejection):
                rejections.append(Rejection(label, item.reason, item.detail))
            else:
                item.path = label
                articles.append(item)
    return articles, rejections
