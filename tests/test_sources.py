"""The sources stage: claims attributed to outlets, agencies and bodies, as
provenance chains (publisher -> cited outlet/body -> speaker)."""
from __future__ import annotations

import pytest

from test_quotes import run_article, seed_article


def chains(result):
    return [[(link.name, link.kind) for link in a.chain] for a in result.attributions]


def test_according_to_agency_covers_its_sentence():
    text = "Talks began in Geneva.\n\nAccording to Reuters, the two sides agreed to a ceasefire. Markets rose."
    r = run_article(text, outlet="Daily Example")
    [att] = [a for a in r.attributions if a.cue == "according to"]
    assert att.chain[0].name == "Daily Example" and att.chain[1].name == "Reuters"
    assert att.chain[1].kind == "agency"
    assert r.article.text[att.covers_start:att.covers_end].startswith("According to Reuters")
    assert "Markets rose" not in r.article.text[att.covers_start:att.covers_end]
    assert att.chain[1].evidence.text == "Reuters"


def test_outlet_reported_and_reports():
    r = run_article("The Washington Post reported that the senator will resign. "
                    "The vote was delayed, Bloomberg reports.")
    names = [c[1][0] for c in chains(r) if len(c) > 1] + [c[0][0] for c in chains(r)]
    assert "The Washington Post" in names and "Bloomberg" in names


def test_descriptive_reference_resolves_to_earlier_outlet():
    text = ("Al Jazeera spoke to several officials. "
            '"We will respond," the ministry said in a statement cited by the Doha-based broadcaster.')
    r = run_article(text)
    cited = [a for a in r.attributions if a.cue and a.cue.startswith("cited")]
    assert cited and any(link.name == "Al Jazeera" for link in cited[0].chain)


def test_told_agency_chain_gets_the_speaker():
    r = run_article('"The dates are agreed," Deputy Minister Pavel Orlov told the TASS news agency.', outlet="Example")
    told = [a for a in r.attributions if a.cue == "told"]
    assert told and [link.name for link in told[0].chain] == ["Example", "TASS", "Pavel Orlov"]


def test_body_spokesperson_is_an_unnamed_source():
    r = run_article("According to a spokesperson for the European Commission, the fund will be released in May.")
    [att] = r.attributions
    assert att.chain[-1].name == "European Commission" and att.chain[-1].kind == "unnamed"


def test_no_attribution_for_plain_mentions():
    r = run_article("Reuters opened a new office in Nairobi last year.")
    assert r.attributions == []


@pytest.fixture(scope="module")
def seeds(seeds_dir):
    return (seed_article(seeds_dir, "000_4e1c3e87275d7c58.txt", outlet="Example News"),
            seed_article(seeds_dir, "002_a4e5fc3ef32ee48f.txt", outlet="RT"))


def test_seed_attribution_chains(seeds):
    first, second = seeds
    assert [("Example News", "outlet"), ("Agence France-Presse", "agency")] in chains(first)
    assert [("RT", "outlet"), ("CNN", "outlet")] in chains(second)
    assert [("RT", "outlet"), ("CNN", "outlet"), ("American National Security Council", "speaker")] in chains(second)
    assert [("RT", "outlet"), ("RIA Novosti", "agency"), ("Sergey Ryabkov", "speaker")] in chains(second)
    cnn_cited = [a for a in second.attributions if a.cue and a.cue.startswith("cited")][0]
    covered = second.article.text[cnn_cited.covers_start:cnn_cited.covers_end]
    assert "The United States looks forward" in covered and "Additionally" in covered
