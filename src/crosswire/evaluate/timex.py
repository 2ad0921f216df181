"""Evaluate the time tagger on TempEval-3 TimeML files (Task A: TIMEX3).

    python -m crosswire.evaluate.timex ../shared/eval/tempeval3/train [--split dev|train|all|cv] [--json]
    crosswire eval timex DIR [--split dev|train|all|cv] [--json]

Each .tml file has a creation-time TIMEX3 (functionInDocument="CREATION_TIME")
that anchors the document, and TIMEX3 tags inside <TEXT>. We strip the tags to
get plain text with gold offsets, parse the text with spaCy (the tagger reads
tense from it), tag it anchored at the DCT, and score like the TempEval-3
official scorer:

- strict span P/R/F1: exact character span match;
- relaxed span P/R/F1: any overlap (one-to-one);
- type F1 and value F1: the attribute is right on a relaxed-matched span,
  precision over all system timexes, recall over all gold timexes.

Dev split: the 20 alphabetically last TimeBank files (`DEV_FILES`) are kept
aside for reporting; `--split train` is everything else, `--split all` both.
`--split cv` cross-validates the tagger's data-chosen settings over all the
files (`--folds`, default 5; see timex_cv.py): the figures are out-of-fold,
with the shipped settings' figures on the same files beside them.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Sequence

DEV_FILES: tuple[str, ...] = (
    "wsj_0981.tml", "wsj_0991.tml", "wsj_1003.tml", "wsj_1006.tml", "wsj_1008.tml",
    "wsj_1011.tml", "wsj_1013.tml", "wsj_1014.tml", "wsj_1025.tml", "wsj_1031.tml",
    "wsj_1033.tml", "wsj_1035.tml", "wsj_1038.tml", "wsj_1039.tml", "wsj_1040.tml",
    "wsj_1042.tml", "wsj_1073.tml", "wsj_0973.tml", "wsj_0950.tml", "wsj_0938.tml",
)


@dataclass
class GoldTimex:
    start: int
    end: int
    text: str
    type: str
    value: str


@dataclass
class TimeMLDoc:
    path: str
    dct: Optional[str]
    text: str
    timexes: list[GoldTimex] = field(default_factory=list)


_TEXT_RE = re.compile(r"<TEXT>(.*?)</TEXT>", re.S)
_TAG_RE = re.compile(r"<(/?)([A-Za-z0-9]+)([^>]*?)(/?)>", re.S)
_ATTR_RE = re.compile(r'(\w+)="([^"]*)"')
_DCT_RE = re.compile(r'<TIMEX3[^>]*functionInDocument="CREATION_TIME"[^>]*>', re.S)


def read_timeml(path: str) -> TimeMLDoc:
    """Plain text of <TEXT> with the gold TIMEX3 spans as offsets into it."""
    raw = open(path, encoding="utf-8").read()
    dct = None
    dct_tag = _DCT_RE.search(raw)
    if dct_tag:
        dct = dict(_ATTR_RE.findall(dct_tag.group(0))).get("value")
    body_match = _TEXT_RE.search(raw)
    body = body_match.group(1) if body_match else ""
    pieces: list[str] = []
    length = 0
    open_timex: Optional[tuple[int, dict]] = None
    golds: list[GoldTimex] = []
    pos = 0
    for tag in _TAG_RE.finditer(body):
        chunk = html.unescape(body[pos:tag.start()])
        pieces.append(chunk)
        length += len(chunk)
        pos = tag.end()
        closing, name = tag.group(1), tag.group(2)
        if name != "TIMEX3":
            continue
        if not closing:
            open_timex = (length, dict(_ATTR_RE.findall(tag.group(3))))
        elif open_timex is not None:
            start, attrs = open_timex
            golds.append(GoldTimex(start, length, "", attrs.get("type", ""), attrs.get("value", "")))
            open_timex = None
    pieces.append(html.unescape(body[pos:]))
    text = "".join(pieces)
    for g in golds:
        g.text = text[g.start:g.end]
    return TimeMLDoc(path=path, dct=dct, text=text, timexes=golds)


def list_files(path: str, split: str = "all", files: Optional[Sequence[str]] = None) -> list[str]:
    """The .tml files under `path` (a file or a directory, recursive), filtered
    by split: dev = DEV_FILES, train = the rest, all = everything."""
    if os.path.isfile(path):
        found = [path]
    else:
        found = sorted(os.path.join(root, name) for root, _dirs, names in os.walk(path)
                       for name in names if name.endswith(".tml"))
    if files:
        wanted = set(files)
        found = [f for f in found if os.path.basename(f) in wanted]
    if split == "dev":
        found = [f for f in found if os.path.basename(f) in DEV_FILES]
    elif split == "train":
        found = [f for f in found if os.path.basename(f) not in DEV_FILES]
    return found


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


def run(path: str, args: Any = None) -> dict[str, Any]:
    """Tag every TimeML file under `path` and return the TempEval-3 metrics.

    `args` may be None, an argparse Namespace, a dict or a list of CLI words;
    it may carry `split` ("dev", "train", "all"), `files` (comma-separated
    names), `limit` (first N files) and `errors` (a TSV path for error analysis)."""
    from ..annotate import load_nlp

    opts = _parse_args(args)
    split = getattr(opts, "split", "all") or "all"
    files = getattr(opts, "files", None)
    if isinstance(files, str):
        files = [f.strip() for f in files.split(",") if f.strip()]
    nlp = load_nlp()
    paths = list_files(path, "all" if split == "cv" else split, files)
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
    if not opts.path:
        print("usage: python -m crosswire.evaluate.timex PATH [--split dev|train|all] [--json]", file=sys.stderr)
        return 2
    metrics = run(opts.path, opts)
    print(json.dumps(metrics) if opts.json else format_line(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
