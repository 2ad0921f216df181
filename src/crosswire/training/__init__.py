"""Training: one entry point per shipped model, kept out of the runtime.

Nothing in the runtime (`crosswire.extract`, `resolve`, `store`, `outputs`,
...) or in the benchmarks (`crosswire.evaluate`) imports this package (the
layer contract in pyproject.toml, checked by `make check`); it imports the
runtime (to compute features exactly as the runtime does), the corpus
readers of `crosswire.datasets`, the ECB+ benchmark's model definitions
(`crosswire.coref_models`) and scikit-learn, and writes the plain arrays and
weights the runtime reads from `crosswire/data/`. Each module has a typed
`Config` (a dataclass) that is also its command line (`commands.py`):

- `python -m crosswire.training.events`: the events stage's sentence-type
  model, role models and confidence model (docs/events.md);
- `python -m crosswire.training.event_classifier`: the GSR/ConfliBERT
  sentence classifier (data/events/event_model.npz);
- `python -m crosswire.training.quotes_spans`: the quotes stage's cue and
  role models (data/quotes/attribution_model.json.gz);
- `python -m crosswire.training.quotes_tagger`: the quotes tagger's LoRA
  adapter (data/quotes/tagger.safetensors);
- `python -m crosswire.training.quotes_rerank`: the content-boundary
  reranker (data/quotes/content_rerank.json.gz);
- `python -m crosswire.training.coref_mention_encoder` and
  `coref_trigger_adapter`: the ECB+ benchmark's mention encoder and trigger
  adapter (crosswire.coref_models), which only `crosswire eval coref` reads.

`adapters.py` holds what the LoRA trainers share (the optimiser step,
writing an adapter).
"""
