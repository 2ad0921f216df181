"""Speed: try only the rules that can start with the word at hand.

One big alternation of every rule, tried at every word, costs tens of
microseconds per word in Python's regex engine. Instead we read each rule's
pattern (with the stdlib regex parser) and list the words a match of it can
open with: "the", "january", "jan", "last", a digit... The scan then looks up
the word under the cursor and tries just those rules, in table order, which
gives exactly the leftmost-first result of the full alternation.

`first_words(pattern)` returns the set of opening words, "#" for a digit,
"'" for a leading apostrophe ('90s), or None when it cannot tell (the rule is
then tried at every word).
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import NamedTuple, Optional, Sequence

try:  # Python >= 3.11
    from re import _constants as C, _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

MAX_PARTIALS = 20000
_ALNUM = set("abcdefghijklmnopqrstuvwxyz0123456789")


class _Unknown(Exception):
    pass


def first_words(pattern: str, n_words: int = 1) -> Optional[set[str]]:
    """Opening words of `pattern` (with n_words=2: "the third", "the #", or a
    lone "the" when the match may end after one word)."""
    global _N_WORDS
    _N_WORDS = n_words
    try:
        partials = _walk(P.parse(pattern).data, {("", False)})
    except _Unknown:
        return None
    finally:
        _N_WORDS = 1
    words = set()
    for text, _done in partials:
        text = text.rstrip(" ")
        words.add(text if text else "'")
    return {_key(w) for w in words}


def _key(words: str) -> str:
    return " ".join("#" if w[0].isdigit() else w for w in words.split(" "))


_N_WORDS = 1


def _walk(items, partials):
    for op, av in items:
        if all(done for _t, done in partials):
            return partials
        partials = _step(op, av, partials)
        if len(partials) > MAX_PARTIALS:
            raise _Unknown
    return partials


def _extend(partials, chars):
    """Append one character from `chars` (a set, or "SEP" for a non-word char)."""
    out = set()
    for text, done in partials:
        last_word = text.rsplit(" ", 1)[-1]
        if done:
            out.add((text, done))
        elif chars == "SEP":
            if text and not text.endswith(" ") and text.count(" ") + 1 < _N_WORDS:
                out.add((text + " ", False))  # on to the next word
            elif text.endswith(" "):
                out.add((text, False))  # a run of separators
            else:
                out.add((text, True))
        elif last_word and last_word[0].isdigit():
            out.add((text, True))  # a number: its first digit is all we key on
        else:
            for ch in chars:
                out.add((text + ch, False))
    return out


def _char_class(av) -> object:
    """The characters an IN set admits: a set of alnum chars, "SEP" for
    separators only, "DIGIT" for digits, or raise when mixed."""
    chars: set[str] = set()
    separators = False
    for op, value in av:
        if op == C.LITERAL:
            ch = chr(value)
            if ch in _ALNUM:
                chars.add(ch)
            else:
                separators = True
        elif op == C.RANGE:
            lo, hi = value
            rng = {chr(c) for c in range(lo, hi + 1)}
            chars |= rng & _ALNUM
            separators |= bool(rng - _ALNUM)
        elif op == C.CATEGORY and value == C.CATEGORY_DIGIT:
            chars |= set("0123456789")
        elif op == C.CATEGORY and value == C.CATEGORY_SPACE:
            separators = True
        else:
            raise _Unknown
    if chars and separators:
        raise _Unknown
    if chars and chars <= set("0123456789"):
        return {"0"}  # any digit: keyed as "#"
    return chars if chars else "SEP"


def _step(op, av, partials):
    if op == C.LITERAL:
        ch = chr(av)
        return _extend(partials, {ch} if ch in _ALNUM else "SEP")
    if op == C.IN:
        return _extend(partials, _char_class(av))
    if op == C.SUBPATTERN:
        return _walk(av[-1], partials)
    if op == C.BRANCH:
        out = set()
        for alternative in av[1]:
            out |= _walk(alternative, partials)
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        low, high, body = av
        out = set(partials) if low == 0 else set()
        once = _walk(body, partials)
        out |= once
        if high != 1 and any(not done for _t, done in once - partials):
            # a repeated word character: a second pass may lengthen the word
            twice = _walk(body, once)
            if any(not done and (t, False) not in once for t, done in twice):
                if not all(t and t[0].isdigit() for t, _d in twice):
                    raise _Unknown
            out |= twice
        return out
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return partials  # zero width
    raise _Unknown


def dispatch_table(patterns: list[str]) -> tuple[dict[str, list[int]], list[int]]:
    """word -> indices of the patterns that can open with it (in order), and
    the indices that must be tried everywhere."""
    table: dict[str, list[int]] = {}
    everywhere: list[int] = []
    for i, pattern in enumerate(patterns):
        words = first_words(pattern)
        if words is None:
            everywhere.append(i)
            continue
        for word in words:
            table.setdefault(word, []).append(i)
    for word in table:
        table[word] = sorted(set(table[word]) | set(everywhere))
    return table, everywhere


def second_word_table(patterns: list[str], table: dict[str, list[int]],
                      busy: int = 8) -> dict[str, dict[str, list[int]]]:
    """For opening words shared by more than `busy` rules ("the"): the second
    word -> rules. Key "" holds the rules that may end after the first word or
    whose second word could not be enumerated (tried whatever follows)."""
    second: dict[str, dict[str, list[int]]] = {}
    for word, indices in table.items():
        if len(indices) <= busy or word in ("#", "'"):
            continue
        by_second: dict[str, set[int]] = {"": set()}
        for i in indices:
            pairs = first_words(patterns[i], n_words=2)
            if pairs is None:
                by_second[""].add(i)
                continue
            for pair in pairs:
                first, _, nxt = pair.partition(" ")
                if first != word:
                    continue
                by_second.setdefault(nxt, set()).add(i)
        always = by_second.pop("")
        second[word] = {nxt: sorted(s | always) for nxt, s in by_second.items()}
        second[word][""] = sorted(always)
    return second


class DispatchTables(NamedTuple):
    """What the scan needs: opening word -> rules, the rules tried at every
    word, and for busy opening words the second word -> rules."""

    first: dict[str, list[int]]
    everywhere: list[int]
    second: dict[str, dict[str, list[int]]]


# Why a shipped copy: enumerating the two-word openings of every rule takes
# about 2 s, paid by every process that imports the rules (each Spark
# executor's Python worker before its first article). The tables depend only
# on the patterns, so the package ships them with a fingerprint of the
# patterns they were built from; a changed rule table no longer matches the
# fingerprint and the tables are rebuilt. Regenerate with
# `python -c 'from crosswire.extract.time.dispatch import regenerate; print(regenerate())'`
# (tests/test_time.py checks
# that the shipped copy is current).
TABLES_PATH = Path(__file__).resolve().parents[2] / "data" / "time" / "dispatch.json"


def fingerprint(patterns: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(patterns).encode("utf-8")).hexdigest()


def build_tables(patterns: Sequence[str]) -> DispatchTables:
    first, everywhere = dispatch_table(list(patterns))
    return DispatchTables(first, everywhere, second_word_table(list(patterns), first))


def load_tables(patterns: Sequence[str], path: Path = TABLES_PATH) -> DispatchTables:
    """The shipped tables when they were built from these patterns, else built now."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return build_tables(patterns)
    if stored.get("fingerprint") != fingerprint(patterns):
        return build_tables(patterns)
    return DispatchTables(stored["first"], stored["everywhere"], stored["second"])


def write_tables(patterns: Sequence[str], path: Path = TABLES_PATH) -> DispatchTables:
    tables = build_tables(patterns)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"fingerprint": fingerprint(patterns), **tables._asdict()}
    path.write_text(json.dumps(payload, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    return tables


__all__ = ["first_words", "dispatch_table", "second_word_table", "candidate_regex", "DispatchTables",
           "load_tables", "write_tables"]


def candidate_regex(table: dict[str, list[int]]):
    """A regex that finds, in lower-cased text, the words some rule may open
    with (any table key) and numbers: the scan visits only these. The words
    are laid out as a trie so the engine rejects most positions at once."""
    words = [w for w in table if w not in ("#", "'")]
    return re.compile(r"(?<![a-z0-9])(?:" + _trie_pattern(words) + r"(?![a-z0-9])|[0-9])")


def _trie_pattern(words: list[str]) -> str:
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            body = "(?:" + body + ")?"
        return body

    return emit(trie)


def regenerate() -> str:
    """Rewrite the shipped tables from the current rules (after editing rules.py)."""
    from .rules import rule_patterns

    written = write_tables(rule_patterns())
    return f"{TABLES_PATH}: {len(written.first)} opening words, {len(written.second)} with second-word tables"
