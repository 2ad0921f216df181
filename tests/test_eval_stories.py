"""`crosswire eval stories`: B³ over articles against gold story ids, from a
JSONL file with a `story` field or from an ECB+ folder (sub-topics as gold)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crosswire.evaluate.stories import b_cubed, gold_records, score_stories
from crosswire.records import Story

NEWS_FIXTURE = Path(__file__).parent / "fixtures" / "news_events" / "articles.jsonl"


def test_b_cubed_by_hand():
    gold = {"a": "g1", "b": "g1", "c": "g1", "d": "g2"}
    predicted = {"a": "p1", "b": "p1", "c": "p2", "d": "p2"}
    m = b_cubed(predicted, gold)
    # precision: a,b 2/2; c,d 1/2 -> 0.75; recall: a,b 2/3; c 1/3; d 1/1 -> 2/3
    assert m["precision"] == pytest.approx(0.75)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))
    assert b_cubed(gold, gold) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_score_stories_counts_every_gold_article():
    stories = [Story(id="s1", title="", articles=["a", "b"]), Story(id="s2", title="", articles=["c"])]
    m = score_stories(stories, {"a": "x", "b": "y", "c": "y", "unseen": "z"})
    assert (m["articles"], m["gold_stories"], m["stories"]) == (3, 2, 2)
    assert m["precision"] == m["recall"] == round(2 / 3, 4)


def _cat_doc(path: Path, words: list[str]) -> None:
    tokens = "".join(f'<token t_id="{i + 1}" sentence="{0 if i < 3 else 1}">{w}</token>' for i, w in enumerate(words))
    path.write_text(f'<Document doc_name="{path.name}">{tokens}<Markables/><Relations/></Document>', encoding="utf-8")


def test_ecb_folder_gives_sub_topics_as_stories(tmp_path):
    for topic in ("1", "3"):
        (tmp_path / topic).mkdir()
        for name in (f"{topic}_1ecb.xml", f"{topic}_2ecb.xml", f"{topic}_1ecbplus.xml"):
            _cat_doc(tmp_path / topic / name, ["Quake", "hits", "town", "It", "killed", "two", "."])
    records = gold_records(tmp_path)
    assert sorted(r["story"] for r in records) == ["1-ecb", "1-ecb", "1-ecbplus", "3-ecb", "3-ecb", "3-ecbplus"]
    assert records[0]["title"] == "Quake hits town" and records[0]["text"] == "It killed two."
    assert len({r["url"] for r in records}) == 6


def test_jsonl_without_story_field_is_refused(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"title": "t", "text": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="story"):
        gold_records(path)


@pytest.mark.slow
def test_eval_stories_command_on_a_real_run(tmp_path):
    """The real pipeline over two articles of one story and a copy of the
    first under another gold story: the command prints the B³ of the stored
    stories, every article matched to its gold line."""
    rows = [json.loads(line) for line in NEWS_FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]
    for r in rows:
        r["story"] = "brexit"
    path = tmp_path / "stories.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    cli = subprocess.run([sys.executable, "-m", "crosswire.cli", "eval", "stories", str(path), "--json"],
                         capture_output=True, text=True, check=True)
    m = json.loads(cli.stdout)
    assert (m["articles"], m["gold_stories"]) == (len(rows), 1)
    assert m["precision"] == 1.0  # one gold story: every predicted story is pure
    assert m["recall"] == pytest.approx(1.0 if m["stories"] == 1 else 0.5)
