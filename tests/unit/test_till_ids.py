"""Till ids on the command line: what cannot name a till (empty, too long, control characters, a
card number) is refused by the parser in one sentence that does not repeat it."""

import contextlib
import io
import string

import pytest
from cardgen import random_pan
from hypothesis import example, given
from hypothesis import strategies as st

from posapp.cli.parser import build_parser
from posapp.till_registration import check_till_id

GOOD = st.from_regex(r"[A-Za-z][A-Za-z0-9._-]{0,63}", fullmatch=True)
BAD = st.one_of(
    st.just(""),
    st.text(string.ascii_letters + string.digits, min_size=65, max_size=200),
    st.builds(lambda head, control, tail: head + control + tail, GOOD.map(lambda text: text[:30]),
              st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Zs"]), GOOD.map(lambda text: text[:30])),
    st.builds(lambda prefix: random_pan(prefix, 16), st.sampled_from(["4", "51", "6011"])),
)


def refusal(args):
    with contextlib.redirect_stderr(io.StringIO()) as captured, pytest.raises(SystemExit) as exited:
        build_parser().parse_args(args)
    stderr = captured.getvalue()
    assert exited.value.code == 2 and stderr.startswith("posapp: argument ") and stderr.count("\n") == 1
    return stderr


@given(BAD)
@example("till\x1b]0;pwned\x0701")
def test_a_bad_till_id_is_refused_in_one_sentence_that_does_not_repeat_it(bad):
    for args in (["till", "register", f"--till-id={bad}"], ["till", "revoke", "--", bad]):
        stderr = refusal(args)
        assert (bad not in stderr or not bad) and "\x1b" not in stderr
        assert "looks like a card number" in stderr or "use 1 to 64 letters" in stderr


@given(GOOD)
def test_a_good_till_id_is_taken_as_it_is(name):
    assert check_till_id(name) == name
    assert build_parser().parse_args(["till", "revoke", name]).till_id == name
