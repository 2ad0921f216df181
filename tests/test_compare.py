"""Compare: per-event and per-story agreement, and the table rows."""
from __future__ import annotations

from crosswire.compare import compare, comparison_rows, numbers_in
from crosswire.config import Settings
from crosswire.resolve import resolve

from test_resolve import article, mention, two_outlets

SETTINGS = Settings(use_embeddings=False)


def _resolved(results):
    res = resolve(results, SETTINGS)
    compare(res, results)
    return res


def test_event_agreement_dates_participants_and_single_source():
    res = _resolved(two_outlets())
    talks = next(e for e in res.events if e.date == "2030-03-10")
    ag = talks.agreement
    assert ag["reported_by"] == ["Paper Two", "Wire One"] and not ag["single_source"]
    assert ag["date"]["agree"] and ag["date"]["values"] == {"2030-03-10": ["Paper Two", "Wire One"]}
    assert ag["participants"]["agree"]
    assert ag["status"]["values"] == {"planned": ["Paper Two", "Wire One"]}
    accusation = next(e for e in res.events if e.event_type == "ACCUSE")
    assert accusation.agreement["single_source"]
    assert accusation.agreement["reported_by"] == ["Paper Two"]


def test_differences_and_only_in():
    one = article("art-1", "Wire One", "2030-03-01", [
        mention("art-1", 1, "talks", "2030-03-10", ["AAA", "BBB"], text="Talks with 40 delegates are set.")])
    two = article("art-2", "Paper Two", "2030-03-02", [
        mention("art-2", 1, "talks", "2030-03-10", ["AAA", "BBB", "ALLI"], text="The talks on March 10.")])
    res = _resolved([one, two])
    ag = res.events[0].agreement
    assert not ag["participants"]["agree"]
    assert ag["participants"]["only_in"] == {"the Alliance (ALLI)": "Paper Two"}
    assert ag["numbers"]["values"] == {"40": ["Wire One"]}
    assert ag["numbers"]["missing"] == ["Paper Two"]


def test_story_agreement_and_rows():
    res = _resolved(two_outlets())
    story = next(s for s in res.stories if "art-a" in s.articles)
    sa = story.agreement
    assert sa["outlets"] == ["Paper Two", "Wire One"]
    assert len(sa["corroborated"]) == 3
    assert list(sa["single_source"]) == ["Paper Two"]
    rows = comparison_rows(story, res.events)
    assert {r["field"] for r in rows} >= {"reported_by", "date", "participants", "status"}
    first = rows[0]
    assert first["field"] == "reported_by" and "2030-03-10" in first["what"]
    assert set(first) == {"event", "what", "field", "agree", "values", "missing", "only_in"}


def test_numbers_skip_dates_and_years():
    assert numbers_in("On March 10, 2030, some 1,200 troops and 3 tanks moved; 10 January too.") == [
        "1,200 troops", "3"]


def test_surname_and_full_name_are_one_participant():
    from crosswire.records import Participant
    one = article("art-1", "Wire One", "2030-03-01", [
        mention("art-1", 1, "talks", "2030-03-10", ["AAA"], text="Talks are set.")])
    two = article("art-2", "Paper Two", "2030-03-02", [
        mention("art-2", 1, "talks", "2030-03-10", ["AAA"], text="The talks are set.")])
    one.event_mentions[0].recipients = [Participant(name="Ivan Petrenko", code="BBB", kind="person")]
    two.event_mentions[0].recipients = [Participant(name="Petrenko", code="BBB", kind="person")]
    res = _resolved([one, two])
    ag = res.events[0].agreement
    assert ag["participants"]["agree"], ag["participants"]
    assert "Ivan Petrenko (BBB)" in ag["participants"]["values"]


def test_a_fallback_date_is_no_claim_about_the_event():
    """Two outlets publishing on different days report one event their texts
    do not date: the events stage dates each report by its publication day,
    but neither outlet said when it happened, so there is no conflict."""
    one = article("art-1", "Wire One", "2030-03-01", [
        mention("art-1", 1, "talks", "2030-03-01", ["AAA", "BBB"], status="occurred", text="Talks were held.")])
    two = article("art-2", "Paper Two", "2030-03-02", [
        mention("art-2", 1, "talks", "2030-03-02", ["AAA", "BBB"], status="occurred", text="The talks took place.")])
    for r in (one, two):
        r.event_mentions[0].date_basis = "publication"
    ag = compare_only([one, two])
    assert ag["date"]["values"] == {} and ag["date"]["agree"]
    assert ag["date"]["missing"] == ["Paper Two", "Wire One"]


def test_a_month_and_its_day_agree_a_week_and_another_day_do_not():
    from crosswire.compare import dates_agree
    assert dates_agree(["2030-03", "2030-03-10"])
    assert dates_agree(["2021-W51", "2021-12-22"])  # "last week" and the Wednesday in it
    assert not dates_agree(["2021-W51", "2021-12-28"])  # "last week" against the day after it
    assert not dates_agree(["2030-03-10", "2030-03-12"])
    one = article("art-1", "Wire One", "2030-03-01", [
        mention("art-1", 1, "talks", "2030-03", ["AAA", "BBB"], text="Talks are set for March.")])
    two = article("art-2", "Paper Two", "2030-03-02", [
        mention("art-2", 1, "talks", "2030-03-10", ["AAA", "BBB"], text="The talks on March 10.")])
    ag = compare_only([one, two])
    assert ag["date"]["agree"] and set(ag["date"]["values"]) == {"2030-03", "2030-03-10"}


def compare_only(results):
    """The agreement of one event made of every mention of `results`."""
    from crosswire.compare import event_agreement
    from crosswire.records import Event, Mention
    mentions = [m for r in results for m in r.event_mentions]
    outlet = {r.article.id: r.article.outlet for r in results}
    event = Event(id="e1", event_type="CONSULT", status="planned", mentions=[
        Mention(m.id, m.article, m.sentence, m.start, m.end, m.text, outlet[m.article], m.status, m.date)
        for m in mentions])
    return event_agreement(event, {m.id: m for m in mentions})
