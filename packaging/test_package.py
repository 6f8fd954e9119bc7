"""Checks of a built posapp: the frozen bundle, or the .deb unpacked as dpkg would install it.

Run by 'make package' (POSAPP_BUNDLE=build/dist/posapp, before the .deb is made) and by
'make package-test' (POSAPP_DEB=dist/posapp_VERSION_amd64.deb). Not part of 'make test'.
"""

import json
import os
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest
from cardgen import random_pan
from leakscan import find_leaks

BUNDLE, DEB = os.environ.get("POSAPP_BUNDLE"), os.environ.get("POSAPP_DEB")
if not (BUNDLE or DEB):
    pytest.skip("set POSAPP_BUNDLE or POSAPP_DEB (make package / make package-test)", allow_module_level=True)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The folder that holds the frozen posapp executable."""
    if BUNDLE:
        return Path(BUNDLE).resolve()
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg-deb", "-x", DEB, str(root)], check=True)
    assert os.readlink(root / "usr/bin/posapp") == "/opt/posapp/posapp"
    assert (root / "usr/share/applications/posapp.desktop").is_file()
    return root / "opt" / "posapp"


@pytest.fixture
def run(installed, tmp_path):
    home, scratch = tmp_path / "home", tmp_path / "tmp"
    scratch.mkdir()

    def run(*args, stdin=None, env=None):
        base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "POSAPP_HOME": str(home), "TMPDIR": str(scratch),
                "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
                "LANG": "C.UTF-8"}
        return subprocess.run([str(installed / "posapp"), *args], input=stdin, capture_output=True, text=True,
                              env={**base, **(env or {})}, timeout=120)

    run.folders = [home, scratch]
    return run


def test_the_window_starts(run):
    result = run("gui", "--smoke")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_version_comes_from_the_package_metadata(run):
    assert run("--version").stdout.strip() == f"posapp {version('posapp')}"


def test_a_signed_in_local_sale_is_journalled_and_leaves_no_card_or_secret_behind(run):
    number, password = random_pan("4", 16), "frozen till 2026 admin"
    admin = run("operator", "add", "--role", "admin", "boss", env={"POSAPP_NEW_SECRET": password})
    assert admin.returncode == 0, admin.stderr
    signed_in = {"POSAPP_OPERATOR": "boss", "POSAPP_SECRET": password}
    sold = run("order", "new", "--name", "Frozen sale", "--amount", "2.50", "--card-stdin", "--json",
               stdin=f"{number} 12/39\n", env=signed_in)
    assert sold.returncode == 0, sold.stderr
    receipt = json.loads(sold.stdout)
    assert receipt["card"] == {"brand": "VISA", "last4": number[-4:]}
    assert receipt["operator"] == "boss"
    listed = run("order", "list", "--json", env=signed_in)
    verified = run("vault", "verify", "--all", env=signed_in)
    assert verified.stdout == "Checked 1 vault item and 1 order: all intact.\nKeys: 1 item under local-1.\n"
    journal = run("audit", "verify", env=signed_in)
    assert journal.returncode == 0, journal.stderr
    printed = "".join(part for result in (admin, sold, listed, verified, journal)
                      for part in (result.stdout, result.stderr))
    assert find_leaks([number], run.folders, printed, secrets=[password]) == []


def test_a_till_charges_cards_through_stripe(run, tmp_path):
    # localstripe runs from the test tools, outside the bundle: the bundle speaks Stripe's API to it.
    import localstripetest

    process, server = localstripetest.start(tmp_path / "localstripe.txt")
    try:
        settings = tmp_path / "posapp.toml"
        settings.write_text(f'[payments]\nprocessor = "stripe"\napi_base = "{server.url}"\n')
        settings.chmod(0o600)
        password = "frozen till 2026 admin"
        env = {"POSAPP_CONFIG": str(settings), "POSAPP_STRIPE_KEY": localstripetest.API_KEY,
               "POSAPP_OPERATOR": "boss", "POSAPP_SECRET": password}
        admin = run("operator", "add", "--role", "admin", "boss", env={**env, "POSAPP_NEW_SECRET": password})
        assert admin.returncode == 0, admin.stderr
        sold = run("order", "new", "--name", "Frozen charge", "--amount", "2.50", "--card-stdin", "--json",
                   stdin=f"{random_pan('4', 16)} 12/39 123\n", env=env)
        assert sold.returncode == 0, sold.stderr
        receipt = json.loads(sold.stdout)
        assert receipt["status"] == "paid" and receipt["payment"]["reference"].startswith("pi_")
        declined = run("order", "new", "--name", "Frozen decline", "--amount", "2.50", "--card-stdin",
                       stdin=f"{localstripetest.DECLINING} 12/39 123\n", env=env)
        assert declined.returncode == 6 and declined.stderr.startswith("posapp: Declined"), declined.stderr
        refunded = run("order", "refund", str(receipt["order_id"]), "--amount", "1.00", env=env)
        assert refunded.returncode == 0, refunded.stderr
    finally:
        localstripetest.stop(process)


def test_receipts_come_out_of_the_frozen_bundle_as_pdf_and_escpos(run, tmp_path):
    # fpdf2 with its font subsetting (fontTools) and python-escpos with its printer database, frozen.
    from receiptcheck import PrinterListener, pdf_text, printed_text

    printer = PrinterListener()
    try:
        settings = tmp_path / "posapp.toml"
        settings.write_text(f'[merchant]\nname = "Café Zürich"\nlocale = "de_DE"\ntimezone = "Europe/Berlin"\n'
                            f'currency = "EUR"\n\n[receipts]\nprinter = "{printer.target}"\n')
        settings.chmod(0o600)
        number, password = random_pan("4", 16), "frozen till 2026 admin"
        env = {"POSAPP_CONFIG": str(settings), "POSAPP_OPERATOR": "boss", "POSAPP_SECRET": password}
        assert run("operator", "add", "--role", "admin", "boss", env={**env, "POSAPP_NEW_SECRET": password}).returncode == 0
        sold = run("order", "new", "--name", "Frozen sale", "--amount", "10,50", "--card-stdin", "--json",
                   stdin=f"{number} 12/39\n", env=env)
        assert sold.returncode == 0, sold.stderr
        order = str(json.loads(sold.stdout)["order_id"])
        pdf = run("receipt", order, "--format", "pdf", "--out", str(tmp_path / "receipt.pdf"), env=env)
        escpos = run("receipt", order, "--format", "escpos", env=env)
        assert (pdf.returncode, escpos.returncode) == (0, 0), pdf.stderr + escpos.stderr
        [sent] = printer.wait_for(1)
        for text in (pdf_text((tmp_path / "receipt.pdf").read_bytes()), printed_text(sent).replace("\u00a0", " ")):
            assert "CAFÉ ZÜRICH" in text and f"VISA •••• {number[-4:]}" in text and "10,50 €" in text
        printed = "".join(result.stdout + result.stderr for result in (sold, pdf, escpos))
        assert find_leaks([number], [*run.folders, tmp_path], printed, blobs={"printer": sent}) == []
    finally:
        printer.close()
