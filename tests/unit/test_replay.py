"""newsmon replay without Kafka: the checks, the pacing grid and the summary."""

from __future__ import annotations

import io

import orjson

from agents.ingest.replay import EXAMPLES, Pacer, replay
from agents.ingest.sink import ListSink


class FakeClock:
    """Time that moves only when slept (and by what the test says a send costs)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def article(n: int) -> bytes:
    return orjson.dumps({"id": f"r{n}", "text": f"Article number {n}."})


def test_unthrottled_pacer_never_sleeps() -> None:
    clock = FakeClock()
    pacer = Pacer(None, clock, clock.sleep)
    for _ in range(5):
        pacer.wait()
    assert clock.sleeps == [] and pacer.batch_size() > 100


def test_pacer_spaces_sends_on_a_grid_and_catches_up_after_a_slow_one() -> None:
    clock = FakeClock()
    pacer = Pacer(4.0, clock, clock.sleep)
    pacer.wait()  # t=0: at once
    pacer.wait()  # t=0.25
    clock.now += 0.6  # a slow send
    pacer.wait()  # due at 0.5, already late: no sleep
    pacer.wait()  # due at 0.75, now 0.85: no sleep
    pacer.wait()  # due at 1.0
    assert clock.sleeps == [0.25, 0.15]
    assert Pacer(4.0).batch_size() == 1 and Pacer(1000.0).batch_size() == 100


def test_replay_sends_good_lines_and_summarises_rejections() -> None:
    lines = [article(1), b"{broken", b"", article(2), b'{"id": "x"}', b"\xff\xfe", article(3)]
    source = io.BytesIO(b"\n".join(lines) + b"\n")
    sink, ticks = ListSink(), []
    clock = FakeClock()
    summary = replay(
        source, sink, Pacer(10.0, clock, clock.sleep), progress=lambda: ticks.append(1)
    )
    assert [key for key, _ in sink.messages] == [b"r1", b"r2", b"r3"]
    assert [value for _, value in sink.messages] == [article(1), article(2), article(3)]
    assert (summary.lines, summary.sent, len(ticks)) == (6, 3, 7)
    assert dict(summary.rejected) == {"not_json": 1, "schema_violation": 1, "not_utf8": 1}
    assert [(n, r.reason) for n, r in summary.examples] == [
        (2, "not_json"),
        (5, "schema_violation"),
        (6, "not_utf8"),
    ]
    text = summary.report("in.jsonl", "news.articles.raw")
    first = text.splitlines()[0]
    assert first.startswith("in.jsonl: read 6 lines, sent 3 to news.articles.raw, rejected 3")
    assert "  line 5: schema_violation: (document): 'text' is a required property" in text


def test_the_summary_lists_only_the_first_rejections() -> None:
    source = io.BytesIO(b"\n".join([b"nope"] * (EXAMPLES + 3)))
    summary = replay(source, ListSink(), Pacer(None))
    lines = summary.report("f", "t").splitlines()
    assert len(lines) == 1 + EXAMPLES + 1 and lines[-1] == "  ... and 3 more"
