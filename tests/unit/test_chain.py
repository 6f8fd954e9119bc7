"""The journal's HMAC chain: any change, deletion, insertion, reordering or truncation is
reported at the first sequence number that no longer verifies."""

import dataclasses
import datetime
import hashlib
import hmac
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posapp.audit.chain import GENESIS, Anchor, Entry, Event, anchor_due, check, entry, link

KEY = bytes(range(32))
T0 = datetime.datetime(2026, 11, 29, 9, 0, tzinfo=datetime.timezone.utc)
FIELDS = ("at", "operator", "action", "target", "outcome", "details", "chain", "workstation")


def journal(count, workstation="till-01", key=KEY):
    """``count`` chained entries of ``workstation``, one a minute."""
    entries, previous = [], GENESIS
    for seq in range(1, count + 1):
        event = Event("sale" if seq % 3 else "sign-in", "recorded" if seq % 3 else "ok", f"op-{seq % 4}",
                      str(seq), {"amount_minor": seq * 10, "last4": "4242"})
        entries.append(entry(key, previous, workstation, seq, T0 + datetime.timedelta(minutes=seq), event))
        previous = entries[-1].chain
    return entries


def anchor_of(one):
    return Anchor(one.workstation, one.seq, one.chain, one.at)


def changed(one, field):
    """``one`` with ``field`` changed as someone without the key could change it."""
    value = getattr(one, field)
    if field == "at":
        return dataclasses.replace(one, at=value + datetime.timedelta(seconds=1))
    if field == "chain":
        return dataclasses.replace(one, chain=("1" if value[0] == "0" else "0") + value[1:])
    return dataclasses.replace(one, **{field: (value or "") + "x"})


@given(st.integers(1, 40))
def test_an_untouched_journal_verifies_to_its_anchor(count):
    entries = journal(count)
    report = check(KEY, "till-01", entries, anchor_of(entries[count // 2]))
    assert report.whole and report.verified == count and report.reason is None


@given(st.data())
def test_each_tampering_is_caught_at_the_first_bad_seq(data):
    count = data.draw(st.integers(3, 30), label="entries")
    entries = journal(count)
    anchor = anchor_of(entries[-1])  # the till anchored its newest entry
    operation = data.draw(st.sampled_from(["change", "delete", "insert", "swap", "truncate", "rechain"]))
    i = data.draw(st.integers(0, count - 2), label="position")
    if operation == "change":
        entries[i] = changed(entries[i], data.draw(st.sampled_from(FIELDS), label="field"))
        first_bad = i + 1
    elif operation == "delete":
        del entries[i]
        first_bad = i + 1
    elif operation == "insert":  # a forged entry taking seq i+1, the later ones renumbered or not
        forged = journal(i + 1, key=b"guessed key".ljust(32, b"\0"))[i]
        renumber = data.draw(st.booleans(), label="renumber")
        later = [dataclasses.replace(each, seq=each.seq + 1) if renumber else each for each in entries[i:]]
        entries[i:] = [forged, *later]
        first_bad = i + 1
    elif operation == "swap":  # two entries exchange their seq: read back by seq, they change places
        j = data.draw(st.integers(i + 1, count - 1), label="other")
        entries[i], entries[j] = (dataclasses.replace(entries[j], seq=i + 1),
                                  dataclasses.replace(entries[i], seq=j + 1))
        first_bad = i + 1
    elif operation == "truncate":  # the newest entries deleted: only the anchor knows
        del entries[i + 1:]
        first_bad = i + 2
    else:  # an entry changed and chained again after the one before it, with a guessed key
        guessed = b"\1" * 32
        previous = entries[i - 1].chain if i else GENESIS
        entries[i] = entry(guessed, previous, "till-01", i + 1, entries[i].at, Event("sale", "recorded", "mallory"))
        first_bad = i + 1
    report = check(KEY, "till-01", entries, anchor)
    assert not report.whole
    assert report.broken_at == first_bad, report.reason
    assert report.verified == first_bad - 1
    assert str(first_bad) in report.reason


def test_the_reasons_say_what_happened():
    entries = journal(6)
    anchor = anchor_of(entries[-1])
    assert check(KEY, "till-01", entries[:2] + entries[3:], anchor).reason == "entry 3 is missing"
    assert check(KEY, "till-01", entries[:3] + entries[2:], anchor).reason == "entry 4 is out of order or duplicated"
    assert check(KEY, "till-01", [changed(entries[0], "details"), *entries[1:]], anchor).reason == "entry 1 was changed"
    assert check(KEY, "till-01", entries[:4], anchor).reason == "entries 5 to 6 were deleted (the anchor reaches 6)"


def test_a_journal_shorter_than_its_anchor_is_caught_even_when_empty():
    report = check(KEY, "till-01", [], anchor_of(journal(3)[-1]))
    assert (report.broken_at, report.verified) == (1, 0)


def test_an_anchor_that_disagrees_with_its_entry_is_caught():
    entries = journal(5)
    other = journal(5, key=b"\2" * 32)[2]  # the same seq, another chain value
    report = check(KEY, "till-01", entries, anchor_of(other))
    assert report.broken_at == 3 and report.reason == "entry 3 differs from its anchor"


def test_the_newest_entries_past_the_anchor_are_not_vouched_for_by_it():
    entries = journal(8)
    assert check(KEY, "till-01", entries[:6], anchor_of(entries[4])).whole  # deleting 7-8: the anchor is at 5


def test_another_workstations_entries_do_not_verify_in_this_chain():
    theirs = journal(3, workstation="till-02")
    replayed = [dataclasses.replace(one, workstation="till-01") for one in theirs]
    assert check(KEY, "till-01", replayed, None).broken_at == 1
    assert check(KEY, "till-02", theirs, None).whole


def test_a_wrong_key_fails_at_the_first_entry():
    assert check(b"\3" * 32, "till-01", journal(4), None).broken_at == 1


def test_times_are_kept_to_the_second_in_utc_and_naive_ones_refused():
    local = datetime.timezone(datetime.timedelta(hours=2))
    one = entry(KEY, GENESIS, "till-01", 1, datetime.datetime(2026, 1, 1, 12, 0, 0, 999, tzinfo=local),
                Event("sign-in", "ok"))
    assert one.at == datetime.datetime(2026, 1, 1, 10, 0, tzinfo=datetime.timezone.utc)
    with pytest.raises(ValueError):
        entry(KEY, GENESIS, "till-01", 1, datetime.datetime(2026, 1, 1), Event("sign-in", "ok"))


def test_details_are_canonical_json_and_read_back():
    one = entry(KEY, GENESIS, "till-01", 1, T0, Event("void", "ok", "boss", "17", {"z": 1, "approved_by": "boss"}))
    assert one.details == '{"approved_by":"boss","z":1}'
    assert one.details_dict() == {"approved_by": "boss", "z": 1}
    assert dataclasses.replace(one, details="[1]").details_dict() == {}
    assert isinstance(one, Entry)


def test_an_anchor_is_due_every_100_entries_or_5_minutes():
    entries = journal(1)
    first = entries[0]
    assert anchor_due(first, None)
    last = anchor_of(first)
    later = dataclasses.replace(first, seq=100, at=first.at + datetime.timedelta(minutes=4, seconds=59))
    assert not anchor_due(later, last)
    assert anchor_due(dataclasses.replace(later, seq=101), last)
    assert anchor_due(dataclasses.replace(later, at=first.at + datetime.timedelta(minutes=5)), last)


def test_an_anchor_reads_back_from_its_json():
    anchor = anchor_of(journal(2)[1])
    assert Anchor.from_json(anchor.to_json()) == anchor


def reference_link(key, previous, workstation, seq, at, operator, action, target, outcome, details):
    """The chain value as the format defines it, written the plain way (link is tuned for speed)."""
    canonical = json.dumps([workstation, seq, at.strftime("%Y-%m-%dT%H:%M:%SZ"), operator, action, target, outcome,
                            details], ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, previous.encode("ascii") + b"\n" + canonical.encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()


@given(at=st.datetimes(timezones=st.just(datetime.timezone.utc)), seq=st.integers(1, 2**62),
       texts=st.lists(st.one_of(st.none(), st.text()), min_size=4, max_size=4), details=st.text())
def test_the_chain_format_is_unchanged_by_tuning(at, seq, texts, details):
    at = at.replace(microsecond=0)
    operator, action, target, outcome = texts
    fields = ("till-01", seq, at, operator, action or "sale", target, outcome or "ok", details)
    assert link(KEY, GENESIS, *fields) == reference_link(KEY, GENESIS, *fields)
