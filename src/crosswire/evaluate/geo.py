"""Evaluate geoparsing on LGL and GeoVirus (the XML of Gritta, Pilehvar &
Collier 2019, "A Pragmatic Guide to Geoparsing Evaluation").

    crosswire eval geo [DATA] [--split tune|check|all] [--json]

DATA: an LGL or GeoVirus XML file, read by `crosswire.datasets.geo`
(default: <data root>/eval/geo/lgl.xml).

Metrics (Gritta et al. 2018/2019):
* on gold toponym spans (resolution alone): `acc161`, the share resolved
  within 161 km of the gold point; `mean_km`; `auc`, the area under the
  curve of sorted log errors, ln(1 + km) / ln(20039), over [0, 1] (0 is
  perfect, 1 every answer at the antipode). A toponym the gazetteer does not
  know counts as 20,039 km off;
* end to end (recognition): `recognition_precision`, `recognition_recall`,
  `recognition_f1` on exact character spans (toponyms and the places
  organisations are named after count; country adjectives do not: LGL marks
  them, GeoVirus does not).

Split: an article is in the `tune` part when the first hex digit of the
SHA-256 of its id (LGL's docid; GeoVirus has none, so its source URL and
text) is even, else in `check`. The scoring weights were set on `tune`
(docs/geo.md); `check` and `all` are reported.
"""
from __future__ import annotations

import math
from typing import Any, Optional

from ..datasets import corpus_path
from ..datasets.geo import DEFAULT_PATH, GoldArticle, GoldToponym, read_corpus

__all__ = ["GoldArticle", "GoldToponym", "read_corpus", "run", "format_line", "error_metrics",
           "resolution_errors", "recognition", "haversine_km"]

EARTH_HALF_CIRCUMFERENCE_KM = 20039.0
ACCURACY_KM = 161.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def resolution_errors(articles: list[GoldArticle], gaz) -> list[float]:
    """Km error of each gold toponym with a gold point, resolved on the gold spans."""
    from ..extract.places.toponyms import Candidate, find_dateline, resolve_toponyms

    errors = []
    for art in articles:
        gold = [g for g in art.toponyms if g.lat is not None and g.lon is not None]
        tops = [Candidate(g.start, g.end, g.text, "toponym", gaz.lookup(g.text)[:40]) for g in gold]
        resolve_toponyms(tops, art.text, dateline=find_dateline(art.text, gaz))
        for g, t in zip(gold, tops):
            p = t.chosen
            if p is None or g.lat is None or g.lon is None:  # (gold points were kept above)
                errors.append(EARTH_HALF_CIRCUMFERENCE_KM)
            else:
                errors.append(haversine_km(g.lat, g.lon, p.lat, p.lon))
    return errors


def error_metrics(errors: list[float]) -> dict[str, Any]:
    if not errors:
        return {"acc161": 0.0, "mean_km": 0.0, "auc": 1.0, "n_resolved": 0}
    scaled = sorted(math.log(1 + e) / math.log(EARTH_HALF_CIRCUMFERENCE_KM) for e in errors)
    if len(scaled) == 1:
        auc = scaled[0]
    else:  # trapezoid rule over x in [0, 1]
        auc = sum((a + b) / 2 for a, b in zip(scaled, scaled[1:])) / (len(scaled) - 1)
    return {"acc161": round(sum(e <= ACCURACY_KM for e in errors) / len(errors), 4),
            "mean_km": round(sum(errors) / len(errors), 1), "auc": round(auc, 4), "n_resolved": len(errors)}


# what the span scores count as a toponym: names of places (the dateline's among them), and places an organisation is named after
# (both corpora mark "Texas" in "the Texas Department of ..."); not country adjectives (GeoVirus does not mark them)
RECOGNISED_KINDS = {"toponym", "in-name", "dateline"}


def recognition(articles: list[GoldArticle], gaz, nlp) -> dict[str, Any]:
    """Span P/R/F1 of the toponyms found in the raw texts."""
    from ..extract.places.toponyms import find_place_names

    tp = n_pred = n_gold = 0
    for art, doc in zip(articles, nlp.pipe((a.text for a in articles), batch_size=32)):
        dateline, found = find_place_names(doc, gaz, art.text)
        pred = {(t.start, t.end) for t in ([dateline] if dateline else []) + found if t.kind in RECOGNISED_KINDS}
        gold = {(g.start, g.end) for g in art.toponyms}
        tp += len(pred & gold)
        n_pred += len(pred)
        n_gold += len(gold)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"recognition_precision": round(p, 4), "recognition_recall": round(r, 4),
            "recognition_f1": round(f, 4), "n_gold_spans": n_gold}


def run(path: Optional[str], args: Any = None) -> dict[str, Any]:
    from ..annotate import load_nlp
    from ..config import Settings
    from ..extract.places.gazetteer import load_gazetteer

    split = getattr(args, "split", None) or "all"
    if split not in {"tune", "check", "all"}:
        raise SystemExit(f"crosswire eval geo: --split must be tune, check or all, not {split!r}")
    path = path or str(corpus_path(DEFAULT_PATH))
    articles = read_corpus(path)
    if split != "all":
        articles = [a for a in articles if a.part == split]
    limit = getattr(args, "limit", None)
    if limit:
        articles = articles[:limit]
    settings = Settings.load()
    gaz = load_gazetteer(settings.gazetteer or None)
    metrics: dict[str, Any] = {"data": path, "split": split, "articles": len(articles)}
    metrics.update(error_metrics(resolution_errors(articles, gaz)))
    metrics.update(recognition(articles, gaz, load_nlp(settings.spacy_model)))
    return metrics


def format_line(m: dict[str, Any]) -> str:
    return (f"geo {m['data']} [{m['split']}, {m['articles']} articles]: acc161 {m['acc161']:.3f} "
            f"mean_km {m['mean_km']:.0f} auc {m['auc']:.3f} (n={m['n_resolved']}) | recognition "
            f"P {m['recognition_precision']:.3f} R {m['recognition_recall']:.3f} F1 {m['recognition_f1']:.3f}")
