"""`crosswire eval seeds [DIR]`: run the seed articles through the same path
as `crosswire run` (a temporary DuckDB store) and check them against DIR's
expected.json: events (one canonical event per expected event, right date,
status, participants, reported by every listed article), quotes (speaker,
direct flag, text, medium) and the `must_not` rules.

DIR defaults to seeds/ under the data root (crosswire.datasets: the first
`shared/` above the working directory or the package, the repository's
sibling ../shared, unless CROSSWIRE_DATA_ROOT names another).
"""
from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional

from ..datasets import corpus_path
from ..records import Event, Quote


def find_seeds(path: Optional[str]) -> Path:
    """DIR, else seeds/ under the data root (crosswire.datasets)."""
    if path:
        return Path(path)
    candidate = corpus_path("seeds")
    if (candidate / "expected.json").exists():
        return candidate
    raise FileNotFoundError(f"no seeds directory with expected.json at {candidate}; pass it: crosswire eval seeds DIR")


def run(path: Optional[str], args: Optional[dict] = None) -> dict[str, Any]:
    from ..pipeline import Pipeline
    from ..runner import run_paths
    from ..store import open_store

    seeds = find_seeds(path)
    expected = json.loads((seeds / "expected.json").read_text(encoding="utf-8"))
    files = sorted(str(seeds / name) for name in expected["articles"])
    with tempfile.TemporaryDirectory() as tmp:
        with open_store(os.path.join(tmp, "seeds.duckdb")) as store:
            run_paths(files, store, Pipeline())
            events = store.events()
            quotes = store.quotes()
            articles = {a.id: Path(a.path).name for a in store.articles()}
    return score(expected, events, quotes, articles)


# ------------------------------------------------------------------ matching
def _names(people) -> list[str]:
    return [f"{p.name} {p.code or ''} {p.igo or ''}".lower() for p in people]


def _has_group(event: Event, aliases: list[str]) -> bool:
    names = _names(event.actors) + _names(event.recipients)
    return any(alias.lower() in n for alias in aliases for n in names)


def _participants_match(event: Event, groups: list[list[str]]) -> bool:
    return all(_has_group(event, group) for group in groups)


def _reported_by(event: Event, articles: dict[str, str]) -> set[str]:
    return {articles.get(m.article, m.article) for m in event.mentions}


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 4}


def _check_event(spec: dict, events: list[Event], articles: dict[str, str]) -> tuple[bool, str]:
    candidates = [e for e in events if _participants_match(e, spec["participants"])
                  and e.status == spec["status"]]
    if "date" in spec:
        dated = [e for e in candidates if e.date == spec["date"]]
        if len(dated) > 1:
            return False, f"{len(dated)} canonical events instead of one"
        if not dated:
            return False, "no event with these participants, status and date"
        missing = set(spec["reported_by"]) - _reported_by(dated[0], articles)
        return (not missing), (f"not reported by {sorted(missing)}" if missing else f"found {dated[0].id}")
    # undated expectation: one merged event with the date difference flagged,
    # or one event per article that are dated apart (never silently one date)
    words = _content_words(spec.get("what", ""))
    topical = [e for e in candidates if any(words & _content_words(m.text) for m in e.mentions)]
    merged = [e for e in topical if set(spec["reported_by"]) <= _reported_by(e, articles)]
    for e in merged:
        date_info = (e.agreement or {}).get("date", {})
        if e.date is None or (isinstance(date_info, dict) and date_info.get("agree") is False):
            return True, f"found {e.id} (merged, dates flagged)"
    per_article = {a: [e for e in topical if a in _reported_by(e, articles)] for a in spec["reported_by"]}
    if all(per_article.values()):
        dates = {e.date for group in per_article.values() for e in group}
        if len(dates) > 1:
            return True, "found as linked events with their own dates"
    if merged:
        return False, f"merged as {merged[0].id} but its dates are not flagged"
    return False, "no matching event"


def _check_quote(spec: dict, quotes: list[Quote], articles: dict[str, str]) -> tuple[bool, str]:
    """Found when some quote of the article has the text, speaker, direct flag
    and medium asked for; otherwise say what the closest candidate got wrong."""
    problems = []
    for q in (q for q in quotes if articles.get(q.article) == spec["article"]):
        text = q.text.strip().strip("\"'“”‘’ ")
        if "starts_with" in spec and not text.startswith(spec["starts_with"]):
            continue
        if "contains" in spec and spec["contains"] not in q.text:
            continue
        if not any(s.lower() in (q.speaker.name or "").lower() for s in spec["speaker"]):
            problems.append(f"speaker is {q.speaker.name!r}")
        elif q.direct != spec["direct"]:
            problems.append(f"direct={q.direct}")
        elif spec.get("medium") and spec["medium"].lower() not in (q.medium or "").lower():
            problems.append(f"medium is {q.medium!r}")
        else:
            return True, "found"
    return False, "; ".join(problems) or "no quote with that text"


def _must_not(expected: dict, events: list[Event]) -> list[str]:
    problems = []
    for spec in expected["events"]:
        if "date" not in spec:
            continue
        same = [e for e in events if _participants_match(e, spec["participants"]) and e.event_type == "CONSULT"
                and (e.date or "")[:7] == spec["date"][:7]]
        if any(e.status == "occurred" for e in same):
            problems.append(f"{spec['key']}: coded as occurred")
        wrong_year = [e for e in events if _participants_match(e, spec["participants"])
                      and e.event_type == "CONSULT" and e.date and e.date[5:] == spec["date"][5:]
                      and e.date[:4] != spec["date"][:4]]
        if wrong_year:
            problems.append(f"{spec['key']}: dated {wrong_year[0].date}")
        if len([e for e in same if e.date == spec["date"]]) > 1:
            problems.append(f"{spec['key']}: more than one canonical event")
    return problems


def score(expected: dict, events: list[Event], quotes: list[Quote], articles: dict[str, str]) -> dict[str, Any]:
    event_checks = {s["key"]: _check_event(s, events, articles) for s in expected["events"]}
    quote_checks = [(q, _check_quote(q, quotes, articles)) for q in expected["quotes"]]
    violations = _must_not(expected, events)
    events_found = sum(ok for ok, _ in event_checks.values())
    quotes_found = sum(ok for _, (ok, _) in quote_checks)
    return {
        "events_expected": len(event_checks), "events_found": events_found,
        "quotes_expected": len(quote_checks), "quotes_found": quotes_found,
        "events_recall": events_found / max(1, len(event_checks)),
        "quotes_recall": quotes_found / max(1, len(quote_checks)),
        "must_not_violations": len(violations),
        "passed": events_found == len(event_checks) and quotes_found == len(quote_checks) and not violations,
        "details": {
            "events": {k: {"found": ok, "why": why} for k, (ok, why) in event_checks.items()},
            "quotes": [{"article": q["article"], "speaker": q["speaker"][0], "found": ok, "why": why,
                        "text": q.get("starts_with") or q.get("contains")} for q, (ok, why) in quote_checks],
            "must_not": violations,
        },
    }


def format_report(m: dict[str, Any]) -> str:
    lines = []
    for key, info in m["details"]["events"].items():
        lines.append(f"  event {key}: {'ok' if info['found'] else 'MISSING'} ({info['why']})")
    for q in m["details"]["quotes"]:
        lines.append(f"  quote {q['speaker']} «{q['text']}»: {'ok' if q['found'] else 'MISSING'} ({q['why']})")
    for v in m["details"]["must_not"]:
        lines.append(f"  must_not violated: {v}")
    return "\n".join(lines)


def format_line(m: dict[str, Any]) -> str:
    return (f"seeds: events {m['events_found']}/{m['events_expected']}, quotes {m['quotes_found']}/"
            f"{m['quotes_expected']}, must_not violations {m['must_not_violations']}"
            f" -> {'PASS' if m['passed'] else 'FAIL'}")


if __name__ == "__main__":  # pragma: no cover
    metrics = run(sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else None)
    print(json.dumps(metrics) if "--json" in sys.argv else format_report(metrics) + "\n" + format_line(metrics))
