"""Loading bundled tables and models once per process, and building many
small objects without the cyclic garbage collector.

Why pause the collector: building hundreds of thousands of small dicts,
lists, tuples and frozensets sets off full collections, and each one rescans
every object already alive (spaCy's and torch's included). Loading the CAMEO
verb table took 0.9 s with the collector on and 0.05 s with it off (every
Spark executor's Python worker pays these loads before its first article);
resolution's items, edges and heap entries more than doubled its time at 50k
mentions (bench/resolve.py). Such objects are acyclic, so reference counting
frees them; the collector is restored (if it was on) when the block ends.
"""
from __future__ import annotations

import functools
import gc
import gzip
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, TypeVar

T = TypeVar("T")


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_once(loader: Callable[..., T]) -> Callable[..., T]:
    """Cache `loader`'s result per arguments for the life of the process
    (functools.lru_cache), building it with the collector paused. Only a
    cache miss pauses the collector; a hit costs what lru_cache costs."""
    @functools.wraps(loader)
    def build(*args, **kwargs):
        with paused_gc():
            return loader(*args, **kwargs)
    return functools.lru_cache(maxsize=None)(build)


def read_json_gz(path: str | Path) -> Optional[Any]:
    """A gzipped JSON file (shipped weights, caches), or None when it does not
    exist: a model that has not been trained yet is a state, not an error."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        return None


def write_json_gz(path: str | Path, data: Any) -> None:
    """Write `data` as compact gzipped JSON, creating the folder."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(data, fh, separators=(",", ":"), sort_keys=True)


def read_jsonl(path: str | Path) -> list:
    """The JSON rows of a .jsonl file, gzipped when its name ends in .gz
    (exported mentions, pair logits); blank lines are skipped."""
    path = str(path)
    with (gzip.open(path, "rt", encoding="utf-8") if path.endswith(".gz") else open(path, encoding="utf-8")) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_jsonl(path: str | Path, rows) -> None:
    """Write one JSON row per line, gzipped when the name ends in .gz."""
    path = str(path)
    with (gzip.open(path, "wt", encoding="utf-8") if path.endswith(".gz") else open(path, "w", encoding="utf-8")) as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
