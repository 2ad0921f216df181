"""Who is speaking: the source span coded as an actor, pronouns resolved.

Order of evidence: the actors stage's public lookup (guarded import, so this
stage runs while that helper is missing), then an actor mention overlapping
the span, then spaCy's PERSON/ORG entities, then the bare words. Pronouns
("he", "she") and role nouns ("the spokesperson", "the minister") take the
most recent speaker or person of the article; a bare surname ("Peskov")
takes the full name seen earlier ("Dmitry Peskov").
"""
from __future__ import annotations

from typing import Optional

from ...records import Evidence, Participant
from ..sources.outlets import cue_lexicon

try:  # the actors stage's public helper; optional so this stage never blocks on it
    from ..actors.lookup import resolve_mention as _resolve_mention, to_participant as _to_participant
except ImportError:  # pragma: no cover - depends on the other contributor's module
    _resolve_mention = None
    _to_participant = None

DETERMINERS = ("the ", "a ", "an ")


class SpeakerResolver:
    """Resolves source spans to Participants within one article."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        lex = cue_lexicon()
        self.pronouns = lex["pronouns"]
        self.role_nouns = set(lex["speaker_nouns"])
        self.recent: list[Participant] = []  # speakers so far, most recent last
        self.persons = [(e.start_char, e.end_char, e.text) for e in ctx.doc.ents if e.label_ == "PERSON"]

    def note_speaker(self, speaker: Participant) -> None:
        self.recent.append(speaker)

    def speaker_for(self, att) -> Optional[Participant]:
        text = self.ctx.article.text
        if att.source:
            start, end = att.source[0]
        else:
            return self._last(min(s for s, _ in att.cue), kind="person") if att.direct else None
        words = text[start:end].strip()
        low = words.lower()
        if low in self.pronouns:
            found = self._last(start, kind="person" if self.pronouns[low] in ("male", "female") else None)
            return found or self._bare(words, start, end)
        if self._is_role_reference(low):
            return self._last(start, kind=None, office_hint=low.split()[-1]) or self._bare(words, start, end)
        return self._coded(start, end) or self._entity(start, end) or self._bare(words, start, end)

    # ---------------------------------------------------------------- steps
    def _is_role_reference(self, low: str) -> bool:
        """'the spokesperson', 'the minister', 'the foreign minister'."""
        return low.startswith("the ") and len(low.split()) <= 3 and low.split()[-1] in self.role_nouns

    def _coded(self, start: int, end: int) -> Optional[Participant]:
        result = self.ctx.result
        if _resolve_mention is not None:
            try:
                m = _resolve_mention(result, start, end)
            except Exception:  # noqa: BLE001 - a helper bug must not lose the quote
                m = None
            if m is not None:
                return self._widen(_to_participant(m), start)
        inside = [m for m in result.actor_mentions if m.start < end and m.end > start]
        if inside:
            m = max(inside, key=lambda m: (m.actor.kind == "person", m.end - m.start))
            a = m.actor
            return self._widen(Participant(name=a.name, code=a.code, sector=a.sector, office=a.office,
                                           kind=a.kind, igo=a.igo, actor_id=a.id,
                                           mention=self._evidence(m.start, m.end)), start)
        return None

    def _entity(self, start: int, end: int) -> Optional[Participant]:
        span = self.ctx.doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return None
        for ent in span.ents:
            if ent.label_ == "PERSON":
                office = self.ctx.article.text[start:ent.start_char].strip() or None
                if office and office.lower().startswith(DETERMINERS):
                    office = office.split(" ", 1)[1] if " " in office else None
                p = Participant(name=ent.text, kind="person", office=office,
                                mention=self._evidence(ent.start_char, ent.end_char))
                return self._widen(p, ent.start_char)
        for ent in span.ents:
            if ent.label_ in ("ORG", "NORP", "GPE"):
                return Participant(name=_strip_det(ent.text), kind="organisation",
                                   mention=self._evidence(ent.start_char, ent.end_char))
        return None

    def _bare(self, words: str, start: int, end: int) -> Participant:
        return Participant(name=_strip_det(words), mention=self._evidence(start, end))

    def _widen(self, p: Participant, before: int) -> Participant:
        """A one-word name takes the longest earlier PERSON name ending in it."""
        if " " in p.name.strip():
            return p
        full = [t for s, e, t in self.persons if s < before and t.split()[-1] == p.name and " " in t]
        full += [q.name for q in self.recent if q.name.split()[-1] == p.name and " " in q.name]
        if full:
            p.name = max(full, key=len)
        return p

    def _last(self, before: int, kind: Optional[str], office_hint: Optional[str] = None) -> Optional[Participant]:
        """The most recent speaker (or failing that, person) before a point."""
        for p in reversed(self.recent):
            if p.mention and p.mention.start >= before:
                continue
            if kind == "person" and p.kind not in ("person", "unknown"):
                continue
            if office_hint and p.office and office_hint not in p.office.lower():
                continue
            return Participant(**{**p.__dict__})
        earlier = [(s, e, t) for s, e, t in self.persons if e <= before]
        if earlier:
            s, e, t = earlier[-1]
            return self._coded(s, e) or self._widen(Participant(name=t, kind="person",
                                                                mention=self._evidence(s, e)), s)
        return None

    def _evidence(self, start: int, end: int) -> Evidence:
        return Evidence(article=self.ctx.article.id, sentence=self.ctx.sentence_at(start), start=start, end=end,
                        text=self.ctx.article.text[start:end])


def _strip_det(text: str) -> str:
    low = text.lower()
    for det in DETERMINERS:
        if low.startswith(det):
            return text[len(det):]
    return text
