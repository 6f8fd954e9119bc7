"""The folding that order search compares: what a person typing a search takes for equal."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from posapp.orders.search import fold, like_pattern

# Letters of the Latin, Greek and Cyrillic scripts, with their accents.
letters = st.characters(min_codepoint=0x41, max_codepoint=0x4FF, whitelist_categories=("Lu", "Ll", "Mn"))


@given(st.text())
def test_folding_twice_changes_nothing(text):
    assert fold(fold(text)) == fold(text)


@given(st.text(letters))
def test_case_and_normal_form_do_not_matter(text):
    folded = fold(text)
    for variant in (text.lower(), text.upper(), text.casefold(), unicodedata.normalize("NFD", text),
                    unicodedata.normalize("NFC", text), unicodedata.normalize("NFKC", text)):
        assert fold(variant) == folded


def test_accents_and_stroked_letters_fold_to_the_plain_letter():
    assert fold("Ærø Łódź Đakovo Ħamrun ıspanak İzmir Œuvre") == "aero lodz dakovo hamrun ispanak izmir oeuvre"


@given(st.text())
def test_like_wildcards_in_the_text_are_literal(text):
    pattern = like_pattern(text)
    if pattern is not None:
        body = pattern[1:-1]
        unescaped = body.replace("\\\\", "").replace("\\%", "").replace("\\_", "")
        assert "%" not in unescaped and "_" not in unescaped and "\\" not in unescaped
