"""Actors stage: countries, metonymy, IGOs, offices, within-article linking,
and the public lookup helpers. Real spaCy model, no mocks."""
from __future__ import annotations

import pytest

from crosswire import Pipeline
from crosswire.records import Article


@pytest.fixture(scope="module")
def pipe():
    return Pipeline()


def extract(pipe, text: str, published: str | None = "2022-01-05"):
    art = Article(id=Article.make_id(text), text=text, published=published)
    return next(iter(pipe.extract([art])))


def by_text(result, text: str):
    return [m for m in result.actor_mentions if m.text == text]


def test_countries_demonyms_and_capitals_as_governments(pipe):
    r = extract(pipe, "Moscow and Washington traded accusations while Chinese officials met in Beijing. "
                      "The Kremlin said Russia would respond.")
    moscow = by_text(r, "Moscow")[0].actor
    assert (moscow.code, moscow.kind, moscow.sector) == ("RUS", "government", "GOV")
    assert by_text(r, "Washington")[0].actor.code == "USA"
    kremlin = [m for m in r.actor_mentions if "Kremlin" in m.text][0].actor
    assert (kremlin.code, kremlin.sector) == ("RUS", "GOV")
    assert by_text(r, "Russia")[0].actor.kind == "country"
    chinese = [m for m in r.actor_mentions if m.text.startswith("Chinese")][0].actor
    assert chinese.code == "CHN" and chinese.sector == "GOV"
    # a capital used as a place is a city, not the government
    beijing = by_text(r, "Beijing")[0].actor
    assert beijing.kind == "city"


def test_igos_keep_their_own_identifier_and_cameo_code(pipe):
    r = extract(pipe, "NATO and the Organization for Security and Cooperation in Europe met the EU.")
    nato = by_text(r, "NATO")[0].actor
    assert (nato.code, nato.igo, nato.kind) == ("NATO", "IGOWSTNAT", "igo")
    assert [m for m in r.actor_mentions if m.text.startswith("Organization")][0].actor.code == "OSCE"
    assert by_text(r, "EU")[0].actor.code == "EU"


def test_office_from_title_and_later_surname(pipe):
    r = extract(pipe, "Russian Deputy Foreign Minister Ivan Petrovsky met reporters. "
                      "Petrovsky said the talks went well.")
    full = r.actor_mentions[0]
    assert full.text == "Russian Deputy Foreign Minister Ivan Petrovsky"
    assert (full.actor.code, full.actor.sector, full.actor.office) == ("RUS", "GOV", "Deputy Foreign Minister")
    later = [m for m in r.actor_mentions if m.text == "Petrovsky"][0]
    assert later.antecedent == full.id
    assert later.actor.office == "Deputy Foreign Minister" and later.actor.code == "RUS"


def test_object_of_a_titles_of_is_not_part_of_the_name(pipe):
    # NER tags "State" apart (ORG); it belongs to the office, not to the person
    r = extract(pipe, "Secretary of State Jonas Whitfield met reporters in Ottawa.")
    person = [m for m in r.actor_mentions if m.actor.kind == "person"][0]
    assert person.text == "Secretary of State Jonas Whitfield"
    assert person.actor.name == "Jonas Whitfield"


def test_display_names_keep_regnal_numbers_in_capitals():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "build_actor_tables.py"
    spec = importlib.util.spec_from_file_location("build_actor_tables", path)
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert build.title_case_name("queen elizabeth ii") == "Queen Elizabeth II"
    assert build.title_case_name("carl xvi gustaf") == "Carl XVI Gustaf"
    assert build.title_case_name("minister of the interior") == "Minister of the Interior"
    assert build.title_case_name("sin ii nam") == "Sin Ii Nam"  # a two-letter word inside a name is a name


def test_titled_duplicate_dictionary_entries_join_the_bare_name(pipe):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "build_actor_tables.py"
    spec = importlib.util.spec_from_file_location("build_actor_tables", path)
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    people = {"p:sir ana lima": {"name": "Sir Ana Lima", "codes": [["AAA", "GOV", None, None, "AAAGOV"]],
                                 "aliases": ["sir ana lima"]},
              "p:ana lima": {"name": "Ana Lima", "codes": [["BBB", "GOV", None, None, "BBBGOV"]],
                             "aliases": ["ana lima"]},
              "p:king tor": {"name": "King Tor", "codes": [], "aliases": ["king tor"]},
              "p:tor": {"name": "Tor", "codes": [], "aliases": ["tor"]}}
    assert build.merge_titled_people(people) == 1
    assert people["p:ana lima"]["aliases"] == ["ana lima", "sir ana lima"]
    assert [c[0] for c in people["p:ana lima"]["codes"]] == ["BBB"]
    assert "p:king tor" in people  # a one-word bare name is too thin to say it is the same person
    # the shipped tables: Phoenix files the Queen under Saint Kitts and Nevis too
    r = extract(pipe, "Queen Elizabeth II opened the session of Parliament.", published="2019-05-02")
    queen = [m for m in r.actor_mentions if m.actor.kind == "person"][0].actor
    assert (queen.code, queen.name) == ("GBR", "Elizabeth II")


def test_state_bodies_keep_their_of_phrase_and_a_leading_the_hides_no_longer_name(pipe):
    def orgs(text):
        return [(m.text, m.actor.code) for m in extract(pipe, text).actor_mentions]

    # "The United States" must not hide the dictionary's longer name one word later
    assert orgs("The United States Department of Transportation issued new rules.") == \
        [("United States Department of Transportation", "USA")]
    # a body the dictionary lacks keeps its capitalised "of" phrase
    assert orgs("After the strike, the United States Department of Defense issued a statement.") == \
        [("United States Department of Defense", "USA")]
    assert orgs("The Russian Ministry of Foreign Affairs summoned the envoy.")[0] == \
        ("Russian Ministry of Foreign Affairs", "RUS")
    # ... but not a place, which stays an actor of its own
    assert orgs("A spokesman for the British Embassy of the United Kingdom declined.") == \
        [("British Embassy", "GBR"), ("United Kingdom", "GBR")]


def test_dictionary_leader_coded_on_article_date(pipe):
    r = extract(pipe, "Russian President Vladimir Putin spoke on Monday.", published="2021-12-20")
    putin = r.actor_mentions[0].actor
    assert (putin.code, putin.sector, putin.office) == ("RUS", "GOV", "President")
    assert putin.id == "p:vladimir putin"


def test_state_body_and_unknown_person(pipe):
    r = extract(pipe, "The US National Security Council confirmed it. Spokesperson Anna Kowalczyk declined to comment.")
    nsc = r.actor_mentions[0]
    assert nsc.text == "US National Security Council"
    assert (nsc.actor.code, nsc.actor.sector) == ("USA", "GOV")
    anna = [m for m in r.actor_mentions if "Kowalczyk" in m.text][0].actor
    assert anna.kind == "person" and anna.office == "Spokesperson"


def test_two_nations_links_to_last_pair(pipe):
    r = extract(pipe, "Russia and the United States disagree. The two nations will meet in January.")
    group = [m for m in r.actor_mentions if m.text == "The two nations"]
    assert {m.actor.code for m in group} == {"RUS", "USA"}
    assert all(m.antecedent for m in group)


def test_lookup_helpers(pipe):
    from crosswire.extract.actors.lookup import resolve_mention, resolve_mentions, to_participant

    text = "Russian Foreign Minister Sergey Lavrov spoke. He said Russia and NATO disagree."
    r = extract(pipe, text)
    m = resolve_mention(r, 0, len("Russian Foreign Minister Sergey Lavrov"))
    assert (m.actor.code, m.actor.office) == ("RUS", "Foreign Minister")
    he = text.index("He")
    assert resolve_mention(r, he, he + 2).actor.name == "Sergey Lavrov"
    start = text.index("Russia and NATO")
    codes = [x.actor.code for x in resolve_mentions(r, start, start + len("Russia and NATO"))]
    assert codes == ["RUS", "NATO"]
    p = to_participant(m)
    assert p.mention.start == m.start and p.office == "Foreign Minister"


def test_plural_demonyms(pipe):
    r = extract(pipe, "Young Algerians blocked roads while Iraqis and Nigerians watched.")
    assert {by_text(r, w)[0].actor.code for w in ("Algerians", "Iraqis", "Nigerians")} == {"DZA", "IRQ", "NGA"}


def test_former_state_qualifier_is_not_an_actor(pipe):
    r = extract(pipe, "Ukraine and other ex-Soviet states met in Minsk. The former Soviet republic of Moldova agreed.")
    assert not [m for m in r.actor_mentions if m.actor.code == "SUN"]
    assert by_text(r, "Moldova")[0].actor.code == "MDA"


def test_unknown_person_takes_country_of_apposition(pipe):
    r = extract(pipe, "Salaheddine Sidhoum, Algeria's leading human rights activist, began a hunger strike.")
    person = [m for m in r.actor_mentions if m.actor.kind == "person"][0].actor
    assert person.code == "DZA" and person.office


def test_dictionary_person_spelt_differently(pipe):
    r = extract(pipe, "President Francois Mitterand welcomed Carlos Menem, and President Mugabe stayed away.",
                published=None)
    codes = {m.text: m.actor.code for m in r.actor_mentions if m.actor.kind == "person"}
    assert any(c == "FRA" for t, c in codes.items() if "Mitterand" in t)
    assert any(c == "ARG" for t, c in codes.items() if "Menem" in t)
    assert any(c == "ZWE" for t, c in codes.items() if "Mugabe" in t)


def test_unknown_surname_without_title_stays_uncoded(pipe):
    r = extract(pipe, "Mugabe arrived late.", published=None)
    assert all(m.actor.code is None for m in r.actor_mentions if m.actor.kind == "person")


def test_bare_phoenix_sector_code_keeps_the_persons_country():
    from crosswire.extract.actors.tables import load_tables, person_code_on

    t = load_tables()
    annan = t.people[t.person_alias["kofi annan"]]
    assert all(c[0] == "IGOUNO" for c in annan["codes"])  # "[ELI]" alone is not a country
    assert person_code_on(annan, None)[0] == "IGOUNO"


def test_region_coded_group_named_after_a_country():
    from crosswire.extract.actors.tables import load_tables

    assert load_tables().orgs["palestinian islamic jihad"][0] == "PSE"


def test_generic_agent_nouns_are_groups_of_the_scene_country_not_people(pipe):
    r = extract(pipe, "Riot police fired tear gas at students in Nairobi on Monday.")
    assert not [m for m in r.actor_mentions if m.actor.kind == "person"]
    police = by_text(r, "Riot police")[0].actor
    assert (police.code, police.sector, police.kind) == ("KEN", "COP", "organisation")
    r = extract(pipe, "Kenyan riot police fired tear gas at students.")
    police = by_text(r, "Kenyan riot police")[0].actor
    assert (police.code, police.sector) == ("KEN", "COP")
    # no place in the sentence and no home country: a mention, but no guessed country
    r = extract(pipe, "Soldiers opened fire on the crowd.")
    soldiers = by_text(r, "Soldiers")[0].actor
    assert (soldiers.code, soldiers.sector, soldiers.kind) == (None, "MIL", "organisation")


def test_ethnic_groups_coded_by_country_of_residence_only_when_placed(pipe):
    r = extract(pipe, "Ethnic Albanians in south Serbia are demanding a U.N. military presence.")
    assert by_text(r, "Albanians")[0].actor.code == "SRB"
    r = extract(pipe, "Up to 100 ethnic Albanians demonstrated on Tuesday in Serbia.")
    assert by_text(r, "Albanians")[0].actor.code == "SRB"
    r = extract(pipe, "Bosnian Serbs demanded a truce with Moslem forces in east Bosnia.")
    assert by_text(r, "Bosnian Serbs")[0].actor.code == "BIH"
    r = extract(pipe, "Albanians voted on Sunday.")
    assert by_text(r, "Albanians")[0].actor.code == "ALB"


def test_names_cut_by_ner_and_namesakes(pipe):
    r = extract(pipe, "South African President F.W. de Klerk said on Friday he would free prisoners.", "1990-02-02")
    klerk = [m for m in r.actor_mentions if m.text.endswith("F.W. de Klerk")][0].actor
    assert (klerk.code, klerk.sector) == ("ZAF", "GOV")
    r = extract(pipe, "F.W. de Klerk met Nelson Mandela.", "1990-02-02")
    assert by_text(r, "F.W. de Klerk")[0].actor.code == "ZAF"
    # a one-word dictionary alias is not the person when the name goes on
    r = extract(pipe, "President Omar Hassan al-Bashir has taken steps to open up Sudan.", "2003-01-01")
    assert [m for m in r.actor_mentions if "Bashir" in m.text][0].actor.code == "SDN"
    # the text's "of <country>" wins over a dictionary namesake
    r = extract(pipe, "King Hassan of Morocco said he would host a meeting.", "1986-07-01")
    assert [m for m in r.actor_mentions if "Hassan" in m.text][0].actor.code == "MAR"


def test_coordinated_titled_people_stay_two_actors(pipe):
    r = extract(pipe, "Libyan leader Muammar Gaddafi and Bulgarian President Todor Zhivkov signed a treaty.",
                "1984-01-10")
    people = sorted((m.text, m.actor.code) for m in r.actor_mentions if m.actor.kind == "person")
    assert people == [("Bulgarian President Todor Zhivkov", "BGR"), ("Libyan leader Muammar Gaddafi", "LBY")]


def test_bracketed_acronyms_and_non_state_groups():
    from crosswire.extract.actors.tables import load_tables

    t = load_tables()
    # Phoenix writes "LIBERATION_TIGERS_OF_TAMIL_EELAM_(LTTE)_"
    assert t.orgs["liberation tigers of tamil eelam"][0] == "LKA"
    assert "ltte" in t.uppercase_only and "ltte" in t.orgs


def test_non_state_armed_group_is_coded(pipe):
    r = extract(pipe, "Recent US drone attacks have killed eight al-Qaeda leaders. LTTE rebels and Let them go.")
    assert by_text(r, "al-Qaeda")[0].actor.code == "IMG"
    assert by_text(r, "LTTE")[0].actor.code == "LKA"
    assert not by_text(r, "Let")


def test_office_in_apposition_or_after_a_possessive_state(pipe):
    r = extract(pipe, "Kenzo Oshima, the United Nations Emergency Relief Coordinator, demanded access in Iraq.",
                "2003-04-01")
    oshima = by_text(r, "Kenzo Oshima")[0].actor
    assert oshima.igo == "IGOUNO" and oshima.office.endswith("Coordinator")
    r = extract(pipe, "Nigeria's foreign minister summoned Niger's ambassador Brah Mohamane on Tuesday.")
    envoy = [m for m in r.actor_mentions if "Mohamane" in m.text][0].actor
    assert (envoy.code, envoy.sector) == ("NER", "GOV")
    assert by_text(r, "Niger")[0].actor.kind == "country"


def test_hyphenated_given_name_is_the_dictionary_person(pipe):
    r = extract(pipe, "Ousted president Jean-Bertrand Aristide has been accused of misusing funds.", "2004-03-01")
    aristide = [m for m in r.actor_mentions if "Aristide" in m.text][0]
    assert aristide.text.endswith("Jean-Bertrand Aristide") and aristide.actor.code == "HTI"


# ------------------------------------------------------------ whole articles
def test_home_country_from_dateline_outlet_domain_and_votes():
    from collections import Counter

    from crosswire.extract.actors.home import dateline_country, decide, outlet_country

    assert dateline_country("NAIROBI (Reuters) — Police fired tear gas.") == ("NAIROBI", "KEN")
    assert dateline_country("Police fired tear gas in the capital.") == (None, None)
    assert outlet_country("https://www.example.co.uk/news/1") == ("uk", "GBR")
    assert outlet_country("https://example.com/a") == (None, None)
    home = decide(Counter({"KEN": 6, "UGA": 2}))
    assert home.iso == "KEN" and "6 of 8" in home.evidence
    assert decide(Counter({"KEN": 6, "UGA": 4})) is None  # about two countries: about neither
    assert decide(Counter({"KEN": 2})) is None  # too little said


KENYA_ARTICLE = (
    "Kenyan president rejects minister's resignation\n\n"
    "President Amani Otieno of Kenya on Tuesday rejected the resignation of Finance Minister Joseph Waweru. "
    "Kenya's opposition criticised the decision in Nairobi. Protesters gathered outside the parliament. "
    "The police fired tear gas, and the government said the protests were illegal. "
    "Legal and religious groups have also called for calm. The president said Kenya would not change course.")


def test_generic_agents_take_the_articles_home_country(pipe):
    r = extract(pipe, KENYA_ARTICLE)
    for text, sector in (("Protesters", "OPP"), ("police", "COP"), ("government", "GOV"), ("parliament", "LEG")):
        m = by_text(r, text)[0]
        assert (m.actor.code, m.actor.sector) == ("KEN", sector), text
        assert m.why.startswith("agent+home; home KEN")  # the inference and its evidence
    assert by_text(r, "Legal and religious groups")[0].actor.code == "KEN"
    # a person the dictionary lacks, titled but with no country in the title
    waweru = by_text(r, "Finance Minister Joseph Waweru")[0]
    assert waweru.actor.code == "KEN" and "home KEN" in waweru.why


def test_generic_agents_with_no_home_stay_uncoded_mentions(pipe):
    r = extract(pipe, "Kenya and Uganda traded accusations. Protesters marched on Sunday. Uganda and Kenya met.")
    protesters = by_text(r, "Protesters")[0]
    assert protesters.actor.code is None and protesters.actor.name == "Protesters"


def test_office_nominals_link_to_the_holder(pipe):
    r = extract(pipe, KENYA_ARTICLE)
    otieno = by_text(r, "President Amani Otieno of Kenya")[0]
    headline = by_text(r, "Kenyan president")[0]  # the headline comes before the name: the only holder
    later = by_text(r, "president")[0]  # "The president said": the nearest holder before
    for m in (headline, later):
        assert m.antecedent == otieno.id and m.actor.name == "Amani Otieno" and m.actor.code == "KEN"
        assert m.why.startswith("office-coref")
    minister = by_text(r, "minister")[0]  # "minister's resignation" -> Finance Minister Joseph Waweru
    assert minister.actor.name == "Joseph Waweru"


def test_people_the_dictionary_lacks_take_party_state_or_home_country(pipe):
    r = extract(pipe, "Senator Miriam Castellanos of Georgia said the Senate would vote. Tobias Wendt, a "
                      "Republican, disagreed. Democrats and Republicans in the United States Congress argued. "
                      "President Harold Brandt spoke in Washington. Americans watched. The US economy grew.")
    castellanos = [m for m in r.actor_mentions if "Castellanos" in m.text][0]
    assert castellanos.actor.code == "USA"  # Georgia the state, not the country
    wendt = by_text(r, "Tobias Wendt")[0]
    assert wendt.actor.code == "USA" and wendt.why.endswith("+party")
    democrats = by_text(r, "Democrats")[0].actor
    assert (democrats.code, democrats.sector) == ("USA", "PTY")


def test_an_envoys_brief_is_not_the_persons_country(pipe):
    r = extract(pipe, "Edgar Lindqvist, the United States special envoy for Ukraine, resigned on Friday.")
    assert by_text(r, "Edgar Lindqvist")[0].actor.code == "USA"


def test_generic_nouns_that_are_no_agents_stay_out(pipe):
    r = extract(pipe, "Kenya's opposition leader expressed opposition to the plan. Kenya will lose the case in "
                      "court, Kenya said. Mohammed Said, an airport officer, was hurt in Kenya.")
    texts = {m.text for m in r.actor_mentions}
    assert "opposition" not in texts and "court" not in texts and "airport officer" not in texts


def test_an_entity_of_line_breaks_is_no_actor():
    """From an ECB+ article's table of title fights: spaCy took a run of
    line breaks for a person, and linking surnames raised on its empty name
    (the whole batch stopped). No actor has a blank name."""
    from crosswire import Pipeline
    from crosswire.records import Article

    text = "HEAVYWEIGHT TITLE FIGHTS\n\nJoe Louis 26 - 1\n\nMuhammad Ali 22 - 3\n\nLarry Holmes 21 - 5\n\nVitali Klitschko 15 - 2\n"
    result = next(iter(Pipeline().extract([Article(id="t", text=text, title="Title fights")])))
    assert result.producer is not None  # extracted, not refused by a failing stage
    assert all(m.actor.name.strip() for m in result.actor_mentions)
