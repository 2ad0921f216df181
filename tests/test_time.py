"""The time stage: recognition, normalisation, tense-driven direction, anchor
inference, the public interval helper and the TempEval scorer."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crosswire.extract.time import tag_text, timex_to_interval
from crosswire.records import Article

SEED_DATED = "002_a4e5fc3ef32ee48f.txt"
SEED_UNDATED = "000_4e1c3e87275d7c58.txt"


def _article(path: Path, published=None) -> Article:
    title, _, body = path.read_text(encoding="utf-8").partition("\n")
    body = body.strip("\n")
    return Article(id=Article.make_id(body), text=body, title=title.strip(), published=published)


def _values(timexes, phrase):
    """Values of every timex whose text is `phrase` (case-insensitive)."""
    return [t.value for t in timexes if t.text.strip().lower() == phrase.lower()]


def _tag(nlp, text, anchor):
    return {f.text: (f.type, f.value) for f in tag_text(text, anchor, nlp(text))}


@pytest.fixture(scope="module")
def seed_results(seeds_dir):
    from crosswire.pipeline import Pipeline

    dated = _article(seeds_dir / SEED_DATED, published="2021-12-28")
    undated = _article(seeds_dir / SEED_UNDATED)
    pipe = Pipeline(stages=("time",))
    together = list(pipe.extract([undated, dated]))
    alone = list(pipe.extract([undated]))
    return {"dated": together[1], "undated_batch": together[0], "undated_alone": alone[0]}


# ------------------------------------------------------------------ seeds
def test_dated_seed_dates(seed_results):
    timexes = seed_results["dated"].timexes
    assert "2022-01-10" in _values(timexes, "January 10")
    assert _values(timexes, "January 10th") == ["2022-01-10"]
    assert _values(timexes, "the 12th") == ["2022-01-12"]
    assert _values(timexes, "the 13th") == ["2022-01-13"]
    assert set(_values(timexes, "Monday")) == {"2021-12-27"}
    assert _values(timexes, "Tuesday") == ["2021-12-28"]
    assert _values(timexes, "Last week") == ["2021-W51"]
    assert _values(timexes, "next month") == ["2022-01"]
    assert _values(timexes, "Earlier in the day") == ["2021-12-28"]


def test_dated_seed_records_carry_evidence(seed_results):
    result = seed_results["dated"]
    by_text = {t.text: t for t in result.timexes}
    t = by_text["the 12th"]
    assert result.article.text[t.start:t.end] == "the 12th"
    sentence = result.sentences[t.sentence]
    assert sentence.start <= t.start < sentence.end
    assert t.basis == "relative-to-publication" and t.anchor == "2021-12-28" and t.rule
    assert by_text["2002"].basis == "explicit"


@pytest.mark.parametrize("which", ["undated_alone", "undated_batch"])
def test_undated_seed_dates_are_inferred(seed_results, which):
    timexes = seed_results[which].timexes
    expected = {"January 10": "2022-01-10", "January 12": "2022-01-12", "January 13": "2022-01-13",
                "December 15": "2021-12-15", "December 2": "2021-12-02"}
    for phrase, value in expected.items():
        found = [t for t in timexes if t.text == phrase]
        assert found, phrase
        assert {t.value for t in found} == {value}, phrase
        assert all(t.basis == "inferred" and t.reason for t in found), phrase
    assert [t.value for t in timexes if t.text == "January 2022"] == ["2022-01"]


def test_undated_seed_anchor_reason_names_its_evidence(seed_results):
    alone = [t for t in seed_results["undated_alone"].timexes if t.basis == "inferred"]
    assert "January 2022" in alone[0].reason
    batch = [t for t in seed_results["undated_batch"].timexes if t.basis == "inferred"]
    assert "batch article" in batch[0].reason and batch[0].anchor == "2021-12-28"


# ------------------------------------------------------------- hard cases
def test_tense_picks_direction(nlp):
    anchor = "2021-12-28"
    assert _tag(nlp, "Russia and the US will hold talks on January 10.", anchor)["January 10"] == ("DATE", "2022-01-10")
    assert _tag(nlp, "Lavrov stated on Monday that talks would start.", anchor)["Monday"] == ("DATE", "2021-12-27")
    assert _tag(nlp, "The ministers met on December 2 in Stockholm.", "2022-01-03")["December 2"] == ("DATE", "2021-12-02")
    assert _tag(nlp, "The summit is scheduled for Friday.", anchor)["Friday"] == ("DATE", "2021-12-31")


@pytest.mark.parametrize("sentence, phrase, kind, value", [
    ("The website was updated 3 years ago.", "3 years ago", "DATE", "2018"),
    ("The two nations will meet next month.", "next month", "DATE", "2022-01"),
    ("Last week, Russia published two drafts.", "Last week", "DATE", "2021-W51"),
    ("Earlier in the day, the minister spoke.", "Earlier in the day", "DATE", "2021-12-28"),
    ("Russia can defend itself in the medium and long terms.", "the medium and long terms", "DATE", "FUTURE_REF"),
    ("Prices rose 5% over the past two years.", "the past two years", "DURATION", "P2Y"),
    ("The ministry publishes figures daily.", "daily", "SET", "P1D"),
    ("Talks are now under way.", "now", "DATE", "PRESENT_REF"),
    ("In recent weeks, media alleged an invasion.", "recent weeks", "DURATION", "PXW"),
    ("Sales fell in the third quarter.", "the third quarter", "DATE", "2021-Q3"),
    ("It happened in the 1990s.", "the 1990s", "DATE", "199"),
    ("The talks were held in January 2022.", "January 2022", "DATE", "2022-01"),
    ("The pledge dates from 2008.", "2008", "DATE", "2008"),
    ("They met at 5 p.m. Tuesday.", "5 p.m. Tuesday", "TIME", "2021-12-28T17:00"),
    ("The strike lasted several years.", "several years", "DURATION", "PXY"),
    ("The talks start immediately after the New Year holidays.", "the New Year holidays", "DATE", "2022-01-01"),
    ("The strike has gone on for years.", "years", "DURATION", "PXY"),
    ("He was murdered last December in Istanbul.", "last December", "DATE", "2020-12"),
    ("The ministers will meet again next November.", "next November", "DATE", "2022-11"),
])
def test_expressions(nlp, sentence, phrase, kind, value):
    assert _tag(nlp, sentence, "2021-12-28").get(phrase) == (kind, value)


def test_ordinal_day_follows_last_month_mentioned(nlp):
    tags = _tag(nlp, "Talks open on January 10th. A council meets on the 12th, and the OSCE on the 13th.", "2021-12-28")
    assert tags["the 12th"] == ("DATE", "2022-01-12") and tags["the 13th"] == ("DATE", "2022-01-13")


def test_later_that_week_is_the_week_of_the_last_date(nlp):
    tags = _tag(nlp, "They will hold talks on January 10, ahead of a meeting later that week.", "2021-12-28")
    assert tags["later that week"] == ("DATE", "2022-W02")


def test_no_anchor_never_invents_a_year():
    tags = {f.text: f.value for f in tag_text("Talks will be held on January 10 and on Monday, not last week.", None)}
    assert tags == {"January 10": "XXXX-01-10", "Monday": "XXXX-WXX-1", "last week": "XXXX-WXX"}


def test_capitalised_set_words_inside_a_sentence_are_names():
    found = tag_text("He told the Daily Telegraph that protests filled the streets daily.", "2021-12-28")
    assert [(f.text, f.type, f.value) for f in found] == [("daily", "SET", "P1D")]


def test_names_are_not_months(nlp):
    tags = _tag(nlp, "Theresa May met Jan Kavan. Prices may march higher.", "2021-12-28")
    assert tags == {}


# ------------------------------------------------------- data-chosen params
def test_a_switched_off_rule_is_as_if_it_were_not_in_the_table():
    """The scan then tries the next rules at that position, as the table
    without the rule would; a switched-off phrase is not tagged."""
    from crosswire.extract.time.params import DEFAULT

    text = "Talks open on January 10, 2022. They met recently."
    assert [(f.text, f.rule) for f in tag_text(text, "2021-12-28")] == [("January 10, 2022", "month_day_year"),
                                                                         ("recently", "vague")]
    off = DEFAULT.with_switches([("rule:month_day_year", False), ("vague:recently", False)])
    assert [(f.text, f.rule, f.value) for f in tag_text(text, "2021-12-28", params=off)] == \
        [("January 10", "month_day", "2022-01-10"), ("2022", "year", "2022")]


def test_candidate_switches_are_off_unless_turned_on():
    from crosswire.extract.time.params import CANDIDATES, DEFAULT, DESIGN

    assert "vague:soon" in CANDIDATES and not DEFAULT.enabled("vague:soon")
    assert tag_text("Talks will resume soon.", "2021-12-28") == []
    on = DEFAULT.with_switch("vague:soon", True)
    assert [(f.text, f.value) for f in tag_text("Talks will resume soon.", "2021-12-28", params=on)] == \
        [("soon", "FUTURE_REF")]
    assert DESIGN.enabled("rule:weekday") and not DESIGN.enabled("rule:bare_plural_units")
    assert DEFAULT.with_switch("vague:soon", False) == DEFAULT


def test_tense_patterns_are_switches(nlp):
    from crosswire.extract.time.params import DEFAULT

    text = "The team planned to leave Nairobi on Thursday."
    doc = nlp(text)
    anchor = "1998-09-30"  # a Wednesday
    default = {f.text: f.value for f in tag_text(text, anchor, doc)}
    planning = {f.text: f.value for f in tag_text(text, anchor, doc, DEFAULT.with_switch("tense:planning_verb", True))}
    assert default["Thursday"] == "1998-09-24" and planning["Thursday"] == "1998-10-01"


# ------------------------------------------------------------------ helpers
@pytest.mark.parametrize("value, expected", [
    ("2022-01-10", ("2022-01-10", "2022-01-10", "day")),
    ("2022-01", ("2022-01-01", "2022-01-31", "month")),
    ("2021-W51", ("2021-12-20", "2021-12-26", "week")),
    ("1998-Q3", ("1998-07-01", "1998-09-30", "quarter")),
    ("1998", ("1998-01-01", "1998-12-31", "year")),
    ("199", ("1990-01-01", "1999-12-31", "decade")),
    ("2021-12-28T17:00", ("2021-12-28", "2021-12-28", "time")),
    ("PAST_REF", (None, None, "ref")),
    ("P3Y", (None, None, "duration")),
    ("XXXX-01-10", (None, None, "unknown")),
])
def test_timex_to_interval(value, expected):
    assert timex_to_interval(value) == expected


def test_gated_scan_equals_full_regex_scan():
    """The fast scan tries only the rules that can open with the word at hand
    (dispatch.py); it must find exactly what one full-regex scan finds."""
    from crosswire.extract.time.rules import COMBINED_ANYCASE
    from crosswire.extract.time.tagger import scan

    text = ("About three years ago, the 1990s and the '80s; early next week, the past two years, a year earlier, "
            "fiscal 1989, the year-earlier quarter, mid-November, Easter week, every Monday, quarterly reports, "
            "noon Saturday, 10:35 a.m. EST Friday, later that week, several months, half an hour, the 12th, "
            "January 10th, 28 Dec, 2021, December 2, Thanksgiving Day, this coming Sunday, four decades, now.")
    full = [(m.start(), m.end(), int(m.lastgroup[1:])) for m in COMBINED_ANYCASE.finditer(text)]
    assert [(m.start(), m.end(), index) for index, m in scan(text)] == full
    assert len(full) > 20


def test_shipped_dispatch_tables_are_current():
    """The package ships the dispatch tables (building them costs ~2 s per
    process); they must be exactly what the current rules build, or a rule
    edit has not been followed by `dispatch.regenerate()`."""
    from crosswire.extract.time.dispatch import TABLES_PATH, build_tables, fingerprint
    from crosswire.extract.time.rules import DISPATCH, DISPATCH2, EVERYWHERE, rule_patterns

    stored = json.loads(TABLES_PATH.read_text(encoding="utf-8"))
    assert stored["fingerprint"] == fingerprint(rule_patterns()), "run dispatch.regenerate() after editing rules"
    built = build_tables(rule_patterns())
    assert (DISPATCH, EVERYWHERE, DISPATCH2) == (built.first, built.everywhere, built.second)


def test_stale_dispatch_tables_are_rebuilt(tmp_path):
    from crosswire.extract.time.dispatch import build_tables, load_tables, write_tables

    path = tmp_path / "dispatch.json"
    write_tables(["(?:last|next) week"], path)
    assert load_tables(["(?:last|next) week"], path) == build_tables(["(?:last|next) week"])
    assert load_tables(["the (?:day|night)"], path) == build_tables(["the (?:day|night)"])
    path.write_text("{not json", encoding="utf-8")
    assert load_tables(["now"], path).first == {"now": [0]}


# --------------------------------------------------------------- evaluation
TIMEML = """<?xml version="1.0" ?>
<TimeML><DOCID>test</DOCID>
<DCT><TIMEX3 tid="t0" type="DATE" value="1998-01-08" temporalFunction="false" functionInDocument="CREATION_TIME">19980108</TIMEX3></DCT>
<TEXT>
Stocks fell <TIMEX3 tid="t1" type="DATE" value="1998-01-07">yesterday</TIMEX3> after a
<TIMEX3 tid="t2" type="DURATION" value="P5Y">five year</TIMEX3> low &amp; will recover <TIMEX3 tid="t3" type="DATE" value="FUTURE_REF">soon</TIMEX3>.
</TEXT></TimeML>
"""


def test_timeml_reader_and_scorer(tmp_path):
    from crosswire.datasets.timeml import read_timeml
    from crosswire.evaluate import timex as ev

    path = tmp_path / "doc.tml"
    path.write_text(TIMEML, encoding="utf-8")
    doc = read_timeml(str(path))
    assert doc.dct == "1998-01-08"
    assert [g.text for g in doc.timexes] == ["yesterday", "five year", "soon"]
    assert "low & will" in doc.text
    metrics = ev.run(str(path))
    for key in ("strict_f1", "relaxed_f1", "type_f1", "value_f1", "strict_precision", "relaxed_recall", "gold"):
        assert key in metrics
    assert metrics["gold"] == 3 and metrics["relaxed_match"] >= 2 and 0 < metrics["value_f1"] <= 1
    assert "value F1" in ev.format_line(metrics)


def test_text_whose_lowercasing_changes_length_takes_the_full_regex():
    found = tag_text("İstanbul talks will be held on January 10, after last week.", "2021-12-28")
    assert [(f.text, f.value) for f in found] == [("January 10", "2022-01-10"), ("last week", "2021-W51")]


def test_fractions_ages_and_titles_are_not_durations():
    text = ("About a quarter of voters backed the 44-year-old mayor, who told CBS's 60 Minutes "
            "it would be a second betrayal.")
    assert tag_text(text, "2021-12-28") == []


def _write_cv_documents(folder: Path) -> None:
    """Four small TimeML documents, one gold timex each."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, (day, text) in enumerate([("1998-01-08", "It rose <TIMEX3 tid=\"t1\" type=\"DATE\" value=\"1998-01-07\">yesterday</TIMEX3>."),
                                     ("1998-01-09", "Talks end <TIMEX3 tid=\"t1\" type=\"DATE\" value=\"1998-01-12\">Monday</TIMEX3>, and now."),
                                     ("1998-02-02", "It fell <TIMEX3 tid=\"t1\" type=\"DATE\" value=\"1998-W05\">last week</TIMEX3>."),
                                     ("1998-03-02", "For <TIMEX3 tid=\"t1\" type=\"DURATION\" value=\"PXY\">years</TIMEX3> it grew.")]):
        doc = TIMEML.replace("1998-01-08", day).split("<TEXT>")[0] + "<TEXT>\n" + text + "\n</TEXT></TimeML>\n"
        (folder / f"doc{i}.tml").write_text(doc, encoding="utf-8")


def test_cross_validation_reports_out_of_fold_figures(tmp_path):
    """--split cv: per fold, params chosen on the other folds tag the held-out
    fold; the pooled figures sit at the top level like any split's."""
    from crosswire.evaluate import timex as ev

    _write_cv_documents(tmp_path)
    metrics = ev.run(str(tmp_path), {"split": "cv", "folds": 2})
    assert metrics["split"] == "cv" and metrics["documents"] == 4 and metrics["gold"] == 4
    assert len(metrics["folds"]) == 2 and sum(f["documents"] for f in metrics["folds"]) == 4
    assert 0 < metrics["value_f1"] <= 1 and metrics["shipped"]["documents"] == 4
    assert isinstance(metrics["chosen_on_all"], list) and "max_directed_days" in metrics["chosen_on_all_params"]
    lines = ev.format_line(metrics).splitlines()
    assert lines[0].startswith("fold ") and "out-of-fold" in lines[-1] and "value F1" in lines[-1]


def test_eval_timex_cv_reads_tempeval_under_the_data_root(tmp_path, monkeypatch):
    """`crosswire eval timex --split cv` without DATA reads TempEval-3 train
    under the data root (crosswire.datasets.timeml's DEFAULT_PATH) and prints
    the per-fold choices, the shipped settings' line and the out-of-fold line."""
    from click.testing import CliRunner

    from crosswire.cli import main
    from crosswire.datasets.timeml import DEFAULT_PATH

    _write_cv_documents(tmp_path / DEFAULT_PATH)
    monkeypatch.setenv("CROSSWIRE_DATA_ROOT", str(tmp_path))
    result = CliRunner().invoke(main, ["eval", "timex", "--split", "cv"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert sum(line.startswith("fold ") for line in lines) == 5  # timex_cv.FOLDS
    assert "timex (shipped DEFAULT, in-sample, 4 docs, 4 gold" in lines[-2]
    assert lines[-1].startswith("timex (cv, out-of-fold, 4 docs, 4 gold")
