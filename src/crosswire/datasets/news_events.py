"""The whole-article news events gold (`eval/news_events/{train,dev}` under
the data root): whole news articles, every event a PLOVER coder would record
from them, and the rules `score.py` scores an events.json by.

Folder layout: `articles.jsonl` (id, title, text, published, outlet, url)
and `gold.jsonl`, one line per event mention (article, event key, evidence
sentence, type and alt_types, actor and recipient identifiers, status, date,
background); GUIDELINES.md beside them says what counts as an event.

The scoring rules live here, not in the benchmark, because training uses
them too (to label candidate events and to report out-of-fold figures) and
must label exactly as the benchmark scores.
"""
from __future__ import annotations

import collections
import re
from pathlib import Path
from typing import Any, Optional

from ..loading import read_jsonl
from ..records import PLOVER_TYPES, STATUSES

DEFAULT_PATH = "eval/news_events"

SYMMETRIC = {"CONSULT", "COOPERATE", "AGREE"}
WORD = re.compile(r"\w+", re.UNICODE)
RATE_KEYS = ("precision", "recall", "f1", "untyped_precision", "untyped_recall", "untyped_f1", "actor_accuracy",
             "status_accuracy", "date_accuracy", "fully_right_precision", "merge_precision", "merge_recall",
             "merge_f1")


# ------------------------------------------------------------------ matching
def words(text: Optional[str]) -> list[str]:
    return [w.lower() for w in WORD.findall(text or "")]


def norm(text: Optional[str]) -> str:
    return " ".join(words(text))


def same_sentence(a: str, b: str) -> bool:
    """One sentence contains the other, or they share 60% of the shorter's words."""
    na, nb = norm(a), norm(b)
    if not na or not nb:
        return False
    if na in nb or nb in na:
        return True
    wa, wb = collections.Counter(words(a)), collections.Counter(words(b))
    common = sum((wa & wb).values())
    return common >= 0.6 * min(sum(wa.values()), sum(wb.values()))


def side_ok(gold_ids: list[str], participants: list[dict]) -> bool:
    """A gold side (codes in capitals, name parts otherwise) is met when any
    identifier matches any participant; an empty gold side is not judged."""
    if not gold_ids:
        return True
    for p in participants:
        code = (p.get("code") or "").upper()
        igo = (p.get("igo") or "").upper()
        name = (p.get("name") or "").lower()
        for g in gold_ids:
            if g.isupper() and (g == code or (igo and g in igo)):
                return True
            if not g.isupper() and g.lower() in name:
                return True
    return False


def date_ok(gold: Optional[str], system: Optional[str]) -> bool:
    if gold is None:
        return True
    return bool(system) and str(system)[: len(gold)] == gold


def actors_ok(gold: dict, event: dict) -> bool:
    ok = side_ok(gold["actor"], event["actors"]) and side_ok(gold["recipient"], event["recipients"])
    if not ok and gold["type"] in SYMMETRIC:
        both = event["actors"] + event["recipients"]
        ok = side_ok(gold["actor"], both) and side_ok(gold["recipient"], both)
    return ok


# ------------------------------------------------------------------- scoring
def read_folder(folder: Path) -> tuple[list[dict], list[dict]]:
    """(articles, gold lines) of a gold folder."""
    return read_jsonl(folder / "articles.jsonl"), read_jsonl(folder / "gold.jsonl")


GOLD_KEYS = {"article", "event", "sentence", "type", "alt_types", "actor", "recipient", "status", "date",
             "background", "note"}
ISO_PREFIX = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?$")


def gold_problems(articles: list[dict], gold: list[dict]) -> list[str]:
    """What breaks GUIDELINES.md's format in gold lines (empty: none): the
    keys, the type and status vocabularies, the date's form, and the
    evidence sentence, which must be the article's title or copied from its
    text."""
    by_id = {a["id"]: a for a in articles}
    out = []
    for n, g in enumerate(gold, 1):
        where = f"line {n} ({g.get('article')})"
        if set(g) != GOLD_KEYS:
            out.append(f"{where}: keys {sorted(set(g) ^ GOLD_KEYS)} differ")
            continue
        art = by_id.get(g["article"])
        if art is None:
            out.append(f"{where}: no such article")
        elif g["sentence"] != art.get("title") and g["sentence"] not in art["text"]:
            out.append(f"{where}: the sentence is neither the title nor in the text")
        if g["type"] not in PLOVER_TYPES or any(t not in PLOVER_TYPES for t in g["alt_types"]):
            out.append(f"{where}: type {g['type']} / {g['alt_types']} not PLOVER")
        if g["status"] not in STATUSES:
            out.append(f"{where}: status {g['status']}")
        if g["date"] is not None and not ISO_PREFIX.match(str(g["date"])):
            out.append(f"{where}: date {g['date']!r}")
        if not isinstance(g["actor"], list) or not isinstance(g["recipient"], list):
            out.append(f"{where}: actor and recipient must be lists")
    return out


def predictions(out: dict, articles: list[dict], annotated: set[str]) -> tuple[list[dict], int]:
    """Every event mention of events.json in an annotated article, with the
    gold article id found by URL, else by title; and how many annotated
    articles events.json holds."""
    by_url = {a.get("url"): a["id"] for a in articles if a.get("url")}
    by_title = {norm(a.get("title")): a["id"] for a in articles}
    cw_to_gold = {}
    for a in out["articles"]:
        gid = by_url.get(a.get("url")) or by_title.get(norm(a.get("title")))
        if gid:
            cw_to_gold[a["id"]] = gid
    preds = []
    for e in out["events"]:
        for m in e["mentions"]:
            ga = cw_to_gold.get(m["article"])
            if ga in annotated:
                preds.append({"article": ga, "sentence": m.get("text") or "", "type": e["event_type"],
                              "event": e["id"], "status": m.get("status") or e.get("status"),
                              "date": m.get("date") or e.get("date"), "e": e, "mention": m})
    return preds, len(set(cw_to_gold.values()) & annotated)


def match(preds: list[dict], gold: list[dict], typed: bool) -> list[tuple[dict, Optional[int]]]:
    """Greedy one-to-one matching in prediction order (as score.py does)."""
    by_article = collections.defaultdict(list)
    for i, g in enumerate(gold):
        by_article[g["article"]].append(i)
    used: set[int] = set()
    pairs: list[tuple[dict, Optional[int]]] = []
    for p in preds:
        best = None
        for i in by_article[p["article"]]:
            g = gold[i]
            if i in used or not same_sentence(p["sentence"], g["sentence"]):
                continue
            if typed and p["type"] != g["type"] and p["type"] not in g.get("alt_types", []):
                continue
            if best is None or (gold[best].get("background") and not g.get("background")):
                best = i
        if best is not None:
            used.add(best)
        pairs.append((p, best))
    return pairs


def prf(pairs, gold) -> tuple[float, float, float, int, int, int]:
    tp = sum(1 for _p, i in pairs if i is not None and not gold[i].get("background"))
    aside = sum(1 for _p, i in pairs if i is not None and gold[i].get("background"))
    n_pred = len(pairs) - aside
    n_gold = sum(1 for g in gold if not g.get("background"))
    prec = tp / n_pred if n_pred else 0.0
    rec = tp / n_gold if n_gold else 0.0
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0), tp, n_pred, n_gold


def merge_counts(matched: list[tuple[dict, dict]]) -> tuple[int, int, int]:
    """Pairs of matched predictions from different articles: same system
    event against same gold event key."""
    tp = fp = fn = 0
    for x in range(len(matched)):
        for y in range(x + 1, len(matched)):
            (px, gx), (py, gy) = matched[x], matched[y]
            if px["article"] == py["article"]:
                continue
            same_sys, same_gold = px["event"] == py["event"], gx["event"] == gy["event"]
            tp += same_sys and same_gold
            fp += same_sys and not same_gold
            fn += same_gold and not same_sys
    return tp, fp, fn


RELIABILITY_BINS = ((0.0, 0.5), (0.5, 0.6), (0.6, 0.8), (0.8, 1.01))


def score_events(out: dict, articles: list[dict], gold: list[dict],
                 confidences: Optional[dict[str, float]] = None) -> dict[str, Any]:
    """The figures score.py prints, from an events.json object; with the
    mentions' confidences (mention id -> confidence), also `reliability`: per
    confidence bin, how many predictions and the share matched to a gold event
    of their type."""
    annotated = {g["article"] for g in gold}
    preds, found = predictions(out, articles, annotated)
    typed = match(preds, gold, True)
    p, r, f, tp, n_pred, n_gold = prf(typed, gold)
    up, ur, uf, *_ = prf(match(preds, gold, False), gold)
    matched = [(pr, gold[i]) for pr, i in typed if i is not None and not gold[i].get("background")]
    actor = status = date = full = 0
    for pr, g in matched:
        a_ok = actors_ok(g, pr["e"])
        s_ok = pr["status"] == g["status"]
        d_ok = date_ok(g.get("date"), pr["date"])
        actor += a_ok
        status += s_ok
        date += d_ok
        full += a_ok and s_ok and d_ok
    tpm, fpm, fnm = merge_counts(matched)
    mp = tpm / (tpm + fpm) if tpm + fpm else 0.0
    mr = tpm / (tpm + fnm) if tpm + fnm else 0.0
    k = len(matched) or 1
    figures = {"precision": p, "recall": r, "f1": f, "untyped_precision": up, "untyped_recall": ur, "untyped_f1": uf,
           "actor_accuracy": actor / k, "status_accuracy": status / k, "date_accuracy": date / k,
           "fully_right_precision": full / n_pred if n_pred else 0.0,
           "merge_precision": mp, "merge_recall": mr, "merge_f1": (2 * mp * mr / (mp + mr) if mp + mr else 0.0),
           "predictions": n_pred, "gold": n_gold, "matched": tp, "articles": len(annotated),
           "articles_found": found}
    res: dict[str, Any] = {key: (round(v, 4) if isinstance(v, float) else v) for key, v in figures.items()}
    if confidences is not None:
        res["reliability"] = reliability(typed, gold, confidences)
    return res


def reliability(typed: list[tuple[dict, Optional[int]]], gold: list[dict],
                confidences: dict[str, float]) -> list[dict[str, Any]]:
    """Share of predictions right (typed match) per confidence bin; as in
    `prf`, a prediction matched to a background gold line is set aside."""
    rows = []
    for lo, hi in RELIABILITY_BINS:
        hits = [i is not None for pr, i in typed
                if not (i is not None and gold[i].get("background"))
                and lo <= confidences.get(pr["mention"].get("mention_id", ""), -1.0) < hi]
        if hits:
            rows.append({"confidence": f"{lo:.1f}-{min(hi, 1.0):.1f}", "n": len(hits),
                         "right": round(sum(hits) / len(hits), 4)})
    return rows


def score_dir(out: dict, folder: Path) -> dict[str, Any]:
    return score_events(out, *read_folder(folder))


def labels_of(gold: list[dict], article: str, sentence: str, event_type: str) -> Optional[bool]:
    """Is a prediction (article, sentence, type) a gold event? True when it
    matches a gold line that is not background, None when it matches only
    background lines (neither right nor wrong), else False."""
    hits = [g for g in gold if g["article"] == article and same_sentence(sentence, g["sentence"])
            and (g["type"] == event_type or event_type in g.get("alt_types", []))]
    if any(not g.get("background") for g in hits):
        return True
    return None if hits else False


