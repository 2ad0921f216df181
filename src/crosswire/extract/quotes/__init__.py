"""Extract stage 'quotes': direct and indirect speech with speaker, cue,
content, medium and when it was said.

The spans come from `spans.attribution_spans` (models trained on PolNeAR;
see docs/quotes.md). An attribution becomes a records.Quote when its cue is
a speech cue (data/quotes/cues.json) or its content is a quotation. Then:

- speaker: the source span coded through the actors stage
  (`actors.lookup.resolve_mention`, guarded), pronouns and role nouns ("he",
  "the spokesperson") resolved to the most recent compatible speaker or
  person, a bare surname widened to the full name seen earlier;
- medium: "told the RIA Novosti news agency", "Speaking to the ... YouTube
  channel", "in a press statement" -> the outlet/channel name or the kind of
  statement;
- said_on: the TIMEX3 value of a time expression in the speech clause;
- chain: publishing outlet -> every sources-stage attribution covering the
  quote -> the speaker.
"""
from __future__ import annotations

from typing import Optional

from ...records import Participant, Quote, SourceLink, stable_id
from .. import ArticleContext, register_stage
from .spans import SpanAttribution, attribution_spans
from .speakers import SpeakerResolver
from .medium import medium_of

@register_stage("quotes")
def quotes_stage(ctx: ArticleContext) -> None:
    doc = ctx.doc
    if doc is None or not ctx.article.text:
        return
    from ..sources.outlets import cue_lexicon

    speech = set(cue_lexicon()["speech_cues"])
    resolver = SpeakerResolver(ctx)
    for att in attribution_spans(doc):
        cue_tok = doc[att.cue_head]
        if not (att.direct or cue_tok.lemma_.lower() in speech or cue_tok.lower_ in speech):
            continue
        _extend_continuing_quote(ctx, att)
        if _is_outlet_claim(ctx, att):
            continue  # "According to AFP, ...": an Attribution (sources stage), not speech
        quote = _make_quote(ctx, att, resolver)
        if quote is not None:
            ctx.result.quotes.append(quote)
            resolver.note_speaker(quote.speaker)


def _is_outlet_claim(ctx: ArticleContext, att: SpanAttribution) -> bool:
    from ..sources.outlets import find_outlet

    if not att.source:
        return False
    s, e = att.source[0]
    words = ctx.article.text[s:e]
    return find_outlet(words) is not None and len(words.split()) <= 4


def _extend_continuing_quote(ctx: ArticleContext, att: SpanAttribution) -> None:
    """A direct quote whose next sentence is a quotation with no cue of its
    own continues it ('"...," he said. "Additionally, ..."')."""
    if not att.direct or not att.content:
        return
    text = ctx.article.text
    quoted = [(s, e) for s, e in att.content if text[s] in "\"“‘`"]
    if quoted:
        att.content = quoted  # a direct quote's content is its quotations, not the words around them
    end_of_cue_sentence = ctx.sentences[ctx.sentence_at(max(e for _, e in att.cue) - 1)].end
    pos = end_of_cue_sentence
    while pos < len(text) and text[pos] in " \t\u00a0":
        pos += 1
    if pos >= len(text) or text[pos] not in "\"“":
        return
    closer = "”" if text[pos] == "“" else '"'
    close = text.find(closer, pos + 1)
    paragraph_end = text.find("\n", pos)
    if close < 0 or (0 <= paragraph_end < close):
        return
    following = text[pos:close + 1]
    if _has_own_cue(ctx, close + 1):
        return
    att.content.append((pos, pos + len(following)))


def _has_own_cue(ctx: ArticleContext, after: int) -> bool:
    """'"...", she added.': the next quotation has its own cue right after it."""
    tail = ctx.article.text[after:after + 40].lstrip(" ,\u00a0")
    return bool(tail) and tail[0].islower()


def _strip_marks(text: str, start: int, end: int) -> tuple[int, int]:
    """Content without the surrounding quotation marks."""
    while start < end and (text[start] in "\"“”‘'`" or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in "\"“”’'" or text[end - 1].isspace()):
        end -= 1
    return start, end


def _make_quote(ctx: ArticleContext, att: SpanAttribution, resolver: "SpeakerResolver") -> Optional[Quote]:
    text = ctx.article.text
    doc = ctx.doc
    cue_start, cue_end = min(s for s, _ in att.cue), max(e for _, e in att.cue)
    c_start, c_end = min(s for s, _ in att.content), max(e for _, e in att.content)
    pieces = [_strip_marks(text, s, e) for s, e in sorted(att.content)]
    content_text = " ".join(text[s:e] for s, e in pieces if e > s)
    start, end = pieces[0][0], pieces[-1][1]
    if not content_text:
        return None
    speaker = resolver.speaker_for(att)
    if speaker is None:
        return None
    sent_i = ctx.sentence_at(cue_start)
    medium = medium_of(doc, doc[att.cue_head], (c_start, c_end))
    said_on = _said_on(ctx, sent_i, (c_start, c_end), (cue_start, cue_end))
    chain = _chain(ctx, cue_start, start, end, speaker)
    return Quote(
        id=stable_id("q", ctx.article.id, start, end, cue_start),
        article=ctx.article.id, sentence=ctx.sentence_at(start), start=start, end=end, text=content_text,
        speaker=speaker, direct=att.direct, cue=text[cue_start:cue_end], cue_span=(cue_start, cue_end),
        source_span=(min(s for s, _ in att.source), max(e for _, e in att.source)) if att.source else None,
        medium=medium, said_on=said_on, chain=chain)


def _said_on(ctx: ArticleContext, sent_i: int, content: tuple[int, int], cue: tuple[int, int]) -> Optional[str]:
    """A date in the speech clause: in the cue's sentence, outside the
    content, before the cue ("On Monday, X stated") or just after it ("X
    confirmed on Tuesday")."""
    for tx in ctx.result.timexes:
        if tx.sentence != sent_i or content[0] <= tx.start < content[1] or tx.type not in ("DATE", "TIME"):
            continue
        if tx.end <= cue[0] or cue[1] <= tx.start <= cue[1] + 20:
            return tx.value
    return None


def _chain(ctx: ArticleContext, cue_start: int, start: int, end: int, speaker: Participant) -> list[SourceLink]:
    """Publisher -> cited links of covering attributions -> speaker. A
    covering chain that ends in an outlet and sits in this quote's sentence
    also gets the speaker appended (the outlet is the speaker's medium)."""
    chain: list[SourceLink] = [SourceLink(name=ctx.article.outlet, kind="outlet")] if ctx.article.outlet else []
    speaker_link = SourceLink(name=speaker.name, kind="speaker", code=speaker.code, evidence=speaker.mention)
    for att in ctx.result.attributions:
        covers = att.covers_start <= cue_start < att.covers_end or att.covers_start <= start < att.covers_end
        if not covers:
            continue
        for link in att.chain:
            if link.kind != "outlet" or link.name != ctx.article.outlet:
                if all(link.name != c.name for c in chain):
                    chain.append(link)
        if att.chain and att.chain[-1].kind in ("agency", "outlet") and att.chain[-1].name != speaker.name \
                and att.sentence == ctx.sentence_at(cue_start):
            att.chain.append(speaker_link)
    if all(link.name != speaker.name for link in chain):
        chain.append(speaker_link)
    return chain
