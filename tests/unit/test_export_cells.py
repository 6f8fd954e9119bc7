"""Text cells of an export are never evaluated by a spreadsheet (CWE-1236), and can be read back:
any text, whatever it starts with."""

import pytest
from exportcsv import restored, spreadsheet_would_evaluate
from hypothesis import given
from hypothesis import strategies as st

from posapp.reports.export import neutralised

# Text weighted towards what matters here: formula characters, white space, apostrophes, invisibles.
LEADING = st.sampled_from(list("=+-@\t\r\n '\"") + ["\u00a0", "\u200b", "\ufeff", "\uff1d", "\uff0b", "\uff0d",
                                                    "\uff20", "\u3000"])
TEXT = st.lists(st.one_of(LEADING, st.characters(codec="utf-8")), max_size=12).map("".join)


@given(TEXT)
def test_no_cell_is_evaluated_and_every_cell_reads_back(text):
    cell = neutralised(text)
    assert not spreadsheet_would_evaluate(cell)
    assert restored(cell) == text


@given(TEXT)
def test_only_formula_like_text_changes(text):
    assert (neutralised(text) != text) == spreadsheet_would_evaluate(text.lstrip("'"))


@pytest.mark.parametrize("text, cell", [
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("  =1", "'  =1"), ("\u00a0=1", "'\u00a0=1"), ("\u200b=1", "'\u200b=1"), ("\uff1d1+1", "'\uff1d1+1"),
    ("'=1", "''=1"),
    ("Tea", "Tea"), ("'Nduja", "'Nduja"), ("a=1", "a=1"), ("", ""), ("   ", "   "), ("1-2", "1-2"),
])
def test_examples(text, cell):
    assert neutralised(text) == cell
