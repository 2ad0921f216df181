"""The quotes stage: direct and indirect speech with speaker, cue, content,
medium and date; the seed quotes of expected.json; the PolNeAR scorer.

Real spaCy, no mocks. Articles are built here (the seeds less the date line
and byline an ingest strips)."""
from __future__ import annotations

import json
import re

import pytest

from crosswire.annotate import load_nlp, sentences_of
from crosswire.config import Settings
from crosswire.extract import Anchor, ArticleContext, get_stage
from crosswire.records import Article, ArticleResult


# ------------------------------------------------------------------ helpers
def _optional_stage(name):
    """time/actors belong to other contributors: use them when they load."""
    try:
        return get_stage(name)
    except Exception:  # noqa: BLE001 - a half-finished neighbour must not break these tests
        return None


def run_article(text: str, outlet: str | None = None, published: str | None = None, title: str = "") -> ArticleResult:
    article = Article(id=Article.make_id(text), text=text, title=title, outlet=outlet, published=published)
    doc = load_nlp()(text)
    sentences = sentences_of(doc)
    ctx = ArticleContext(article=article, doc=doc, sentences=sentences, settings=Settings(),
                         result=ArticleResult(article=article, sentences=sentences),
                         anchor=Anchor(published, "publication") if published else Anchor(None, "none"))
    for name in ("time", "actors"):
        stage = _optional_stage(name)
        if stage is not None:
            try:
                stage(ctx)
            except Exception:  # noqa: BLE001
                pass
    get_stage("sources")(ctx)
    get_stage("quotes")(ctx)
    return ctx.result


def seed_article(seeds_dir, name: str, outlet: str | None = None) -> ArticleResult:
    """A seed file as an Article: first line the title, then the body, less
    the date line and byline an ingest would strip."""
    raw = (seeds_dir / name).read_text(encoding="utf-8")
    title, _, body = raw.partition("\n")
    published = None
    date_line = re.search(r"^(\d{1,2}) (\w{3}), (\d{4}) \d\d:\d\d / Updated.*$", body, flags=re.M)
    if date_line:
        months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
        published = f"{date_line.group(3)}-{months.index(date_line.group(2)) + 1:02d}-{int(date_line.group(1)):02d}"
        body = body.replace(date_line.group(0), "")
    body = re.sub(r"^By [A-Z]\w+ [A-Z]\w+$", "", body, flags=re.M)
    body = re.sub(r"\n{3,}", "\n\n", body).strip()
    return run_article(body, outlet=outlet, published=published, title=title)


def quote_with(result: ArticleResult, fragment: str):
    found = [q for q in result.quotes if fragment in q.text]
    assert found, f"no quote containing {fragment!r}; got {[q.text[:60] for q in result.quotes]}"
    return found[0]


# ------------------------------------------------------------------ shapes
def test_direct_quote_cue_after_curly_marks():
    r = run_article("The minister spoke in Paris.\n\n“We will not accept these terms,” Maria Lopez said on Friday.")
    q = quote_with(r, "We will not accept")
    assert q.direct and q.speaker.name == "Maria Lopez" and q.cue.startswith("said")
    assert not q.text.startswith("“") and r.article.text[q.start:q.end] == q.text
    assert q.speaker.mention and r.article.text[q.speaker.mention.start:q.speaker.mention.end] == "Maria Lopez"


def test_direct_quote_cue_before_straight_marks():
    r = run_article('Senator John Barrow said: "The bill is dead and everybody knows it."')
    q = quote_with(r, "The bill is dead")
    assert q.direct and "Barrow" in q.speaker.name


def test_multi_sentence_quote_and_interrupted_quote():
    text = ('"The talks were useful. We made real progress on the draft," Anna Berg said. '
            '"But there is more work to do."')
    r = run_article(text)
    q = quote_with(r, "The talks were useful")
    assert "We made real progress" in q.text and q.direct
    assert "more work to do" in q.text  # the quotation continuing after the cue


def test_pronoun_speaker_resolves_to_full_name():
    text = ("Prime Minister Karl Jensen arrived in Oslo on Monday. "
            "He said that the government would raise taxes next year.")
    r = run_article(text)
    q = quote_with(r, "raise taxes")
    assert not q.direct and q.speaker.name == "Karl Jensen"


def test_according_to_person_is_indirect_speech():
    r = run_article("According to Finance Minister Olga Petrova, the budget will be balanced by 2025.")
    q = quote_with(r, "budget will be balanced")
    assert not q.direct and "Petrova" in q.speaker.name and q.cue.lower().startswith("according")


def test_medium_told_agency_and_press_statement():
    r = run_article('"We are ready," Ivan Sokolov told the Interfax news agency. '
                    "Sokolov said in a press statement that the deal was close.")
    assert quote_with(r, "We are ready").medium == "Interfax"
    assert quote_with(r, "the deal was close").medium == "press statement"


def test_surname_takes_full_name_seen_earlier():
    r = run_article("Foreign Minister Elena Markova met her counterpart. Markova noted that the meeting went well.")
    assert quote_with(r, "the meeting went well").speaker.name == "Elena Markova"


def test_cue_after_the_claim_with_a_date():
    r = run_article("The two sides will meet in Geneva next week, the officials confirmed on Tuesday.",
                    published="2021-12-28")
    q = quote_with(r, "will meet in Geneva")
    assert not q.direct and q.cue.startswith("confirmed") and "officials" in q.speaker.name


def test_belief_is_not_a_quote():
    r = run_article("Many voters think that the economy is getting worse.")
    assert not any("economy" in q.text for q in r.quotes)


def test_said_on_comes_from_the_cues_own_time_expression():
    r = run_article("The two sides will hold talks in Geneva ahead of a summit later that week, "
                    "the officials confirmed on Tuesday.", published="2021-12-28")
    q = quote_with(r, "hold talks")
    assert r.timexes, "said_on needs the time stage, which the quotes stage declares it needs"
    tuesday = [tx for tx in r.timexes if tx.text == "Tuesday"][0]
    assert q.said_on == tuesday.value  # not the value of "later that week", a date inside the claim


def test_said_on_before_the_cue_and_none_without_one():
    r = run_article("On Monday, the minister said that talks would resume on Friday. "
                    "The minister said that the deal was close.", published="2021-12-28")
    assert r.timexes, "said_on needs the time stage, which the quotes stage declares it needs"
    monday = [tx for tx in r.timexes if tx.text == "Monday"][0]
    assert quote_with(r, "talks would resume").said_on == monday.value
    assert quote_with(r, "the deal was close").said_on is None


def test_nyt_style_doubled_quote_marks_are_a_quotation():
    r = run_article("Mr. Barrett said, ''I think the talks will fail.'' He left early.")
    q = quote_with(r, "talks will fail")
    assert q.direct and q.text == "I think the talks will fail." and "Barrett" in q.speaker.name


# ------------------------------------------------------------------ spans (PolNeAR conventions)
def _spans(nlp, text):
    from crosswire.extract.quotes.spans import attribution_spans

    return [{role: [text[s:e] for s, e in getattr(a, role)] for role in ("source", "cue", "content")}
            for a in attribution_spans(nlp(text))]


def test_quote_regions_pair_doubled_and_mixed_marks(nlp):
    from crosswire.extract.quotes.spans import quote_regions

    def regions(text):
        doc = nlp(text)
        return [doc[a:b + 1].text for a, b in quote_regions(doc)]

    assert regions("He said ''yes,'' adding that ''it is fine.''") == ["''yes,''", "''it is fine.''"]
    # a stray straight mark ending one paragraph does not swallow the next paragraph's curly quotation
    assert regions('Polls say no."\n\n“This is real,” said Ann Lee.') == ["“This is real,”"]
    # a quotation running over paragraphs reopens each of them
    assert regions('"First part.\n\n"Second part," she said.') == ['"First part.\n\n"Second part,"']


def test_continuing_quotation_is_a_second_content_fragment(nlp):
    text = '"Everybody knew what to expect," Mr. Barrett said. "They would sell their best assets."'
    [att] = _spans(nlp, text)
    assert att["content"] == ['"Everybody knew what to expect,"', '"They would sell their best assets."']


def test_quotation_with_its_own_cue_is_not_a_continuation(nlp):
    text = '"We will win," Mr. Barrett said. "We will lose," Ms. Cole replied.'
    atts = _spans(nlp, text)
    barrett = [a for a in atts if a["source"] == ["Mr. Barrett"]][0]
    assert barrett["content"] == ['"We will win,"']


def test_source_keeps_the_comma_closing_its_apposition(nlp):
    [att] = _spans(nlp, "Ed Rendell, who chaired the party in 2000, said that the polls were wrong.")
    assert att["source"] == ["Ed Rendell, who chaired the party in 2000,"]
    assert att["content"] == ["that the polls were wrong"]
    [plain] = _spans(nlp, "Rendell said that the polls were wrong.")
    assert plain["source"] == ["Rendell"]


def test_preposition_between_cue_and_content_belongs_to_the_cue(nlp):
    from crosswire.extract.quotes.spans import _preposition_to_cue

    doc = nlp("Senator Lee complained about the new tariffs on steel.")
    cue = [t.i for t in doc if t.text == "complained"][0]
    runs = {"cue": [(cue, cue)], "source": [(0, 1)], "content": [(cue + 1, len(doc) - 2)]}
    _preposition_to_cue(doc, runs, cue)
    assert doc[runs["cue"][0][0]:runs["cue"][0][1] + 1].text == "complained about"
    assert doc[runs["content"][0][0]:runs["content"][0][1] + 1].text == "the new tariffs on steel"
    # end to end: the same split
    [att] = _spans(nlp, "Senator Lee complained about the new tariffs on steel.")
    assert att["cue"] == ["complained about"] and att["content"] == ["the new tariffs on steel"]


def test_cue_keeps_as_and_a_content_never_opens_with_a_colon(nlp):
    from crosswire.extract.quotes.spans import _preposition_to_cue, _skip_colon

    doc = nlp("Critics described the plan as reckless and costly.")
    cue = [t.i for t in doc if t.text == "described"][0]
    as_i = [t.i for t in doc if t.text == "as"][0]
    runs = {"cue": [(cue, cue + 2)], "source": [(0, 0)], "content": [(as_i, len(doc) - 2)]}
    _preposition_to_cue(doc, runs, cue)  # 'as' hangs off 'described'
    assert doc[runs["content"][0][0]].text == "reckless" and runs["cue"][0] == (cue, as_i)
    doc = nlp('Podesta said in a statement: "Tonight, he failed."')
    colon = [t.i for t in doc if t.text == ":"][0]
    assert doc[_skip_colon(doc, colon, len(doc) - 1)].text == '"'


def test_quotation_split_off_by_the_parser_is_the_contents_of_the_next_cue(nlp):
    text = "The host pressed on.\n\n“What was the massive pivot point to make him change?” Beck questioned."
    doc = nlp(text)
    cue = [t for t in doc if t.text == "questioned"][0]
    assert not any(t.text == "What" for t in cue.sent)  # the parse splits at the question mark
    [att] = _spans(nlp, text)
    assert att["content"] == ["“What was the massive pivot point to make him change?”"]
    assert att["source"] == ["Beck"] and att["cue"] == ["questioned"]


def test_reported_content_stops_before_a_participle_that_is_a_cue(nlp):
    from crosswire.extract.quotes.spans import _stop_before_participle_cue

    doc = nlp("Trump said the deal was bad for workers, adding that he would fix it.")
    cue = [t.i for t in doc if t.text == "said"][0]
    adding = [t.i for t in doc if t.text == "adding"][0]
    end = len(doc) - 2
    first, last = _stop_before_participle_cue(doc, cue + 1, end, cue, frozenset({cue, adding}))
    assert doc[first:last + 1].text == "the deal was bad for workers"
    # a participle that is not a cue stays in the content
    assert _stop_before_participle_cue(doc, cue + 1, end, cue, frozenset({cue})) == (cue + 1, end)


def test_role_features_see_parentheses_and_quotation_marks_between(nlp):
    from crosswire.extract.quotes.spans import DocView, quote_index, quote_regions, role_features

    doc = nlp('Rubio (who has 110 delegates) said "we will win," and left.')
    view, quotes_of = DocView(doc), quote_index(doc, quote_regions(doc))
    cue = [t.i for t in doc if t.text == "said"][0]
    inside = [t.i for t in doc if t.text == "delegates"][0]
    after = [t.i for t in doc if t.text == "left"][0]
    assert any(f.startswith("par=") for f in role_features(view, inside, cue, quotes_of))
    assert not any(f.startswith("par=") for f in role_features(view, after, cue, quotes_of))
    assert any(f.startswith("mb=") and "|2|R|" in f for f in role_features(view, after, cue, quotes_of))


def test_reported_content_stops_before_a_trailing_relative_clause(nlp):
    text = ("Mr. Lee suggested that Congress simply pass a renewal of the sanctions act, "
            "which expires at the end of the year.")
    [att] = _spans(nlp, text)
    assert att["content"] == ["that Congress simply pass a renewal of the sanctions act"]
    # a restrictive clause (no comma) stays in the content
    [att] = _spans(nlp, "Mr. Lee said that the act which expires this year should be renewed.")
    assert att["content"] == ["that the act which expires this year should be renewed"]


def test_reported_content_stops_at_a_quotation_before_its_gloss(nlp):
    text = 'Lee said his partners avoided "any language that would touch the JCPOA," a formal acronym for the deal.'
    [att] = _spans(nlp, text)
    assert att["content"] == ['his partners avoided "any language that would touch the JCPOA,"']
    # a clause after the quotation is not a gloss: the content keeps it
    from crosswire.extract.quotes.spans import _stop_after_quotation

    doc = nlp('Lee said the plan was "dead on arrival," and the senators agreed with him.')
    cue = [t.i for t in doc if t.text == "said"][0]
    assert _stop_after_quotation(doc, cue + 1, len(doc) - 2, cue) == (cue + 1, len(doc) - 2)


def test_reported_content_drops_a_dangling_participle(nlp):
    from crosswire.extract.quotes.spans import _cut_trailing_participle

    doc = nlp("Ann Lee said her father would do the same as president, saying")
    cue = [t.i for t in doc if t.text == "said"][0]
    first, last = _cut_trailing_participle(doc, cue + 1, len(doc) - 1, cue)
    assert doc[first:last + 1].text == "her father would do the same as president"
    # a participle inside the content, not dangling at its end, stays
    doc = nlp("Ann Lee said her father, smiling, would do the same as president")
    cue = [t.i for t in doc if t.text == "said"][0]
    assert _cut_trailing_participle(doc, cue + 1, len(doc) - 1, cue) == (cue + 1, len(doc) - 1)


def test_quotation_signed_with_a_dash_and_a_name(nlp):
    text = "Readers wrote to us.\n\n“He does not speak for us. We are tired of it.” ― Maria Lopez\n\nMore followed."
    atts = [a for a in _spans(nlp, text) if a["cue"] == ["―"]]
    assert atts == [{"source": ["Maria Lopez"], "cue": ["―"],
                     "content": ["“He does not speak for us. We are tired of it.”"]}]
    # the quotes stage makes it a direct quote of that speaker
    [quote] = [q for q in run_article(text).quotes if q.cue == "―"]
    assert quote.direct and quote.speaker.name == "Maria Lopez"
    assert quote.text == "He does not speak for us. We are tired of it."
    # a dash after a quotation that no name follows signs nothing
    from crosswire.extract.quotes.spans import _signature_attributions, quote_regions

    doc = nlp("They called it “a done deal” ― or so they thought.")
    assert _signature_attributions(doc, quote_regions(doc), set()) == []


# ------------------------------------------------------------------ seeds
@pytest.fixture(scope="module")
def seed_results(seeds_dir):
    return {
        "000_4e1c3e87275d7c58.txt": seed_article(seeds_dir, "000_4e1c3e87275d7c58.txt"),
        "002_a4e5fc3ef32ee48f.txt": seed_article(seeds_dir, "002_a4e5fc3ef32ee48f.txt", outlet="RT"),
    }


def test_seed_quotes_expected(seeds_dir, seed_results):
    expected = json.loads((seeds_dir / "expected.json").read_text())["quotes"]
    for exp in expected:
        quotes = seed_results[exp["article"]].quotes
        if "starts_with" in exp:
            hits = [q for q in quotes if q.text.startswith(exp["starts_with"])]
        else:
            hits = [q for q in quotes if exp["contains"] in q.text]
        assert hits, f"missing quote {exp}"
        by_speaker = [q for q in hits if any(s.lower() in q.speaker.name.lower() for s in exp["speaker"])]
        assert by_speaker, (exp, [q.speaker.name for q in hits])
        q = by_speaker[0]
        assert q.direct == exp["direct"], (exp, q.direct)
        if "medium" in exp:
            assert q.medium == exp["medium"], (exp, q.medium)


def test_seed_quote_chain_and_date(seed_results):
    r = seed_results["002_a4e5fc3ef32ee48f.txt"]
    ryabkov = quote_with(r, "I can confirm")
    assert [link.name for link in ryabkov.chain] == ["RT", "RIA Novosti", "Sergey Ryabkov"]
    nsc = quote_with(r, "The United States looks forward")
    assert [link.kind for link in nsc.chain][:2] == ["outlet", "outlet"] and nsc.chain[1].name == "CNN"
    assert "Additionally" in nsc.text  # the quotation continues in the next sentence
    lavrov = quote_with(r, "New Year holidays")
    assert lavrov.speaker.name == "Sergey Lavrov"
    assert lavrov.said_on == "2021-12-27"


# ------------------------------------------------------------------ scorer
def test_polnear_scorer_on_a_tiny_document(tmp_path):
    from crosswire.datasets.polnear import ROLES, parse_brat
    from crosswire.datasets.polnear import doc_units
    from crosswire.evaluate.quotes import metrics_from_counts, score_doc

    text = 'Smith said that taxes will rise. "No," Jones said.'
    ann = ("T1\tSource 0 5\tSmith\nT2\tCue 6 10\tsaid\nT3\tContent 11 31\tthat taxes will rise\n"
           "E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3\n")
    gold = parse_brat(ann)
    assert gold[0].content == [(11, 31)]
    counts = {f"{r}_{k}": 0 for r in ROLES for k in ("gold", "pred", "exact_tp", "overlap_pred_tp", "overlap_gold_tp")}
    pred = [type(gold[0])(id="p", source=[(0, 5)], cue=[(6, 10)], content=[(16, 31)])]
    score_doc(text, doc_units(text, gold), doc_units(text, pred), counts)
    m = metrics_from_counts(counts)
    assert m["source_f1_exact"] == 1.0 and m["content_f1_exact"] == 0.0 and m["content_f1_overlap"] == 1.0


def test_polnear_scorer_selects_a_range_of_articles():
    from crosswire.datasets.polnear import PolnearDoc
    from crosswire.evaluate.quotes import select_docs

    docs = [PolnearDoc(str(k), "", []) for k in range(10)]
    assert [d.name for d in select_docs(docs, docs_range="7:10")] == ["7", "8", "9"]
    assert [d.name for d in select_docs(docs, limit=2, docs_range="7:")] == ["7", "8"]
    assert len(select_docs(docs)) == 10


def test_polnear_report_says_how_it_picks_one_annotator(tmp_path):
    from crosswire.datasets.polnear import ANNOTATOR_CHOICE, pick_annotation_files, several_annotators
    from crosswire.evaluate.quotes import format_line

    ann = tmp_path / "attributions"
    ann.mkdir()
    for name in ("art_b2c3.ann", "art_a1f0.ann", "other_0c0c.ann"):
        (ann / name).write_text("", encoding="utf-8")
    assert pick_annotation_files(ann)["art"].name == "art_a1f0.ann"
    assert several_annotators(tmp_path) == 1
    metrics = {f"{r}_f1_{k}": 0.5 for r in ("source", "cue", "content") for k in ("exact", "overlap")}
    metrics.update(documents=2, annotator_choice=ANNOTATOR_CHOICE, articles_with_several_annotators=1)
    line = format_line(metrics)
    assert "lowest annotator id" in line and "1 articles had several" in line
