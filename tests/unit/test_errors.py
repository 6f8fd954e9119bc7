"""One error tree at the bottom: every error a user meets is a PosappError, described one way."""

import ast
from pathlib import Path

import pytest

import posapp
from posapp.card import InvalidCard, Reason
from posapp.errors import ExitCode, InvalidInput, PosappError, describe
from posapp.money import InvalidAmount, Money


def test_the_error_tree_imports_nothing_from_posapp():
    tree = ast.parse((Path(posapp.__file__).parent / "errors.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not [name for name in imported if name.startswith("posapp")]


def refused_amount() -> InvalidAmount:
    with pytest.raises(InvalidAmount) as refused:
        Money.parse("12.345", "USD")
    return refused.value


@pytest.mark.parametrize(("make_error", "sentence"), [
    (lambda: InvalidCard(Reason.CHECKSUM), "The card number has a typo"),
    (refused_amount, "USD amounts have at most 2 decimals"),
])
def test_card_and_amount_errors_are_invalid_input_with_their_own_sentence(make_error, sentence):
    error = make_error()
    assert isinstance(error, InvalidInput) and isinstance(error, PosappError) and isinstance(error, ValueError)
    message, code = describe(error)
    assert message.startswith(sentence) and code is ExitCode.BAD_INPUT
    assert str(error) in message  # the window's inline message is the reason alone
