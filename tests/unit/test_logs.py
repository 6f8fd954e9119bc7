"""PAN redaction: whatever logger, whatever shape, a card number reaches no log in clear."""

import errno
import io
import logging
import os
import re
import uuid

import pytest
from cardgen import random_pan
from leakscan import digits_of

from posapp import logs


@pytest.fixture
def log_file(tmp_path):
    path = logs.setup(tmp_path / "logs")
    yield path
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "posapp_handler", False)]:
        root.removeHandler(handler)
        handler.close()


def grouped(pan: str, separator: str) -> str:
    return separator.join(pan[i:i + 4] for i in range(0, len(pan), 4))


@pytest.mark.parametrize("separator", ["", " ", "-"])
def test_redact_masks_card_numbers_grouped_or_not(separator):
    pan = random_pan("5", 16)
    text = logs.redact(f"card {grouped(pan, separator)} declined")
    assert text == f"card •••• {pan[-4:]} declined"


@pytest.mark.parametrize("attempt", range(40))
def test_redact_shows_at_most_4_digits_of_a_card_next_to_other_numbers(attempt):
    # With random cards, "12 <card>" or "<card> 12" sometimes passes Luhn too.
    pan = random_pan("4", 16)
    text = logs.redact(f"order 12 {grouped(pan, ' ')} 12/29 amount 1200")
    # The mask may swallow the neighbours ("12 ", "12/29") when a span through them passes too.
    assert re.fullmatch(r"order (12 )?•••• \d{4}( 12)?(/29)? amount 1200", text), text
    assert pan[:12] not in re.sub(r"\D", "", text)


def test_redact_masks_two_cards_in_one_run():
    first, second = random_pan("4", 16), random_pan("51", 16)
    text = logs.redact(f"{first} {second}")
    assert first[:12] not in text and second[:12] not in text and text.endswith(second[-4:])


def test_redact_leaves_numbers_that_are_not_card_numbers():
    text = "order 1234 at 2026-11-29 05:52:23 took 12 ms, id 123456789012, not-luhn 4242424242424241"
    assert logs.redact(text) == text


def test_every_logger_writes_the_pan_masked(log_file):
    pan = random_pan("4", 16)
    for name in ("posapp.checkout", "botocore.endpoint", "dynamodb_encryption_sdk", "sqlalchemy.engine.Engine", ""):
        logging.getLogger(name).warning("card %s via %s", pan, name or "root")
    logging.getLogger("posapp").warning(f"f-string {grouped(pan, '-')}")
    written = log_file.read_text(encoding="utf-8")
    assert pan not in written and grouped(pan, "-") not in written
    assert written.count(f"•••• {pan[-4:]}") == 6


def test_the_log_keeps_identifiers_whole_and_masks_cards_in_any_form(log_file):
    # A key masked in part ("aadd-•••• 0537") can no longer be found: sales are looked up by it.
    keys = [str(uuid.uuid4()) for _ in range(2000)]
    pan = random_pan("4", 16)
    nbsp = "\u00a0".join(pan[i:i + 4] for i in range(0, 16, 4))
    for key in keys:
        logging.getLogger("posapp.checkout").info("sale %s recorded", key)
    logging.getLogger("posapp.checkout").info("card %s, %s", nbsp, "\u200b".join(pan))
    written = log_file.read_text(encoding="utf-8")
    assert all(f"sale {key} recorded" in written for key in keys)
    assert written.count(f"•••• {pan[-4:]}") == 2 and pan[:12] not in digits_of(written)


def test_exception_text_and_traceback_are_masked(capsys, log_file):
    pan = random_pan("37", 15)
    try:
        raise ValueError(f"could not charge {pan}")
    except ValueError:
        logging.getLogger("dynamodb_encryption_sdk").exception("failed")
        logging.getLogger("posapp.test").exception("failed for %r", {"pan": pan})
    written = log_file.read_text(encoding="utf-8") + capsys.readouterr().err
    assert pan not in written
    assert "ValueError: could not charge •••• " + pan[-4:] in written


def test_records_made_without_the_factory_are_masked_by_the_handlers(log_file):
    pan = random_pan("6011", 16)
    record = logging.makeLogRecord({"name": "posapp.remote", "levelno": logging.ERROR, "levelname": "ERROR",
                                    "msg": "card %s", "args": (pan,)})
    logging.getLogger().handle(record)
    assert pan not in log_file.read_text(encoding="utf-8")


def test_terminal_shows_posapp_warnings_without_tracebacks(capsys, log_file):
    logging.getLogger("posapp.vault").warning("keys in a file")
    logging.getLogger("dynamodb_encryption_sdk").error("library noise")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("posapp.cli.boundary").exception("unexpected")
    err = capsys.readouterr().err
    assert err == "posapp: warning: keys in a file\n"
    assert "library noise" in log_file.read_text(encoding="utf-8")


def test_log_file_is_private(log_file):
    logging.getLogger("posapp").warning("hello")
    assert log_file.stat().st_mode & 0o777 == 0o600


def posapp_handlers():
    return [h for h in logging.getLogger().handlers if getattr(h, "posapp_handler", False)]


@pytest.fixture
def no_handlers_after():
    yield
    for handler in posapp_handlers():
        logging.getLogger().removeHandler(handler)
        handler.close()


def test_a_log_folder_that_cannot_be_made_leaves_one_warning_and_posapp_working(tmp_path, capsys, no_handlers_after):
    (tmp_path / "logs").write_text("a file where the folder should be")
    assert logs.setup(tmp_path / "logs") is None
    pan = random_pan("4", 16)
    logging.getLogger("posapp.vault").warning("card %s", pan)
    logging.getLogger("posapp.cli.boundary").info("nowhere to go")
    err = capsys.readouterr().err
    assert err == (f"posapp: warning: cannot keep a log in {tmp_path / 'logs'} (it is a file, not a folder); "
                   f"posapp goes on without a log file\nposapp: warning: card •••• {pan[-4:]}\n")


def test_a_full_disk_under_the_log_is_said_once_and_never_as_a_traceback(tmp_path, capsys, no_handlers_after):
    log_file = logs.setup(tmp_path / "logs")
    handler = next(h for h in posapp_handlers() if isinstance(h, logging.FileHandler))
    handler.stream.close()
    handler.stream = open("/dev/full", "a", encoding="utf-8")  # every write: ENOSPC
    for number in range(200):
        logging.getLogger("sqlalchemy").warning("record %d", number)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("posapp").exception("with a traceback")
    for handler in posapp_handlers():  # as at exit: the final flush must not complain either
        handler.flush()
        handler.close()
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"posapp: warning: cannot write the log file {log_file} (No space left on device); further log records "
        "are dropped"]


@pytest.mark.parametrize("error", [OSError(errno.EIO, "Input/output error"),
                                   OSError(errno.EROFS, "Read-only file system"),
                                   OSError(errno.ENOSPC, "No space left on device")])
def test_any_write_error_is_said_once(log_file, capsys, error):
    class Failing(io.StringIO):
        def write(self, text):
            raise error

    handler = next(h for h in posapp_handlers() if isinstance(h, logging.FileHandler))
    handler.stream.close()
    handler.stream = Failing()
    for _ in range(5):
        logging.getLogger("botocore").warning("noise")
    assert capsys.readouterr().err == (f"posapp: warning: cannot write the log file {log_file} ({error.strerror}); "
                                       "further log records are dropped\n")


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a link to another user")
def test_a_link_another_user_planted_in_the_log_folder_is_not_followed(tmp_path, capsys, no_handlers_after):
    elsewhere = tmp_path / "elsewhere.txt"
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "posapp.log").symlink_to(elsewhere)
    os.lchown(tmp_path / "logs" / "posapp.log", 4321, 4321)
    assert logs.setup(tmp_path / "logs") is None
    assert not elsewhere.exists()
    assert "posapp goes on without a log file" in capsys.readouterr().err
