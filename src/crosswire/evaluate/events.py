"""Evaluate event coding: `crosswire eval events FILE [--json] [--split dev]`.

Two gold formats:
- JSON list in the shape of PLOVER_GSR_CAMEO.txt (`text`, `event`,
  `source`/`target` lists with `code`): PLOVER 0.5 names are mapped to current
  PLOVER (DEMAND->REQUEST, DISAPPROVE/INVESTIGATE->ACCUSE, FIGHT->ASSAULT);
  records carrying a CAMEO code instead (`cameo`/`CAMEO`/`code`) go through
  CAMEO2PLOVER (CAMEO 01-02 -> NONE). Metrics: `accuracy` and `macro_f1` of
  the main event's PLOVER coding (`plover_export_type`: an announced future
  cooperative act is AGREE, as PLOVER codes it; NONE when the coder finds no
  event), and
  `actor_code_accuracy`: the share of gold source/target codes found among
  the main event's actors/recipients (same role), codes compared at the
  country level (IGO/NGO codes as "IGO"/"NGO", CAMEO-era country codes such
  as JAP mapped to ISO). `actor_code_accuracy_any_role` ignores the role.
- TSV `sentence<TAB>label` with the CAMEO pentaclass 0-4:
  `pentaclass_accuracy`, `pentaclass_macro_f1`.

Each sentence is coded by `crosswire.extract.events.code_sentences`, the
same actors and events code the pipeline runs. `--split dev|train|all`
selects the fixed 15% dev part the classifier never trained on (default all).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Optional

CAMEO_TO_ISO = {"JAP": "JPN", "ITL": "ITA", "ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "SER": "SRB",
                "YUG": "SRB", "UKG": "GBR", "GMY": "DEU", "BOS": "BIH", "ANG": "AGO"}


def run(path: str, args: Any = None) -> dict:
    """Metrics (fractions 0-1) for a gold file; see the module docstring."""
    from ..datasets.conflibert import pentaclass_records
    from ..datasets.hash_split import split
    from ..datasets.plover_gsr import gsr_records

    part = getattr(args, "split", None) or "all"
    if Path(path).read_text(encoding="utf-8").lstrip().startswith("["):
        return run_json(split(gsr_records(path), part))
    return run_tsv(split(pentaclass_records(path), part))


def run_json(records: list[dict]) -> dict:
    """PLOVER type and actor-code scores of GSR-shaped records (datasets.plover_gsr)."""
    from ..extract.events import code_sentences

    gold = [(r, r["label"]) for r in records]
    t0 = time.time()
    codings = code_sentences([r["text"] for r, _ in gold])
    elapsed = time.time() - t0
    y_true = [label for _, label in gold]
    y_pred = [(c.main.plover_export_type or c.main.event_type) if c.main else "NONE" for c in codings]
    y_best = [(c.best.plover_export_type or c.best.event_type) if c.best else "NONE" for c in codings]
    role_hits = any_hits = total = 0
    for (r, _), c in zip(gold, codings):
        pred_actors = {norm_pred(p) for p in (c.main.actors if c.main else [])}
        pred_recips = {norm_pred(p) for p in (c.main.recipients if c.main else [])}
        for role, pred in (("source", pred_actors), ("target", pred_recips)):
            for g in as_list(r.get(role)):
                code = norm_gold(g.get("code"))
                if not code:
                    continue
                total += 1
                role_hits += code in pred
                any_hits += code in (pred_actors | pred_recips)
    # accuracy: the events output (below the confidence threshold a sentence outputs none, NONE);
    # best_candidate_accuracy: the most confident candidate's type, as a sentence classifier is scored
    out = {"n": len(gold), **type_scores(y_true, y_pred),
           "best_candidate_accuracy": sum(t == p for t, p in zip(y_true, y_best)) / len(gold) if gold else 0.0,
           "output_share": sum(c.main is not None for c in codings) / len(gold) if gold else 0.0,
           "actor_code_accuracy": role_hits / total if total else 0.0,
           "actor_code_accuracy_any_role": any_hits / total if total else 0.0,
           "actor_codes": total, "sentences_per_s": len(gold) / elapsed if elapsed else 0.0}
    return out


def run_tsv(records: list[dict]) -> dict:
    """CAMEO pentaclass scores of ConfliBERT-shaped records (datasets.conflibert)."""
    from ..extract.events import code_sentences, pentaclass_of

    rows = [(r["text"], r["label"]) for r in records]
    t0 = time.time()
    codings = code_sentences([s for s, _ in rows])
    elapsed = time.time() - t0
    y_true = [l for _, l in rows]
    y_pred = [pentaclass_of(c) for c in codings]
    scores = type_scores(y_true, y_pred)
    return {"n": len(rows), "pentaclass_accuracy": scores["accuracy"], "pentaclass_macro_f1": scores["macro_f1"],
            "sentences_per_s": len(rows) / elapsed if elapsed else 0.0}


def type_scores(y_true: list, y_pred: list) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    if not y_true:
        return {"accuracy": 0.0, "macro_f1": 0.0}
    labels = sorted(set(y_true))
    return {"accuracy": float(accuracy_score(y_true, y_pred)),
            "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0))}


def as_list(value) -> list:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def norm_gold(code: Optional[str]) -> Optional[str]:
    if not code:
        return None
    code = code.strip().upper()
    if code.startswith(("IGO", "NGO")):
        return code[:3]
    return CAMEO_TO_ISO.get(code[:3], code[:3])


def norm_pred(p) -> Optional[str]:
    """A participant's code at the level gold codes are compared. An actor
    from crosswire's international-organisation table (kind igo, or a body of
    one such as "Red Cross officials", "UN troops": own id in `code`, CAMEO
    code in `igo`) is an IGO, as gold codes them; a CAMEO NGO code is NGO;
    else the country code (CAMEO-era codes mapped to ISO)."""
    code = p.code or ""
    if p.kind == "igo" or code.startswith("IGO") or (p.igo and not code.startswith(("IGO", "NGO"))):
        return "IGO"
    if code.startswith("NGO"):
        return "NGO"
    return CAMEO_TO_ISO.get(code[:3], code[:3]) or None


def format_line(metrics: dict) -> str:
    """One comparable line."""
    if "pentaclass_accuracy" in metrics:
        return (f"events pentaclass: n={metrics['n']} accuracy={metrics['pentaclass_accuracy']:.3f} "
                f"macro_f1={metrics['pentaclass_macro_f1']:.3f} ({metrics['sentences_per_s']:.0f} sent/s)")
    return (f"events: n={metrics['n']} accuracy={metrics['accuracy']:.3f} macro_f1={metrics['macro_f1']:.3f} "
            f"actor_code_accuracy={metrics['actor_code_accuracy']:.3f} "
            f"(any role {metrics['actor_code_accuracy_any_role']:.3f}, {metrics['actor_codes']} codes; "
            f"{metrics['sentences_per_s']:.0f} sent/s)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="crosswire eval events", description="Score event coding on gold sentences.")
    ap.add_argument("path")
    ap.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    ap.add_argument("--split", choices=["all", "train", "dev"], default="all",
                    help="the fixed 15%% dev split the classifier never trained on, or the rest")
    args = ap.parse_args(argv)
    metrics = run(args.path, args)
    print(json.dumps(metrics) if args.json else format_line(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
