"""Text as printed -> clean labels: whitespace, line joins, the shared-suffix hyphen, spelling
aliases; `slug` for stable ids (pipeline.rdf.iris makes IRI segments with it).

The rules (docs/normalisation.md says why):

* Lines of one cell or bullet join with a single space.
* A line ending in "-" followed by a line starting with a conjunction ("ja", "tai", "sekä",
  "eli", ...) keeps the hyphen and a space: that is the Finnish shared-suffix hyphen
  ("työttömyysturva-" + "ja järjestelmäkoulutus").
* Any other line ending in "-" joins without a space. The hyphen stays only where Finnish
  spelling needs one inside a compound: the two parts meet with the same vowel
  ("työnantaja-" + "asiakkaat"), or one part is a number or an abbreviation in capitals
  before a lower-case part ("AMK-" + "koulutukset"). Otherwise it was the line-break hyphen
  of a manually hyphenated word and goes ("TUKI-" + "PALVELUT" -> "TUKIPALVELUT").
* A lone " -" at a line end starts the next word and joins it ("55+ -" + "koulutukset").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml


DATA_DIR = Path(__file__).resolve().parent

# Words that follow a shared-suffix hyphen ("kehittämis- ja tukipalvelut").
CONJUNCTIONS = frozenset({"ja", "tai", "sekä", "eli", "taikka", "tahi", "ynnä", "että"})
VOWELS = frozenset("aeiouyäöå")

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_SOFT_HYPHEN = "\u00ad"


def collapse_whitespace(text: str) -> str:
    """Runs of spaces (incl. no-break and thin spaces) -> one space, ends stripped, per line."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace(_SOFT_HYPHEN, "").splitlines())
    return "\n".join(line for line in lines if line)


def _keeps_compound_hyphen(left: str, right: str) -> bool:
    """Is a line-end hyphen between these word parts a real compound hyphen?"""
    left_word = re.split(r"[\s/(]", left)[-1].rstrip("-")
    right_word = re.split(r"[\s,.;:)]", right)[0]
    if not left_word or not right_word:
        return True  # nothing to glue: keep what was printed
    a, b = left_word[-1], right_word[0]
    if a.isdigit() or b.isdigit():
        return True  # "55+-", "2-" ... numbers always keep their hyphen
    if a.lower() in VOWELS and a.lower() == b.lower():
        return True  # "työnantaja-asiakkaat": same vowel meets same vowel
    # An abbreviation before a lower-case part: "AMK-koulutukset", "EURES-palvelut".
    if left_word.isupper() and len(left_word) > 1 and not right_word.isupper():
        return True
    return False


def join_lines(text: str) -> str:
    """Join the printed lines of one cell or bullet into one line (rules in the module doc)."""
    lines = collapse_whitespace(text).split("\n")
    out = lines[0] if lines else ""
    for line in lines[1:]:
        if out.endswith(" -"):
            out = f"{out}{line}"  # a hyphen that starts the next word: "55+ -koulutukset"
        elif out.endswith("-"):
            first_word = line.split(" ", 1)[0].lower()
            if first_word in CONJUNCTIONS:
                out = f"{out} {line}"
            elif _keeps_compound_hyphen(out, line):
                out = f"{out}{line}"
            else:
                out = f"{out[:-1]}{line}"
        else:
            out = f"{out} {line}"
    return out.strip()


def match_key(text: str) -> str:
    """The form two labels are compared in: joined, case-folded, trailing ':' dropped."""
    return join_lines(text).rstrip(":").strip().casefold()


# --------------------------------------------------------------------------- aliases


@dataclass(frozen=True)
class Alias:
    printed: str  # the form found in a source
    canonical: str  # what we publish instead
    kind: str  # "spelling": fixed wherever it occurs; "name": a whole service name
    reason: str


@lru_cache(maxsize=4)
def load_aliases(path: Path = DATA_DIR / "aliases.yaml") -> tuple[Alias, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    aliases: list[Alias] = []
    for kind in ("spelling", "name"):
        for item in data.get(kind) or ():
            aliases.append(Alias(item["printed"], item["canonical"], kind, item["reason"]))
    return tuple(aliases)


def _phrase(printed: str) -> re.Pattern[str]:
    # Whole words only: "sijasen" must not fire inside a longer word.
    return re.compile(rf"(?<!\w){re.escape(printed)}(?!\w)")


def fix_spelling(text: str, aliases: tuple[Alias, ...] | None = None) -> str:
    """Apply every reviewed spelling fix (case-sensitive, whole words) to a clean label."""
    for alias in aliases if aliases is not None else load_aliases():
        if alias.kind == "spelling":
            text = _phrase(alias.printed).sub(alias.canonical, text)
    return text


def canonical_alias(name: str, aliases: tuple[Alias, ...] | None = None) -> str:
    """A service name printed differently in another place -> the name we publish."""
    for alias in aliases if aliases is not None else load_aliases():
        if alias.kind == "name" and alias.printed == name:
            return alias.canonical
    return name


def clean_label(text: str) -> str:
    """Printed text -> the label we publish: lines joined, spelling fixed, trailing ':' gone."""
    return fix_spelling(join_lines(text)).rstrip(":").strip()


_TRAILING_PARENS = re.compile(r"\s*\((?:[^()]|\([^()]*\))*\)\s*$")


def strip_qualifiers(label: str) -> str:
    """Drop trailing parenthesised qualifiers: "Työkokeilu (sopimukset)" -> "Työkokeilu".

    They say what a row includes ("ml.", "sis.", "esim."), not which service it is; the entry
    keeps them as printed. A label that is nothing but parentheses stays as it is.
    """
    stripped = label
    while True:
        shorter = _TRAILING_PARENS.sub("", stripped)
        if shorter == stripped or not shorter.strip():
            return stripped.strip()
        stripped = shorter


def canonical_name(text: str) -> str:
    """Printed service name -> canonical name: clean label, qualifiers off, name alias."""
    return canonical_alias(strip_qualifiers(clean_label(text)))


# Finnish and Swedish letters fold to their base letter; everything else that is not
# [a-z0-9] becomes "-" (see slug()).
_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "é": "e", "ü": "u"})
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Lower case, ä->a ö->o å->a, other characters to "-", repeats collapsed, ends stripped.

    >>> slug("Päijät-Hämeen työllisyysalue")
    'paijat-hameen-tyollisyysalue'
    """
    folded = text.lower().translate(_FOLD)
    result = _NON_SLUG.sub("-", folded).strip("-")
    if not result:
        raise ValueError(f"cannot make an IRI segment from {text!r}: no letters or digits")
    return result
