"""Score the quotes stage on PolNeAR (attribution relations in political news).

PolNeAR (Newell, Margolin & Ruths, LREC 2018) annotates every attribution in
an article as brat stand-off: a Source span, a Cue span and a Content span,
linked by one `E` line. We run crosswire's quotes stage on each text and
compare its (source, cue, content) spans with the gold ones.

Span units. A brat span may be discontinuous ("start end;start end"): an
interrupted quote or a span broken at a line break. Fragments separated only
by whitespace are joined; each remaining fragment is one span unit, on both
the gold and the predicted side (a predicted interrupted quote gives two
content units, as the gold does). Spans are compared after trimming
surrounding whitespace.

Matching, per role (source, cue, content):
- exact: a predicted unit equals a gold unit's character boundaries;
- overlap: a predicted unit shares at least one token (a non-space character
  run) with a gold unit of the same role.
Precision = matched predicted units / predicted units; recall = gold units
matched by some prediction / gold units (each gold unit counted once).

The corpus is read by crosswire.datasets.polnear (one .ann file per article:
the lowest annotator id).

    .venv/bin/python -m crosswire.evaluate.quotes [DIR, default <data root>/eval/polnear/dev] [--json]
    # held-out train (decoding choices are made there, not on dev):
    .venv/bin/python -m crosswire.evaluate.quotes ../shared/eval/polnear/train --docs 700:840 \
        --model model_fitted_on_0_699.json.gz
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any, Iterable, Optional

from .. import runstamp
from ..datasets import corpus_path
from ..datasets.polnear import (ANNOTATOR_CHOICE, DEFAULT_PATH, ROLES, PolnearDoc, doc_units, read_polnear,
                                several_annotators)


def _token_sets(text: str, units: Iterable[tuple[int, int]]) -> dict[tuple[int, int], set[int]]:
    """Start offsets of the non-space runs inside each unit (its tokens)."""
    return {u: {m.start() + u[0] for m in re.finditer(r"\S+", text[u[0]:u[1]])} for u in units}


def score_doc(text: str, gold: dict[str, set], pred: dict[str, set], counts: dict[str, int]) -> None:
    """Add one document's exact and overlap matches to `counts`."""
    for role in ROLES:
        g, p = gold[role], pred[role]
        counts[f"{role}_gold"] += len(g)
        counts[f"{role}_pred"] += len(p)
        counts[f"{role}_exact_tp"] += len(g & p)
        gtok, ptok = _token_sets(text, g), _token_sets(text, p)
        covered_gold: set[int] = set().union(*gtok.values()) if gtok else set()
        covered_pred: set[int] = set().union(*ptok.values()) if ptok else set()
        counts[f"{role}_overlap_pred_tp"] += sum(1 for toks in ptok.values() if toks & covered_gold)
        counts[f"{role}_overlap_gold_tp"] += sum(1 for toks in gtok.values() if toks & covered_pred)


def metrics_from_counts(counts: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for role in ROLES:
        n_gold, n_pred = counts[f"{role}_gold"], counts[f"{role}_pred"]
        for kind, p_tp, r_tp in (
            ("exact", counts[f"{role}_exact_tp"], counts[f"{role}_exact_tp"]),
            ("overlap", counts[f"{role}_overlap_pred_tp"], counts[f"{role}_overlap_gold_tp"]),
        ):
            p = p_tp / n_pred if n_pred else 0.0
            r = r_tp / n_gold if n_gold else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            out[f"{role}_p_{kind}"] = round(p, 4)
            out[f"{role}_r_{kind}"] = round(r, 4)
            out[f"{role}_f1_{kind}"] = round(f, 4)
        out[f"{role}_gold"] = n_gold
        out[f"{role}_pred"] = n_pred
    return out


# ---------------------------------------------------------------- running
def predicted_attributions(doc: Any, use_tagger: bool = False, model: Any = None) -> list[Any]:
    """The quotes stage's span layer on one parsed text (the same function the
    stage calls, before its speech-cue filter, with the same
    `Settings.quotes_tagger`): objects with source/cue/content fragment lists,
    like GoldAttribution. `model`: other linear weights than the shipped ones
    (a model fitted on part of train, scored on the rest)."""
    from ..extract.quotes.spans import attribution_spans

    return attribution_spans(doc, model=model, use_tagger=use_tagger)


def select_docs(docs: list[PolnearDoc], limit: Optional[int] = None,
                docs_range: Optional[str] = None) -> list[PolnearDoc]:
    """The documents to score: a slice "A:B" of the sorted article list (the
    held-out part of train, "700:840", on which decoding choices are made
    instead of dev), then the first `limit`."""
    if docs_range:
        a, _, b = docs_range.partition(":")
        docs = docs[int(a) if a else None:int(b) if b else None]
    return docs[: int(limit)] if limit else docs


def run(path: Optional[str], args: Optional[Any] = None) -> dict[str, Any]:
    """Score source/cue/content spans on a PolNeAR split directory (default:
    the dev split under the data root)."""
    from ..annotate import load_nlp
    from ..config import Settings

    path = path or str(corpus_path(DEFAULT_PATH))
    settings = Settings.load(progress=False)
    use_tagger = settings.quotes_tagger
    runstamp.require_loaded(settings, "quotes")  # score the configured models, never a quietly weaker one
    docs = select_docs(list(read_polnear(path)), getattr(args, "limit", None), getattr(args, "docs", None))
    model_path = getattr(args, "model", None)
    model = None
    if model_path:
        from ..extract.quotes.spans import load_model

        model = load_model(str(model_path))
    nlp = load_nlp()
    counts: dict[str, int] = {f"{r}_{k}": 0 for r in ROLES
                              for k in ("gold", "pred", "exact_tp", "overlap_pred_tp", "overlap_gold_tp")}
    for pdoc, sdoc in zip(docs, nlp.pipe((d.text for d in docs), batch_size=16)):
        gold = doc_units(pdoc.text, pdoc.attributions)
        pred = doc_units(pdoc.text, predicted_attributions(sdoc, use_tagger, model))
        score_doc(pdoc.text, gold, pred, counts)
    metrics = metrics_from_counts(counts)
    metrics["documents"] = len(docs)
    metrics["tagger"] = use_tagger
    docs_range = getattr(args, "docs", None)
    if docs_range:
        metrics["docs_range"] = docs_range
    metrics["annotator_choice"] = ANNOTATOR_CHOICE
    metrics["articles_with_several_annotators"] = several_annotators(path)
    return metrics


def format_line(metrics: dict[str, Any]) -> str:
    """One comparable line: exact and overlap F1 per role."""
    parts = [f"{r} F1 exact {metrics[f'{r}_f1_exact']:.3f} overlap {metrics[f'{r}_f1_overlap']:.3f}" for r in ROLES]
    line = f"quotes (PolNeAR, {metrics.get('documents', '?')} docs): " + "; ".join(parts)
    if "annotator_choice" in metrics:
        line += (f"\n  annotators: {metrics['annotator_choice']}; "
                 f"{metrics.get('articles_with_several_annotators', 0)} articles had several")
    return line


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="crosswire.evaluate.quotes", description=__doc__.split("\n")[0])
    parser.add_argument("path", nargs="?", help="a PolNeAR split directory with text/ and attributions/ "
                                                 f"(default: <data root>/{DEFAULT_PATH})")
    parser.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N documents")
    parser.add_argument("--docs", default=None, metavar="A:B",
                        help="score only articles A..B-1 of the sorted list (held-out train: 700:840)")
    parser.add_argument("--model", default=None,
                        help="linear weights to use instead of the shipped ones (e.g. fitted on train 0:700)")
    args = parser.parse_args(argv)
    metrics = run(args.path, args)
    print(json.dumps(metrics, sort_keys=True) if args.json else format_line(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
