"""The offset guard names the first skipped offset exactly when records were skipped."""

from agents.core.offsets import OffsetGuard

RAW = ("raw", 2)


def test_contiguous_records_and_redeliveries_pass() -> None:
    guard = OffsetGuard()
    assert [guard.check(RAW, offset, committed=5) for offset in (5, 6, 7, 6, 7, 8)] == [None] * 6


def test_a_record_past_the_committed_offset_names_the_skipped_range_once() -> None:
    guard = OffsetGuard()
    assert guard.check(RAW, 3, committed=2) == 2  # offset 2 was skipped: the caller reads it
    assert guard.check(RAW, 4, committed=2) is None  # the rest of the batch
    assert guard.check(RAW, 2, committed=4) is None  # Faust delivers it after all: a duplicate
    assert guard.check(RAW, 5, committed=4) is None


def test_a_gap_inside_the_stream_is_named() -> None:
    guard = OffsetGuard()
    guard.check(RAW, 10, committed=10)
    assert guard.check(RAW, 13, committed=10) == 11


def test_a_real_hole_is_named_once() -> None:
    guard = OffsetGuard()
    assert guard.check(RAW, 50, committed=7) == 7  # retention removed 7..49: reading finds none
    assert guard.check(RAW, 51, committed=7) is None


def test_unknown_committed_offset_and_new_assignment() -> None:
    guard = OffsetGuard()
    assert guard.check(RAW, 40, committed=None) is None  # nothing to compare with
    guard.forget()
    assert guard.check(RAW, 45, committed=44) == 44
    assert guard.check(("raw", 3), 0, committed=None) is None
