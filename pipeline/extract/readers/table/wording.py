"""Does a header cell's text say what a profile's header wording says?

Compared word by word, tolerant of what producers and authors do to a header: case, punctuation
("(TEM)", "Tuottaja(t)"), Finnish inflection ("Kotoutujat" ~ "Kotoutuja", "Monialaiset" ~
"Monialainen": a shared stem with short, different endings), and a word wrapped inside itself
over two lines ("Monialain" + "en", "Kotou-" + "tuja").
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

# Characters that do not make a header word different: brackets and outer punctuation.
_DROP = str.maketrans("", "", "()[]{}\u00ad")
_OUTER = ".,:;!?\"'«»”“"
# Two forms of one word share a stem of at least MIN_STEM characters and each differs from it
# by at most MAX_ENDING characters (Finnish case and number endings: -t, -n, -set, -en, -ssa).
MIN_STEM = 4
MAX_ENDING = 3


def word_key(text: str) -> str:
    return text.translate(_DROP).strip(_OUTER).casefold()


def phrase_tokens(text: str) -> tuple[str, ...]:
    """A profile's header wording as comparable words."""
    return tuple(k for k in (word_key(t) for t in text.split()) if k)


@lru_cache(maxsize=4096)
def same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    stem = 0
    for x, y in zip(a, b):
        if x != y:
            break
        stem += 1
    return stem >= MIN_STEM and len(a) - stem <= MAX_ENDING and len(b) - stem <= MAX_ENDING


def could_start(fragment: str, word: str) -> bool:
    """Can `fragment` (the part of a wrapped word before the line break) begin `word`?"""
    n = min(len(fragment), len(word))
    return n > 0 and fragment[:n] == word[:n] and len(fragment) < len(word) + MAX_ENDING


def matches_phrase(tokens: Sequence[str], line_breaks: Sequence[bool], phrase: Sequence[str],
                   prefix: bool = False) -> bool:
    """Do a cell's words (with `line_breaks[i]`: a line ends after word i) say `phrase`?

    At a line break the two words may be one word wrapped inside itself (a trailing hyphen
    is then dropped); everywhere else each cell word is one phrase word. With `prefix`, the
    question is whether more words could still complete the phrase.
    """
    n, m = len(tokens), len(phrase)

    def walk(i: int, j: int, word: str | None = None, k: int | None = None) -> bool:
        # `word` is cell words i..k joined so far (a word wrapped over line breaks).
        if word is None:
            if i == n:
                return j == m or prefix
            if j == m:
                return False
            word, k = tokens[i], i
        assert k is not None
        if same_word(word, phrase[j]) and walk(k + 1, j + 1):
            return True
        if k + 1 >= n:
            return prefix and could_start(word.rstrip("-"), phrase[j])
        if not line_breaks[k]:
            return False
        # Hyphenation drops its hyphen; a compound broken at its own hyphen keeps it.
        stems = {word.rstrip("-"), word} if word.endswith("-") else {word}
        return any(could_start(stem, phrase[j]) and walk(i, j, stem + tokens[k + 1], k + 1)
                   for stem in sorted(stems))

    return walk(0, 0)


@lru_cache(maxsize=8192)
def could_begin_phrase(token: str, phrase: tuple[str, ...]) -> bool:
    """A cheap first test for a cell's first word (whole, or the first part of a wrapped word)."""
    return bool(phrase) and (same_word(token, phrase[0]) or could_start(token.rstrip("-"), phrase[0]))
