"""`crosswire eval news`: the figures equal the reference score.py's on the
same events.json, for hand-made predictions that reach every rule of the
scorer and for a real run of the pipeline."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crosswire.datasets.news_events import read_folder, score_events

FIXTURE = Path(__file__).parent / "fixtures" / "news_events"


def reference_score(events: dict, tmp_path: Path) -> dict:
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events), encoding="utf-8")
    out = subprocess.run([sys.executable, str(FIXTURE / "score.py"), str(path), str(FIXTURE)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def participant(name: str, code: str | None = None, igo: str | None = None) -> dict:
    return {"name": name, "code": code, "igo": igo}


def event(eid: str, etype: str, article: str, text: str, actors: list, recipients: list, status: str = "occurred",
          date: str | None = None) -> dict:
    return {"id": eid, "event_type": etype, "status": status, "date": date, "actors": actors,
            "recipients": recipients, "mentions": [{"article": article, "text": text, "status": status, "date": date}]}


def hand_made(articles: list[dict], gold: list[dict]) -> dict:
    """Predictions hitting each branch: typed match, alternative type,
    wrong type, no gold in the sentence, swapped roles of a symmetric type,
    a month-precision gold date, a wrong status, a merge across articles and
    a background line."""
    cw = [{"id": f"cw-{a['id']}", "url": a["url"], "title": a["title"]} for a in articles]
    art = {a["id"]: f"cw-{a['id']}" for a in articles}
    keys = {}
    for g in gold:
        keys.setdefault(g["event"], set()).add(g["article"])
    merged = next(key for key, arts in keys.items() if len(arts) > 1)  # a happening both articles report
    events = []
    for k, g in enumerate(gold):
        text = g["sentence"]
        actors = [participant(x, x if x.isupper() else None) for x in g["actor"][:1]]
        recipients = [participant(x, x if x.isupper() else None) for x in g["recipient"][:1]]
        kind = k % 6
        etype = g["type"] if kind != 2 else ("ASSAULT" if g["type"] != "ASSAULT" else "AID")
        if kind == 1 and g["alt_types"]:
            etype = g["alt_types"][0]
        if kind == 3:
            actors, recipients = recipients, actors  # swapped: right only for symmetric types
        status = g["status"] if kind != 4 else "planned"
        date = (g["date"] + "-15" if g["date"] and len(g["date"]) == 7 else g["date"]) if kind != 5 else "1999-01-01"
        eid = "e-merged" if g["event"] == merged else f"e{k}"
        events.append(event(eid, etype, art[g["article"]], text, actors, recipients, status, date))
    events.append(event("e-none", "PROTEST", art[articles[0]["id"]], "A sentence no article holds at all.",
                        [participant("Nobody")], []))
    return {"articles": cw, "events": events, "quotes": [], "stories": []}


def test_hand_made_predictions_score_as_the_reference(tmp_path):
    articles, gold = read_folder(FIXTURE)
    events = hand_made(articles, gold)
    ours = score_events(events, articles, gold)
    reference = reference_score(events, tmp_path)
    assert ours == reference
    # the predictions do reach the branches: some right, some wrong, some merged
    assert 0 < ours["precision"] < 1 and 0 < ours["actor_accuracy"] < 1 and 0 < ours["date_accuracy"] < 1
    assert ours["status_accuracy"] < 1 and ours["merge_precision"] > 0


@pytest.mark.slow
def test_eval_news_command_equals_reference_on_a_real_run(tmp_path):
    """The real pipeline over the fixture articles: `crosswire eval news
    --json` prints what score.py gives for the same run's events.json."""
    from crosswire.evaluate.news import events_json, run

    events = events_json([str(FIXTURE / "articles.jsonl")])
    assert events["events"], "the pipeline found no events in two political articles"
    reference = reference_score(events, tmp_path)
    assert score_events(events, *read_folder(FIXTURE)) == reference
    cli = subprocess.run([sys.executable, "-m", "crosswire.cli", "eval", "news", str(FIXTURE), "--json"],
                         capture_output=True, text=True, check=True)
    printed = json.loads(cli.stdout)
    assert printed == run(str(FIXTURE))
    # the reliability table is ours (score.py has none): every scored prediction in one bin
    bins = printed.pop("reliability")
    assert printed == reference
    assert sum(b["n"] for b in bins) == reference["predictions"]
    assert all(0.0 <= b["right"] <= 1.0 for b in bins)
