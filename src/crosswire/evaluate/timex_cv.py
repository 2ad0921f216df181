"""Cross-validated selection of the time tagger's data-chosen settings.

    crosswire eval timex ../shared/eval/tempeval3/train --split cv [--json]
    python -m crosswire.evaluate.timex ../shared/eval/tempeval3/train --split cv --folds 5

The settings in `extract.time.params.TimeParams` (how far tense may move a
date, the undecided weekday, the type of "Friday night", and a switch for
every rule, fixed phrase and tense pattern) are chosen on data. To measure
the choosing honestly, the documents are split into folds (by a hash of the
file name); for each fold the settings are chosen on the other folds and the
fold is tagged with them. The pooled out-of-fold figures estimate what the
choosing gives on unseen documents; the figures of the shipped `DEFAULT`
(the choice on all documents) on the same documents are in-sample, as are
those of the hand-written rules themselves.

Choosing: starting from `DESIGN`, each single change (one switch flipped, one
other value of a setting) is scored on the training folds by value F1; for
each setting the best value is kept, and each switch flipped whose change
gains at least `MIN_GAIN` value-correct timexes (net of what it costs in
precision) in at least `MIN_DOCS` documents; a setting's other value must
clear the same bar. Single
changes are scored one at a time (one tagging pass of the corpus each, about
0.2 s); the chosen combination is then scored exactly on the held-out fold.
"""
from __future__ import annotations

import os
import zlib
from dataclasses import dataclass, replace
from typing import Any, Optional, Sequence

import numpy as np

from ..extract.time import params as P
from ..extract.time.rules import RULES
from ..extract.time.tagger import tag_text
from ..extract.time.tense import TENSE_PATTERNS
from ..extract.time.vocab import SETS, VAGUE

FOLDS = 5
# A change is made only when, on the training folds, it gains at least this
# many value-correct timexes net of its precision cost, in at least MIN_DOCS
# documents: one document's annotator habit is not evidence.
MIN_GAIN = 2.0
MIN_DOCS = 2
# ... and it must not lose in any of the training folds taken alone.
REQUIRE_CONSISTENT = True
SETTING_GRID: dict[str, tuple] = {
    "max_directed_days": (60, 90, 120, 150, 200, 300, 100_000),
    "quarter_context_chars": (0, 150, 300, 600, 1500),
    "undecided_weekday": (P.PAST, P.UNDECIDED),
    "day_part_type": ("DATE", "TIME"),
}
# per-document counts kept for each candidate change
COUNTS = ("gold", "system", "strict", "relaxed", "type", "value")


def fold_of(path: str, folds: int = FOLDS) -> int:
    """Fold of a document, from a hash of its file name (stable across runs and subsets)."""
    return zlib.crc32(os.path.basename(path).encode("utf-8")) % folds


@dataclass(frozen=True)
class Change:
    """One departure from a base TimeParams: a setting's other value, or a switch flipped."""

    name: str
    params: P.TimeParams
    setting: Optional[str] = None  # the setting it changes, None for a switch


def switches() -> list[str]:
    """Every switch TimeParams knows: rules, fixed phrases, tense patterns, candidates."""
    names = [f"rule:{r.name}" for r in RULES] + [f"vague:{p}" for p in VAGUE] + [f"set:{p}" for p in SETS]
    names += [f"tense:{t}" for t in TENSE_PATTERNS]
    return sorted(set(names) | set(P.CANDIDATES))


def candidate_changes(base: P.TimeParams) -> list[Change]:
    """Every single change from `base`."""
    changes = []
    for setting, values in SETTING_GRID.items():
        for value in values:
            if value != getattr(base, setting):
                changes.append(Change(f"{setting}={value}", replace(base, **{setting: value}), setting))
    for switch in switches():
        enabled = base.enabled(switch)
        changes.append(Change(("-" if enabled else "+") + switch, base.with_switch(switch, not enabled)))
    return changes


def document_counts(golds: Sequence[Any], spacy_docs: Sequence[Any], params: P.TimeParams) -> np.ndarray:
    """(documents x COUNTS) of one tagging pass with `params`."""
    from .timex import _dct_date, score

    rows = []
    for gold, spacy_doc in zip(golds, spacy_docs):
        found = tag_text(gold.text, _dct_date(gold.dct), doc=spacy_doc, params=params)
        m = score([(gold, found)])
        rows.append([m["gold"], m["system"], m["strict_match"], m["relaxed_match"], m["type_correct"],
                     m["value_correct"]])
    return np.array(rows, dtype=float)


def value_f1(counts: np.ndarray) -> float:
    total = counts.sum(axis=0)
    denominator = total[0] + total[1]
    return 2 * total[5] / denominator if denominator else 0.0


def _net_gain(base: np.ndarray, changed: np.ndarray) -> float:
    """Value-correct timexes gained, net of the precision cost of extra
    system timexes (each costs F/2 at the current F1): the change in value F1
    times half the denominator."""
    total = base.sum(axis=0)
    return (value_f1(changed) - value_f1(base)) * (total[0] + total[1]) / 2


def choose(base: P.TimeParams, base_counts: np.ndarray, changes: Sequence[Change],
           change_counts: Sequence[np.ndarray], fold: np.ndarray, held_out: Optional[int]) -> tuple[P.TimeParams, list[str]]:
    """The params chosen on every fold but `held_out` (None: on all)."""
    chosen = base
    notes = []
    best_setting: dict[str, tuple[float, Change]] = {}
    training = sorted(set(fold) - {held_out})
    docs = fold != held_out
    for change, counts in zip(changes, change_counts):
        gain = _net_gain(base_counts[docs], counts[docs])
        moved = np.abs(counts[docs] - base_counts[docs]).sum(axis=1) > 0
        consistent = all(_net_gain(base_counts[fold == k], counts[fold == k]) >= 0 for k in training)
        if gain < MIN_GAIN or moved.sum() < MIN_DOCS or (REQUIRE_CONSISTENT and not consistent):
            continue
        if change.setting is not None:
            if gain > best_setting.get(change.setting, (0.0, None))[0]:
                best_setting[change.setting] = (gain, change)
        else:
            chosen = chosen.with_switch(change.name[1:], change.name[0] == "+")
            notes.append(f"{change.name} ({gain:+.1f})")
    for setting, (gain, change) in sorted(best_setting.items()):
        chosen = replace(chosen, **{setting: getattr(change.params, setting)})
        notes.append(f"{change.name} ({gain:+.1f})")
    return chosen, notes


def cross_validate(golds: Sequence[Any], spacy_docs: Sequence[Any], folds: int = FOLDS,
                   base: P.TimeParams = P.DESIGN, shipped: P.TimeParams = P.DEFAULT) -> dict[str, Any]:
    """Out-of-fold figures of choosing the params from `base` on the other
    folds, the figures of the `shipped` params on the same documents, and the
    choice on all of them (which `shipped` should equal)."""
    from .timex import score

    fold = np.array([fold_of(g.path, folds) for g in golds])
    base_counts = document_counts(golds, spacy_docs, base)
    changes = candidate_changes(base)
    change_counts = [document_counts(golds, spacy_docs, c.params) for c in changes]
    effective = [(c, n) for c, n in zip(changes, change_counts) if not np.array_equal(n, base_counts)]
    changes, change_counts = [c for c, _ in effective], [n for _, n in effective]
    out_of_fold: list[tuple[Any, list]] = []
    per_fold = []
    for k in range(folds):
        params, notes = choose(base, base_counts, changes, change_counts, fold, k)
        held = [i for i in range(len(golds)) if fold[i] == k]
        tagged = [(golds[i], _tag(golds[i], spacy_docs[i], params)) for i in held]
        out_of_fold += tagged
        per_fold.append({"fold": k, "documents": len(held), "chosen": notes,
                         "value_f1": score(tagged)["value_f1"], "value_f1_design": value_f1(base_counts[fold == k])})
    all_params, all_notes = choose(base, base_counts, changes, change_counts, fold, None)
    return {
        "folds": per_fold,
        "out_of_fold": score(out_of_fold),
        "design": score([(g, _tag(g, d, base)) for g, d in zip(golds, spacy_docs)]),
        "shipped": score([(g, _tag(g, d, shipped)) for g, d in zip(golds, spacy_docs)]),
        "chosen_on_all": all_notes,
        "chosen_on_all_params": _describe(all_params),
        "shipped_is_chosen": all_params == shipped,
        "effective_changes": len(changes),
    }


def _tag(gold: Any, spacy_doc: Any, params: P.TimeParams) -> list:
    from .timex import _dct_date

    return tag_text(gold.text, _dct_date(gold.dct), doc=spacy_doc, params=params)


def _describe(params: P.TimeParams) -> dict[str, Any]:
    return {"max_directed_days": params.max_directed_days, "quarter_context_chars": params.quarter_context_chars,
            "undecided_weekday": params.undecided_weekday, "day_part_type": params.day_part_type,
            "off": sorted(params.off), "on": sorted(params.on)}


def format_report(result: dict[str, Any]) -> str:
    """Per-fold choices and figures, and the choice on all documents."""
    lines = []
    for f in result["folds"]:
        lines.append(f"fold {f['fold']} ({f['documents']} docs): value F1 {f['value_f1']:.3f} "
                     f"(DESIGN {f['value_f1_design']:.3f}); chosen on the other folds: "
                     + (", ".join(f["chosen"]) or "DESIGN unchanged"))
    lines.append("chosen on all documents: " + (", ".join(result["chosen_on_all"]) or "DESIGN unchanged")
                 + ("" if result["shipped_is_chosen"] else "  -- differs from the shipped params.DEFAULT!"))
    return "\n".join(lines)
