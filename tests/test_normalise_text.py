"""Text rules of the normalise stage: line joins, the shared-suffix hyphen, aliases, slugs."""

from __future__ import annotations

import pytest

from expected.loader import all_texts
from pipeline.normalise.text import (
    canonical_name,
    clean_label,
    collapse_whitespace,
    join_lines,
    load_aliases,
    match_key,
    slug,
    strip_qualifiers,
)


def test_wrapped_lines_join_with_one_space():
    assert join_lines("Työttömän omaehtoisen opiskelun tuki ja \nseuranta") == (
        "Työttömän omaehtoisen opiskelun tuki ja seuranta"
    )


def test_blank_lines_and_odd_spaces_inside_a_cell_disappear():
    assert join_lines("Päijät-Hämeen\n\n  työllisyysalue\u00a0 ja\n") == "Päijät-Hämeen työllisyysalue ja"
    assert collapse_whitespace(" a \t b \n\n c ") == "a b\nc"


@pytest.mark.parametrize("conj", ["ja", "tai", "sekä", "eli"])
def test_hyphen_before_a_conjunction_is_the_shared_suffix_hyphen(conj):
    assert join_lines(f"Työllisyysalueen sisäinen työttömyysturva-\n\n{conj} järjestelmäkoulutus") == (
        f"Työllisyysalueen sisäinen työttömyysturva- {conj} järjestelmäkoulutus"
    )


def test_line_break_hyphen_of_a_hyphenated_word_goes():
    assert join_lines("TUKI-\nPALVELUT") == "TUKIPALVELUT"
    assert join_lines("kehittämis-\npalvelut") == "kehittämispalvelut"


def test_compound_hyphen_stays_where_finnish_spelling_needs_it():
    assert join_lines("työnantaja-\nasiakkaiden neuvonta") == "työnantaja-asiakkaiden neuvonta"
    assert join_lines("AMK-\nkoulutukset") == "AMK-koulutukset"
    assert join_lines("Muutosturva 55+ -\nkoulutukset") == "Muutosturva 55+ -koulutukset"


def test_hyphens_inside_a_line_are_never_touched():
    assert join_lines("Kesätyöpassi/-seteli") == "Kesätyöpassi/-seteli"
    assert join_lines("Yritys- ja työnantaja-asiakkaiden") == "Yritys- ja työnantaja-asiakkaiden"


def test_spelling_aliases_fix_labels_but_only_whole_words():
    assert clean_label("Vuorotteluvapaan sijasen etsiminen") == "Vuorotteluvapaan sijaisen etsiminen"
    assert clean_label("Muu lisäpavelu") == "Muu lisäpalvelu"
    assert clean_label("Monikielinen yhteiskunta-orientaatio") == "Monikielinen yhteiskuntaorientaatio"
    assert clean_label("sijasenkaan") == "sijasenkaan"


def test_clean_label_drops_a_trailing_colon():
    assert clean_label("Kuntien ekosysteemit:") == "Kuntien ekosysteemit"


def test_trailing_qualifiers_in_parentheses_are_not_part_of_the_name():
    assert strip_qualifiers("Työkokeilu (sopimukset)") == "Työkokeilu"
    assert strip_qualifiers(
        "Omaehtoinen koulutus (ja uudelleenkoulutus) (sis. ammatti- ja AMK-koulutukset)"
    ) == "Omaehtoinen koulutus"
    assert strip_qualifiers('Nuorten monialaisen tuen yhteispalvelu ("Ohjaamo")') == (
        "Nuorten monialaisen tuen yhteispalvelu"
    )
    # A parenthesis inside the name is part of it.
    assert strip_qualifiers("Työnhakijan palveluprosessi (POMA): arviointi") == (
        "Työnhakijan palveluprosessi (POMA): arviointi"
    )
    assert strip_qualifiers("(x)") == "(x)"


def test_canonical_name_applies_spelling_qualifiers_and_name_aliases():
    assert canonical_name("Vuorotteluvapaan sijasen etsiminen (sis.\nlausunnon antaminen kassalle)") == (
        "Vuorotteluvapaan sijaisen etsiminen"
    )
    assert canonical_name("Viranomaispäätökset- ja lausunnot (ml.\nTyöttömyysturva)") == "Viranomaispäätökset"
    assert canonical_name("Tietohallintopalvelut (sis. ASPA)") == "Tietohallintopalvelut"


def test_match_key_ignores_case_line_breaks_and_colon():
    assert match_key("TUKI-\nPALVELUT") == match_key("Tukipalvelut")
    assert match_key("Kuntien ekosysteemit:") == "kuntien ekosysteemit"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Päijät-Hämeen työllisyysalue", "paijat-hameen-tyollisyysalue"),
        ("Åland / Ahvenanmaa", "aland-ahvenanmaa"),
        ("Palkkatuki ja työllistämistuki (95 § 55 vuotta)", "palkkatuki-ja-tyollistamistuki-95-55-vuotta"),
        ("  --Café--  ", "cafe"),
        ("Muutosturva 55+ -koulutukset", "muutosturva-55-koulutukset"),
    ],
)
def test_slug_is_lower_case_ascii_with_single_dashes(text, expected):
    assert slug(text) == expected


def test_every_alias_occurs_in_the_sources_and_changes_something():
    texts = all_texts()
    aliases = load_aliases()
    assert aliases, "aliases.yaml is empty"
    printed = {a.printed for a in aliases}
    for alias in aliases:
        assert alias.reason.strip(), alias
        assert alias.canonical != alias.printed, alias
        assert any(alias.printed in t for t in texts), f"{alias.printed!r} occurs in no expected record"
        assert alias.canonical not in printed, f"{alias.canonical!r} is itself an alias key (a chain)"
