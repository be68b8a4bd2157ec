"""The offset guard asks to seek back exactly when records were skipped, and only once."""

from agents.core.offsets import OffsetGuard

RAW = ("raw", 2)


def test_contiguous_records_and_redeliveries_pass() -> None:
    guard = OffsetGuard()
    assert [guard.check(RAW, offset, committed=5) for offset in (5, 6, 7, 6, 7, 8)] == [None] * 6


def test_a_record_past_the_committed_offset_asks_to_seek_back_once() -> None:
    guard = OffsetGuard()
    assert guard.check(RAW, 3, committed=2) == 2  # offset 2 was skipped
    assert guard.check(RAW, 4, committed=2) is None  # rest of the batch: no second seek
    assert guard.check(RAW, 2, committed=4) is None  # the re-read record
    assert guard.check(RAW, 3, committed=4) is None
    assert guard.check(RAW, 5, committed=4) is None


def test_a_gap_inside_the_stream_asks_to_seek_back() -> None:
    guard = OffsetGuard()
    guard.check(RAW, 10, committed=10)
    assert guard.check(RAW, 13, committed=10) == 11


def test_a_real_hole_is_accepted_after_one_seek() -> None:
    guard = OffsetGuard()
    assert guard.check(RAW, 50, committed=7) == 7  # retention removed 7..49
    assert guard.check(RAW, 50, committed=7) is None  # the same again after the seek: accept
    assert guard.check(RAW, 51, committed=7) is None


def test_unknown_committed_offset_and_new_assignment() -> None:
    guard = OffsetGuard()
    assert guard.check(RAW, 40, committed=None) is None  # nothing to compare with
    guard.forget()
    assert guard.check(RAW, 45, committed=44) == 44
    assert guard.check(("raw", 3), 0, committed=None) is None
