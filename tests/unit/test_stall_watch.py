"""The stall watch flags only partitions with records waiting whose commit stopped moving."""

from agents.core.stall import StallWatch


def test_a_partition_with_waiting_records_and_no_commit_progress_is_stalled() -> None:
    watch = StallWatch(limit=30)
    assert watch.observe(0, [("raw", 0, 10, 5)]) == []
    assert watch.observe(20, [("raw", 0, 10, 5)]) == []
    assert watch.observe(35, [("raw", 0, 10, 7)]) == [(("raw", 0), 35)]


def test_progress_or_an_empty_backlog_resets_the_clock() -> None:
    watch = StallWatch(limit=30)
    watch.observe(0, [("raw", 0, 10, 5), ("raw", 1, None, 0)])
    watch.observe(25, [("raw", 0, 11, 5), ("raw", 1, None, 0)])  # partition 0 committed more
    assert watch.observe(50, [("raw", 0, 11, 5), ("raw", 1, None, 0)]) == []
    assert watch.observe(60, [("raw", 0, 11, 5), ("raw", 1, None, 0)]) == [(("raw", 0), 35)]
    # an idle partition (no lag) never counts as stalled, however long its commit stays put
    assert watch.observe(500, [("raw", 1, None, 0)]) == []


def test_a_rebalance_gives_a_fresh_grace_period() -> None:
    watch = StallWatch(limit=30)
    watch.observe(0, [("raw", 0, 10, 5)])
    watch.reset()
    assert watch.observe(40, [("raw", 0, 10, 5)]) == []
    assert watch.observe(71, [("raw", 0, 10, 5)]) == [(("raw", 0), 31)]


def test_a_partition_no_longer_owned_is_forgotten() -> None:
    watch = StallWatch(limit=30)
    watch.observe(0, [("raw", 0, 10, 5)])
    watch.observe(20, [("raw", 1, 3, 2)])
    assert watch.observe(40, [("raw", 0, 10, 5)]) == []  # came back: a new grace period
