"""Training: one entry point per shipped model, kept out of the runtime.

Nothing under `crosswire.extract`, `resolve`, `store`, `outputs` or `web`
imports this package; it imports them (to compute features exactly as the
runtime does) and scikit-learn, and writes the plain arrays and weights the
runtime reads from `crosswire/data/`.

- `python -m crosswire.training.events`: the events stage's sentence-type
  model, role models and confidence model (docs/events.md).
"""
