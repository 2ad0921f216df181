"""The time tagger's data-chosen settings, in one record.

The TIMEX3 guidelines fix most of what the tagger does, but some choices are
matters of evidence: how far tense may push an underspecified date from the
anchor, which way a weekday goes when the clause gives no tense, whether a
rule or a fixed phrase earns its place in the table at all (TimeBank leaves
many "now"s and "currently"s untagged). `TimeParams` holds those choices;
`DEFAULT` is what cross-validation over the whole TempEval-3 train folder
selected (`crosswire eval timex ../shared/eval/tempeval3/train --split cv`
prints the per-fold choices and the selection on all documents; see
docs/decisions/time-cross-validation.md).

Switches are named "rule:<rule name>" (a rule of rules.RULES),
"vague:<phrase>" / "set:<phrase>" (an entry of vocab.VAGUE / vocab.SETS) and
"tense:<name>" (a clause pattern of tense.py). `off` lists the switched-off
ones among those on by design; `on` the switched-on ones among the
candidates that are off by design (`CANDIDATES`).

(The numeric settings' DESIGN values were themselves chosen on these data
before the cross-validation existed; `--split cv` re-examines them, and
keeps them.)
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable

PAST, UNDECIDED, FUTURE = -1, 0, 1

# Candidate switches: off unless the data turns them on (DEFAULT.on lists
# those it did). Phrases TimeBank tags less often than not, a rule for bare
# plural units ("for years"), and tense patterns beyond the first set.
CANDIDATES: frozenset[str] = frozenset({
    "vague:recent", "vague:future", "vague:soon", "vague:previously", "vague:once", "rule:bare_plural_units",
    "tense:earliest_bound", "tense:term_adjective", "tense:planning_verb", "tense:be_to", "tense:present_schedule",
})


@dataclass(frozen=True)
class TimeParams:
    # A date written without its year is not put more than this many days
    # from the anchor by tense when a candidate within half of it exists.
    max_directed_days: int = 150
    # "a year ago" within this many characters of a named quarter is that
    # quarter a year back.
    quarter_context_chars: int = 300
    # A weekday whose clause gives no tense: PAST (news mostly reports) or
    # UNDECIDED (the nearest such day).
    undecided_weekday: int = PAST
    # "Friday night", "this morning": DATE (TempEval-3 newswire) or TIME (the guidelines).
    day_part_type: str = "DATE"
    off: frozenset[str] = field(default_factory=frozenset)
    on: frozenset[str] = field(default_factory=frozenset)

    def enabled(self, switch: str) -> bool:
        """Whether a rule, phrase or tense pattern is in use."""
        if switch in CANDIDATES:
            return switch in self.on
        return switch not in self.off

    def with_switch(self, switch: str, enabled: bool) -> "TimeParams":
        """A copy with one switch set."""
        off, on = set(self.off), set(self.on)
        off.discard(switch)
        on.discard(switch)
        if switch in CANDIDATES and enabled:
            on.add(switch)
        elif switch not in CANDIDATES and not enabled:
            off.add(switch)
        return replace(self, off=frozenset(off), on=frozenset(on))

    def with_switches(self, settings: Iterable[tuple[str, bool]]) -> "TimeParams":
        params = self
        for switch, enabled in settings:
            params = params.with_switch(switch, enabled)
        return params


# DESIGN: the settings before any choice on data (the table as written,
# candidates off); cross-validation starts from it. DEFAULT: what `--split
# cv` chose from DESIGN on all 256 TempEval-3 train documents
# (docs/decisions/time-cross-validation.md); the tagger uses it.
DESIGN = TimeParams()
DEFAULT = DESIGN.with_switch("rule:bare_plural_units", True)
