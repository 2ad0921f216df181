"""Evaluate the time tagger on TempEval-3 TimeML files (Task A: TIMEX3).

    python -m crosswire.evaluate.timex [DIR] [--split dev|train|all|cv] [--folds N] [--json]
    crosswire eval timex [DIR] --split dev|train|all|cv [--json]   (DIR: <data root>/eval/tempeval3/train)

crosswire.datasets.timeml reads each .tml file: the plain text of <TEXT> with
the gold TIMEX3 offsets, and the creation time (DCT) that anchors the
document. We parse the text with spaCy (the tagger reads tense from it), tag
it anchored at the DCT, and score like the TempEval-3 official scorer:

- strict span P/R/F1: exact character span match;
- relaxed span P/R/F1: any overlap (one-to-one);
- type F1 and value F1: the attribute is right on a relaxed-matched span,
  precision over all system timexes, recall over all gold timexes.

Dev split: the 20 alphabetically last TimeBank files (`timeml.DEV_FILES`) are
kept aside for reporting; `--split train` is everything else, `--split all` both.
`--split cv` cross-validates the tagger's data-chosen settings over all the
files (`--folds`, default 5; see timex_cv.py): the figures are out-of-fold,
with the shipped settings' figures on the same files beside them.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any, Iterable, Optional, Sequence

from ..datasets import corpus_path
from ..datasets.timeml import DEFAULT_PATH, GoldTimex, TimeMLDoc, list_files, read_timeml

def _dct_date(value: Optional[str]) -> Optional[str]:
    if value and re.match(r"\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return None


def tag_document(doc: TimeMLDoc, nlp) -> list[Any]:
    """Run our tagger over one TimeML document, anchored at its DCT."""
    from ..extract.time import tag_text

    spacy_doc = nlp(doc.text)
    return tag_text(doc.text, _dct_date(doc.dct), doc=spacy_doc)


def _match(gold: list[GoldTimex], system: list[Any]) -> tuple[int, list[tuple[GoldTimex, Any]]]:
    """Strict match count and the one-to-one relaxed (overlap) pairs."""
    strict = len({(g.start, g.end) for g in gold} & {(s.start, s.end) for s in system})
    pairs = []
    used: set[int] = set()
    for g in gold:
        best, best_overlap = None, 0
        for i, s in enumerate(system):
            if i in used:
                continue
            overlap = min(g.end, s.end) - max(g.start, s.start)
            if overlap > best_overlap:
                best, best_overlap = i, overlap
        if best is not None:
            used.add(best)
            pairs.append((g, system[best]))
    return strict, pairs


def _prf(correct: int, n_system: int, n_gold: int) -> tuple[float, float, float]:
    p = correct / n_system if n_system else 0.0
    r = correct / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(documents: Iterable[tuple[TimeMLDoc, list[Any]]], errors: Optional[list] = None) -> dict[str, Any]:
    """TempEval-3 Task A figures over (gold document, system timexes) pairs."""
    n_gold = n_sys = strict = relaxed = type_ok = value_ok = n_docs = 0
    for doc, system in documents:
        n_docs += 1
        n_gold += len(doc.timexes)
        n_sys += len(system)
        s, pairs = _match(doc.timexes, system)
        strict += s
        relaxed += len(pairs)
        matched_sys = set()
        for g, t in pairs:
            matched_sys.add(id(t))
            type_ok += g.type == t.type
            value_ok += g.value == t.value
            if errors is not None and (g.value != t.value or g.type != t.type or (g.start, g.end) != (t.start, t.end)):
                errors.append(("MISMATCH", os.path.basename(doc.path), doc.dct, g.text, g.type, g.value,
                               t.text, t.type, t.value, t.rule))
        if errors is not None:
            matched_gold = {id(g) for g, _ in pairs}
            for g in doc.timexes:
                if id(g) not in matched_gold:
                    errors.append(("MISSED", os.path.basename(doc.path), doc.dct, g.text, g.type, g.value,
                                   _context(doc.text, g.start, g.end)))
            for t in system:
                if id(t) not in matched_sys:
                    errors.append(("SPURIOUS", os.path.basename(doc.path), doc.dct, t.text, t.type, t.value,
                                   t.rule, _context(doc.text, t.start, t.end)))
    sp, sr, sf = _prf(strict, n_sys, n_gold)
    rp, rr, rf = _prf(relaxed, n_sys, n_gold)
    return {
        "documents": n_docs, "gold": n_gold, "system": n_sys,
        "strict_match": strict, "relaxed_match": relaxed, "type_correct": type_ok, "value_correct": value_ok,
        "strict_precision": sp, "strict_recall": sr, "strict_f1": sf,
        "relaxed_precision": rp, "relaxed_recall": rr, "relaxed_f1": rf,
        "type_f1": _prf(type_ok, n_sys, n_gold)[2],
        "value_f1": _prf(value_ok, n_sys, n_gold)[2],
    }


def _context(text: str, start: int, end: int, width: int = 50) -> str:
    return (text[max(0, start - width):start] + "[" + text[start:end] + "]" + text[end:end + width]).replace("\n", " ")


def _parse_args(args: Any) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="crosswire eval timex")
    parser.add_argument("path", nargs="?")
    parser.add_argument("--split", choices=("all", "dev", "train", "cv"), default="all")
    parser.add_argument("--folds", type=int, default=None, help="folds for --split cv (default 5)")
    parser.add_argument("--files", default=None, help="comma-separated file names to keep")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", default=None, help="write a TSV of mismatches to this file")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N files")
    if args is None:
        return parser.parse_args([])
    if isinstance(args, argparse.Namespace):
        return args
    if isinstance(args, dict):
        return argparse.Namespace(**{**vars(parser.parse_args([])), **args})
    return parser.parse_args(list(args))


def run(path: Optional[str], args: Any = None) -> dict[str, Any]:
    """Tag every TimeML file under `path` (default: TempEval-3's train folder
    under the data root) and return the TempEval-3 metrics.

    `args` may be None, an argparse Namespace, a dict or a list of CLI words;
    it may carry `split` ("dev", "train", "all", or "cv" with `folds`),
    `files` (comma-separated names), `limit` (first N files) and `errors`
    (a TSV path for error analysis)."""
    from ..annotate import load_nlp

    opts = _parse_args(args)
    split = getattr(opts, "split", "all") or "all"
    files = getattr(opts, "files", None)
    if isinstance(files, str):
        files = [f.strip() for f in files.split(",") if f.strip()]
    nlp = load_nlp()
    paths = list_files(path or str(corpus_path(DEFAULT_PATH)), "all" if split == "cv" else split, files)
    if getattr(opts, "limit", None):
        paths = paths[:opts.limit]
    docs = [read_timeml(p) for p in paths]
    if split == "cv":
        return _cross_validate(docs, nlp, getattr(opts, "folds", None))
    errors: Optional[list] = [] if getattr(opts, "errors", None) else None
    metrics = score(((d, tag_document(d, nlp)) for d in docs), errors)
    metrics["split"] = split
    if errors is not None:
        with open(opts.errors, "w", encoding="utf-8") as fh:
            for row in errors:
                fh.write("\t".join(str(x) for x in row) + "\n")
    return metrics


def _cross_validate(docs: list[TimeMLDoc], nlp, folds: Optional[int]) -> dict[str, Any]:
    """Out-of-fold metrics (top level, like the other splits) plus the
    shipped settings' metrics and the per-fold choices."""
    from . import timex_cv

    spacy_docs = list(nlp.pipe([d.text for d in docs], batch_size=16))
    result = timex_cv.cross_validate(docs, spacy_docs, folds or timex_cv.FOLDS)
    metrics = dict(result["out_of_fold"])
    metrics.update(split="cv", **{key: result[key] for key in ("design", "shipped", "folds", "chosen_on_all",
                                                               "chosen_on_all_params", "shipped_is_chosen")})
    return metrics


def format_line(metrics: dict[str, Any]) -> str:
    """One line of the headline figures; for --split cv, the per-fold choices
    and the shipped settings' line on the same documents come first."""
    if metrics.get("split") == "cv":
        from .timex_cv import format_report

        return "\n".join((format_report(metrics),
                          format_line(dict(metrics["shipped"], split="shipped DEFAULT, in-sample")),
                          format_line(dict(metrics, split="cv, out-of-fold"))))
    return (f"timex ({metrics.get('split', 'all')}, {metrics['documents']} docs, {metrics['gold']} gold, "
            f"{metrics['system']} system): strict F1 {metrics['strict_f1']:.3f}, relaxed F1 "
            f"{metrics['relaxed_f1']:.3f} (P {metrics['relaxed_precision']:.3f} R {metrics['relaxed_recall']:.3f}), "
            f"type F1 {metrics['type_f1']:.3f}, value F1 {metrics['value_f1']:.3f}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    opts = _parse_args(sys.argv[1:] if argv is None else argv)
    metrics = run(opts.path, opts)
    print(json.dumps(metrics) if opts.json else format_line(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
