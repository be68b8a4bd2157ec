"""The reliability scenarios of docs/reliability.md, smaller: each on its own real broker with
real worker processes, each must account for every message it sent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agents.reliability import scenarios, workload
from agents.reliability.ledger import Row
from tests.conftest import REPO

pytestmark = pytest.mark.integration
SHARED = REPO.parent / "shared"
BIG = 20_000_000  # the 20 MB article of the issue, above the 2 MB default limit


@pytest.fixture
def options(tmp_path: Path) -> scenarios.Options:
    return scenarios.Options(SHARED, tmp_path, articles=24, timeout=300, big_bytes=BIG)


def _accounted(row: Row) -> None:
    assert row.lost == 0, row
    assert row.doubled == 0, row
    assert row.sent == row.enriched + row.dead_letters, row


def test_bad_input_ends_enriched_or_dead_lettered(options: scenarios.Options) -> None:
    row = scenarios.bad_input(options)
    _accounted(row)
    hostile = workload.hostile("x", 10)
    assert row.dead_letters == sum(1 for m in hostile if m.article_id is None)
    assert row.alerts > 0
    assert "the worker died" not in row.notes


def test_sigkill_mid_stream_loses_nothing_and_copies_fold_into_old_alerts(
    options: scenarios.Options,
) -> None:
    row = scenarios.crash(options)
    _accounted(row)
    assert row.alerts > 0
    assert "killed after" in row.notes[-1]


def test_scale_out_and_one_worker_killed(options: scenarios.Options) -> None:
    row = scenarios.scale_out(options)
    _accounted(row)


def test_broker_restart_while_the_worker_runs(options: scenarios.Options) -> None:
    row = scenarios.broker_restart(options, down_seconds=8)
    _accounted(row)
    assert "kept running" in row.notes[-1]


def test_a_short_soak_accounts_for_everything(options: scenarios.Options) -> None:
    result = scenarios.soak(options, minutes=0.5, load=0.5)
    _accounted(result.row)
    assert result.max_rate > 0 and len(result.samples) >= 4


def test_a_worker_frozen_past_its_session_rejoins_by_itself(options: scenarios.Options) -> None:
    row = scenarios.frozen(options, frozen_seconds=25)
    _accounted(row)
    assert "rejoined by itself" in row.notes[-1]


def test_a_hung_agent_is_restarted_in_place_by_the_stall_watch(
    options: scenarios.Options,
) -> None:
    """The watch must fire, the same process must finish the work, and nothing may be lost
    (before the offset guard, 1 run in 5 lost the first uncommitted record of a partition)."""
    row = scenarios.stall(options)
    _accounted(row)
    # at least once: a partition can stall again for the short limit used here after the
    # restart, and the watch then restarts the worker a second time
    assert re.search(r"restarted itself in place [1-9]\d* time\(s\), pid unchanged", row.notes[-1])
