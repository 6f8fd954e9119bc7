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
                           "lint_imports_command()", str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=source_root, env=environment, capture_output=True, text=True, timeout=300)


def test_posapp_keeps_its_import_contracts():
    linted = lint_imports(ROOT)
    assert linted.returncode == 0, linted.stdout + linted.stderr


LAYERS = "Imports point downwards, and every module has its layer"
QT = "Only the window imports Qt"
FRONT_ENDS = "Nothing but the entry point imports a front end"
BACKENDS = "The front ends reach databases and AWS only through services"
SETTINGS = "Adapters take plain parameters: only the composition root reads the settings"

# What is planted where, and every contract that must then break (settings planted in the
# card reach the adapters through their imports of it).
PLANTED = {
    "the command line imports the window": ("cli/orders.py", "from posapp.ui import tasks", {LAYERS, FRONT_ENDS}),
    "a service imports the command line": ("checkout.py", "from posapp.cli import output", {LAYERS, FRONT_ENDS}),
    "the command line imports Qt": ("cli/output.py", "import PySide6.QtCore", {QT}),
    "the composition root imports Qt": ("app.py", "from PySide6 import QtCore", {QT}),
    "the window imports SQLAlchemy": ("ui/history_model.py", "import sqlalchemy", {BACKENDS}),
    "the command line imports boto3": ("cli/vault.py", "import boto3", {BACKENDS}),
    "the card domain imports settings": ("card.py", "from posapp import config", {LAYERS, SETTINGS}),
    "money imports the card": ("money.py", "from posapp import card", {LAYERS}),
    "Luhn imports the detector": ("luhn.py", "from posapp import pan_detect", {LAYERS}),
    "the errors import Luhn": ("errors.py", "from posapp import luhn", {LAYERS}),
    "an adapter imports a service": ("orders/sql.py", "from posapp import checkout", {LAYERS}),
    "the vault imports the order history": ("vault/base.py", "from posapp import orders", {LAYERS}),
    "the vault reads the settings": ("vault/dynamodb.py", "from posapp.config import Settings", {SETTINGS}),
    "a module outside every layer": ("unplaced.py", "from posapp import errors", {LAYERS}),
    "the payments read the settings": ("payments/stripe_processor.py", "from posapp.config import Settings",
                                       {SETTINGS}),
    "the window imports stripe": ("ui/checkout_view.py", "import stripe", {BACKENDS}),
    "the order history imports the payments": ("orders/base.py", "from posapp import payments", {LAYERS}),
}


def planted(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of posapp whose ``module`` ends with ``line``; returns the copy's parent."""
    copy = tmp_path / "posapp"
    shutil.copytree(ROOT / "posapp", copy, ignore=shutil.ignore_patterns("__pycache__"))
    with open(copy / module, "a", encoding="utf-8") as source:
        source.write(f"\n{line}\n")
    return tmp_path


@pytest.mark.parametrize("module, line, contracts", PLANTED.values(), ids=PLANTED.keys())
def test_a_planted_import_breaks_its_contracts(tmp_path, module, line, contracts):
    linted = lint_imports(planted(tmp_path, module, line))
    assert linted.returncode != 0, linted.stdout
    broken = {name for name in (LAYERS, QT, FRONT_ENDS, BACKENDS, SETTINGS) if f"{name} BROKEN" in linted.stdout}
    assert broken == contracts, linted.stdout


def test_the_copy_is_what_is_linted(tmp_path):
    """The planted cases fail for their line, not for the copy: a downward import passes."""
    linted = lint_imports(planted(tmp_path, "cli/orders.py", "from posapp import luhn"))
    assert linted.returncode == 0, linted.stdout + linted.stderr
