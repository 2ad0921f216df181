"""Trigger normalisation: lemma plus a small synonym table, as readable data.

Why: reports of one happening use different words for it ("talks",
"meeting", "discussions", "summit"). Mapping triggers to a shared class lets
the pairwise scorer see them as the same kind of happening without a model.
The table is general English, not tied to any article.
"""
from __future__ import annotations

import re

# class name -> words (lemmas and common inflections) that name it
TRIGGER_CLASSES: dict[str, tuple[str, ...]] = {
    "meet": ("talk", "talks", "meeting", "meet", "met", "discussion", "discuss", "dialogue", "dialog",
             "summit", "conference", "negotiation", "negotiate", "consultation", "consult", "session",
             "round", "gathering", "gather", "assembly", "council", "visit", "encounter", "parley",
             "hold", "host", "convene", "sit-down"),
    "attack": ("attack", "strike", "airstrike", "bomb", "bombing", "shelling", "shell", "raid",
               "assault", "offensive", "hit", "fire", "shoot", "shooting", "shot", "gunfire"),
    "kill": ("kill", "killing", "death", "die", "dead", "slay", "murder", "massacre", "fatality"),
    "arrest": ("arrest", "detain", "detention", "custody", "apprehend", "capture", "seize", "nab"),
    "protest": ("protest", "demonstration", "demonstrate", "rally", "march", "strike-action", "sit-in"),
    "sanction": ("sanction", "embargo", "ban", "restriction", "restrict", "freeze", "blacklist"),
    "accuse": ("accuse", "accusation", "allege", "allegation", "blame", "charge", "claim"),
    "agree": ("agree", "agreement", "deal", "accord", "treaty", "pact", "settlement", "sign"),
    "propose": ("propose", "proposal", "draft", "plan", "offer", "suggest", "suggestion"),
    "invade": ("invade", "invasion", "incursion", "occupy", "occupation"),
    "quake": ("earthquake", "quake", "tremor", "aftershock"),
    "say": ("say", "said", "state", "statement", "announce", "announcement", "tell", "told", "report",
            "declare", "comment"),
    "appoint": ("appoint", "appointment", "name", "nominate", "nomination", "choose", "pick", "hire"),
    "dismiss": ("dismiss", "dismissal", "sack", "oust", "resign", "resignation", "quit", "step-down"),
    "elect": ("elect", "election", "vote", "win", "victory", "poll", "ballot"),
    "threaten": ("threaten", "threat", "warn", "warning", "ultimatum"),
    "aid": ("aid", "help", "assist", "assistance", "donate", "donation", "relief"),
    "withdraw": ("withdraw", "withdrawal", "retreat", "pull-out", "pullout"),
    "deploy": ("deploy", "deployment", "mobilize", "mobilise", "mobilization", "buildup", "build-up",
               "troop", "exercise", "drill"),
}

WORD_TO_CLASS: dict[str, str] = {w: cls for cls, words in TRIGGER_CLASSES.items() for w in words}

# light inflection stripping for triggers that were not lemmatised upstream
_SUFFIX_RULES: tuple[tuple[str, str], ...] = (
    ("ies", "y"), ("sses", "ss"), ("ings", ""), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""),
)
_WORD = re.compile(r"[a-z][a-z\-]*")


def trigger_lemma(trigger: str) -> str:
    """The head word of a trigger, lower-cased and lightly stemmed. The head of
    an English noun phrase is its last word ("peace talks" -> "talk")."""
    words = _WORD.findall((trigger or "").lower())
    if not words:
        return ""
    head = words[-1]
    if head in WORD_TO_CLASS:
        return head
    for suffix, repl in _SUFFIX_RULES:
        if head.endswith(suffix) and len(head) - len(suffix) >= 3:
            stem = head[: len(head) - len(suffix)] + repl
            if stem in WORD_TO_CLASS or stem + "e" in WORD_TO_CLASS:
                return stem if stem in WORD_TO_CLASS else stem + "e"
    return head


def trigger_class(lemma: str) -> str:
    """The synonym class of a lemma, or the lemma itself when it has none."""
    return WORD_TO_CLASS.get(lemma, lemma)


STOPWORDS = frozenset("""a an the of to in on at for by with from and or but as is are was were be been being
has have had do does did will would shall should can could may might must not no it its this that these those
he she they we you i his her their our your my him them us me who whom which what when where why how than then
there here also into over after before about against between during under up down out off more most some any
all each other such only own same so too very s just said says say told tell new""".split())

_CONTENT = re.compile(r"[A-Za-z][A-Za-z\-']+|\d+")


def content_words(text: str) -> frozenset[str]:
    """Lower-cased content words of a text (stopwords dropped, plural s stripped)."""
    out = set()
    for w in _CONTENT.findall(text or ""):
        lw = w.lower()
        if lw in STOPWORDS or len(lw) < 3 and not lw.isdigit():
            continue
        if lw.endswith("s") and len(lw) > 4 and not lw.endswith("ss"):
            lw = lw[:-1]
        out.add(lw)
    return frozenset(out)
