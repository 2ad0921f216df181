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
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

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
