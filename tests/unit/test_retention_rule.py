"""When a card leaves the vault (PCI DSS 3.2.1): retention days after its storage, or 90 days after
the end of its expiry month if that comes first; the setting that decides it."""

import datetime

import pytest
from hypothesis import given, strategies as st

from posapp import config, retention
from posapp.card import Expiry
from posapp.config import ConfigError

UTC = datetime.timezone.utc
SOLD = datetime.datetime(2026, 11, 29, 15, 5, 9, 750000, tzinfo=UTC)


def test_a_card_is_kept_retention_days_to_the_second():
    assert retention.expires_at(SOLD, 400, Expiry(12, 2031)) == datetime.datetime(2028, 1, 3, 15, 5, 9, tzinfo=UTC)
    assert retention.expires_at(SOLD, 400, None) == datetime.datetime(2028, 1, 3, 15, 5, 9, tzinfo=UTC)


def test_a_card_that_expires_first_goes_90_days_after_the_end_of_its_month():
    # Good through 28 February 2027: it may go 90 days after 1 March, on 30 May 2027, long before 400 days.
    assert retention.expires_at(SOLD, 400, Expiry(2, 2027)) == datetime.datetime(2027, 5, 30, tzinfo=UTC)
    # Good through 29 February 2028 (a leap year): the same 30 May.
    assert retention.expires_at(SOLD, 3650, Expiry(2, 2028)) == datetime.datetime(2028, 5, 30, tzinfo=UTC)
    assert retention.end_of_month(Expiry(2, 2028)) == datetime.datetime(2028, 3, 1, tzinfo=UTC)
    assert retention.end_of_month(Expiry(12, 2030)) == datetime.datetime(2031, 1, 1, tzinfo=UTC)


def test_retention_0_keeps_cards_and_times_are_checked():
    assert retention.expires_at(SOLD, 0, Expiry(2, 2027)) is None
    with pytest.raises(ValueError, match="naive"):
        retention.expires_at(SOLD.replace(tzinfo=None), 400, None)
    with pytest.raises(ValueError, match="0 or more"):
        retention.expires_at(SOLD, -1, None)


def test_an_other_zone_is_stored_in_utc():
    berlin = SOLD.astimezone(datetime.timezone(datetime.timedelta(hours=1)))
    assert retention.expires_at(berlin, 1, None) == datetime.datetime(2026, 11, 30, 15, 5, 9, tzinfo=UTC)


@given(days=st.integers(1, retention.MAX_DAYS), month=st.integers(1, 12), year=st.integers(2026, 2040),
       seconds=st.integers(0, 5 * 365 * 86400))
def test_never_later_than_retention_nor_before_the_card_expired(days, month, year, seconds):
    sold = datetime.datetime(2026, 1, 1, tzinfo=UTC) + datetime.timedelta(seconds=seconds)
    expiry = Expiry(month, year)
    due = retention.expires_at(sold, days, expiry)
    assert due.microsecond == 0 and due.utcoffset() == datetime.timedelta(0)
    assert due <= sold + datetime.timedelta(days=days)
    # Sooner only for a card at least 90 days past the end of its month.
    assert due == sold.replace(microsecond=0) + datetime.timedelta(days=days) \
        or due == retention.end_of_month(expiry) + retention.EXPIRED_CARD_GRACE


def test_an_item_goes_by_its_expires_at_else_by_its_age():
    now = SOLD + datetime.timedelta(days=500)
    past, future = SOLD + datetime.timedelta(days=10), now + datetime.timedelta(seconds=1)
    assert retention.due(past, SOLD, 0, now) == past  # retention turned off later: the item's own time holds
    assert retention.due(future, SOLD - datetime.timedelta(days=900), 400, now) is None  # never before its time
    assert retention.due(None, SOLD, 400, now) == SOLD.replace(microsecond=0) + datetime.timedelta(days=400)
    assert retention.due(None, SOLD, 501, now) is None
    assert retention.due(None, SOLD, 0, now) is None  # stored before retention, and retention is off
    assert retention.due(None, None, 400, now) is None  # unreadable metadata: kept, never guessed


def test_the_setting_defaults_to_400_days(tmp_path):
    assert config.load(env={"POSAPP_HOME": str(tmp_path)}).vault.retention_days == 400


@pytest.mark.parametrize(("value", "reason"), [
    ("-1", "must be 0 (keep cards) to 3650 days (PCI DSS 3.2.1: keep a card no longer than needed), not -1"),
    ("36500", "must be 0 (keep cards) to 3650 days"),
])
def test_a_negative_or_absurd_retention_is_refused_in_one_line(tmp_path, value, reason):
    path = tmp_path / "posapp.toml"
    path.write_text(f"[vault]\nretention_days = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^{path}: \\[vault\\] retention_days: ") as refused:
        config.load(path, env={"POSAPP_HOME": str(tmp_path)})
    assert reason in str(refused.value) and "\n" not in str(refused.value)


def test_retention_0_is_a_setting_too(tmp_path):
    path = tmp_path / "posapp.toml"
    path.write_text("[vault]\nretention_days = 0\n", encoding="utf-8")
    assert config.load(path, env={"POSAPP_HOME": str(tmp_path)}).vault.retention_days == 0
