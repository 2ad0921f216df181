"""`crosswire eval news DIR`: the whole-article event benchmark.

DIR holds `articles.jsonl` (whole news articles) and `gold.jsonl` (every
event a PLOVER coder would record from them; see the folder's
GUIDELINES.md). The default pipeline runs on the articles into a fresh
temporary store, exactly as `crosswire run DIR/articles.jsonl --out OUT`
does, and its `events.json` is scored the way the gold folder's `score.py`
scores it: every event mention is a prediction (article, sentence, type),
matched one-to-one to a gold line of the same article whose sentence
overlaps and whose type (or one of its `alt_types`) agrees.

Why a copy of the scoring rules and not a call to score.py: the package
must not depend on a file beside the repository, and the figures must be
computable from any events.json (`datasets.news_events.score_events`).
tests/test_eval_news.py checks that both give the same figures on the same
events.json.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Optional

from ..datasets.news_events import score_dir

# ------------------------------------------------------------------- running
def events_json(paths: Iterable[str], pipeline=None) -> dict:
    """events.json of a `crosswire run` over `paths` into a fresh temporary
    store, with the default settings unless a pipeline is given."""
    from ..outputs.renderers import ExportSource, renderer
    from ..pipeline import Pipeline
    from ..runner import run_paths
    from ..store import open_store

    pipe = pipeline or Pipeline()
    with tempfile.TemporaryDirectory() as tmp:
        with open_store(os.path.join(tmp, "news.duckdb")) as store:
            run_paths(list(paths), store, pipe, progress=False)
            return json.loads(renderer("json").render(ExportSource(store=store)))


def run(path: Optional[str], args: Any = None) -> dict[str, Any]:
    folder = Path(path or ".")
    if not (folder / "articles.jsonl").exists() or not (folder / "gold.jsonl").exists():
        raise FileNotFoundError(f"{folder}: needs articles.jsonl and gold.jsonl (see its GUIDELINES.md)")
    return score_dir(events_json([str(folder / "articles.jsonl")]), folder)


def format_line(m: dict[str, Any]) -> str:
    return (f"news: precision {m['precision']:.3f} recall {m['recall']:.3f} f1 {m['f1']:.3f} "
            f"fully-right {m['fully_right_precision']:.3f} actor {m['actor_accuracy']:.3f} "
            f"status {m['status_accuracy']:.3f} date {m['date_accuracy']:.3f} merge-f1 {m['merge_f1']:.3f} "
            f"({m['matched']}/{m['predictions']} predictions, {m['gold']} gold, {m['articles_found']}/"
            f"{m['articles']} articles)")
