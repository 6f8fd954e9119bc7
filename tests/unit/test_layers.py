"""The import contracts of pyproject.toml hold, and each of them catches what it forbids."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def lint_imports(source_root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` over the posapp package found in ``source_root``."""
    environment = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                           "lint_imports_command()", "--no-cache", "--config", str(ROOT / "pyproject.toml")],
                          cwd=source_root, env=environment, capture_output=True, text=True, timeout=300)


def test_posapp_keeps_its_import_contracts():
    linted = lint_imports(ROOT)
    assert linted.returncode == 0, linted.stdout + linted.stderr


PLANTED = {
    "the command line imports the window": ("cli/orders.py", "from posapp.ui import tasks"),
    "a service imports the command line": ("checkout.py", "from posapp.cli import output"),
    "the command line imports Qt": ("cli/output.py", "import PySide6.QtCore"),
    "the composition root imports Qt": ("app.py", "from PySide6 import QtCore"),
    "the window imports SQLAlchemy": ("ui/history_model.py", "import sqlalchemy"),
    "the command line imports boto3": ("cli/vault.py", "import boto3"),
    "the card domain imports settings": ("card.py", "from posapp import config"),
    "money imports the card": ("money.py", "from posapp import card"),
    "Luhn imports the detector": ("luhn.py", "from posapp import pan_detect"),
    "the errors import Luhn": ("errors.py", "from posapp import luhn"),
    "an adapter imports a service": ("orders/sql.py", "from posapp import checkout"),
    "the vault imports the order history": ("vault/base.py", "from posapp import orders"),
    "the vault reads the settings": ("vault/dynamodb.py", "from posapp.config import Settings"),
    "a module outside every layer": ("unplaced.py", "from posapp import errors"),
}


def planted(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of posapp whose ``module`` ends with ``line``; returns the copy's parent."""
    copy = tmp_path / "posapp"
    shutil.copytree(ROOT / "posapp", copy, ignore=shutil.ignore_patterns("__pycache__"))
    with open(copy / module, "a", encoding="utf-8") as source:
        source.write(f"\n{line}\n")
    return tmp_path


@pytest.mark.parametrize("module, line", PLANTED.values(), ids=PLANTED.keys())
def test_a_planted_import_breaks_a_contract(tmp_path, module, line):
    linted = lint_imports(planted(tmp_path, module, line))
    assert linted.returncode != 0, linted.stdout
    assert "BROKEN" in linted.stdout


def test_the_copy_is_what_is_linted(tmp_path):
    """The planted cases fail for their line, not for the copy: a downward import passes."""
    linted = lint_imports(planted(tmp_path, "cli/orders.py", "from posapp import luhn"))
    assert linted.returncode == 0, linted.stdout + linted.stderr
