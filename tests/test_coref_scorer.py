"""crosswire's MUC, B³ and CEAF-e (evaluate/coref.py) against the CoNLL
reference scorer's own test cases (conll/reference-coreference-scorers,
test/TestCases.README and CorefMetricTestConfig.pm, cases TC-A-1 to TC-A-4:
key {a} {bc} {def}, responses with missing and false-alarm mentions). The
expected values are the reference's exact fractions, so the hand-written
scorer is checked against the implementation the field reports with."""
from __future__ import annotations

import pytest

from crosswire.evaluate.coref import b_cubed, ceaf_e, conll_scores, muc

KEY = [{"a"}, {"b", "c"}, {"d", "e", "f"}]
# case: (response, {metric: (recall, precision)}) with the reference scorer's values
CASES = {
    "TC-A-1 perfect": ([{"a"}, {"b", "c"}, {"d", "e", "f"}],
                       {"muc": (1, 1), "b3": (1, 1), "ceafe": (1, 1)}),
    "TC-A-2 missing mentions": ([{"a"}, {"d", "e"}],
                                {"muc": (1 / 3, 1), "b3": (7 / 18, 1), "ceafe": (0.6, 0.9)}),
    "TC-A-3 false alarms": ([{"a"}, {"b", "c", "x"}, {"d", "e", "f", "y"}, {"z"}],
                            {"muc": (1, 3 / 5), "b3": (1, (4 + 7 / 12) / 9),
                             "ceafe": ((1 + 4 / 5 + 6 / 7) / 3, (1 + 4 / 5 + 6 / 7) / 4)}),
    "TC-A-4 missing and false alarms": ([{"a"}, {"b", "c", "x"}, {"d", "y"}, {"z"}],
                                        {"muc": (1 / 3, 1 / 3), "b3": ((3 + 1 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 7),
                                         "ceafe": ((1 + 4 / 5 + 2 / 5) / 3, (1 + 4 / 5 + 2 / 5) / 4)}),
}
METRICS = {"muc": muc, "b3": b_cubed, "ceafe": ceaf_e}


def _f1(recall: float, precision: float) -> float:
    return 2 * recall * precision / (recall + precision) if recall + precision else 0.0


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("metric", sorted(METRICS))
def test_metric_matches_the_reference_scorer(case, metric):
    response, expected = CASES[case]
    precision, recall, f1 = METRICS[metric](KEY, response)
    want_recall, want_precision = expected[metric]
    assert recall == pytest.approx(want_recall, abs=1e-9)
    assert precision == pytest.approx(want_precision, abs=1e-9)
    assert f1 == pytest.approx(_f1(want_recall, want_precision), abs=1e-9)


def test_reference_f1_values_as_published():
    """The F1s the reference lists for TC-A-2 and TC-A-3 (0.5, 14/25, 0.72, 0.75, 110/163)."""
    response = CASES["TC-A-2 missing mentions"][0]
    scores = conll_scores(KEY, response)
    assert (scores["muc_f1"], scores["b3_f1"], scores["ceafe_f1"]) == pytest.approx((0.5, 14 / 25, 0.72))
    scores = conll_scores(KEY, CASES["TC-A-3 false alarms"][0])
    assert scores["muc_f1"] == pytest.approx(0.75) and scores["b3_f1"] == pytest.approx(110 / 163)
    assert scores["conll_f1"] == pytest.approx((scores["muc_f1"] + scores["b3_f1"] + scores["ceafe_f1"]) / 3)
