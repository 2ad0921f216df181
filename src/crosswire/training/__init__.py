"""Training: one entry point per shipped model, kept out of the runtime.

Nothing in the runtime (`crosswire.extract`, `resolve`, `store`, `outputs`,
...) or in the benchmarks (`crosswire.evaluate`) imports this package (the
layer contract in pyproject.toml, checked by `make check`); it imports them
(to compute features exactly as the runtime does), the corpus readers of
`crosswire.datasets`, and scikit-learn, and writes the plain arrays and
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
  reranker (data/quotes/content_rerank.json.gz).

The coreference models' trainers (`resolve/mention_encoder.py`,
`resolve/trigger_adapter.py`) serve only `crosswire eval coref` and stay
where they are until issue 23 settles what becomes of them.
"""
