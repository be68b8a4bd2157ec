"""The demo sends the samples under ids of its own run, so a second run shows alerts too."""

import orjson

from agents.demo import SAMPLES, this_run


def test_each_run_sends_the_samples_under_its_own_ids() -> None:
    first, second = this_run(SAMPLES.read_bytes(), "r1"), this_run(SAMPLES.read_bytes(), "r2")
    ids = [orjson.loads(line)["id"] for line in first]
    assert "hi-wang-yi-lavrov-call@r1" in ids and len(ids) == 6
    assert {orjson.loads(line)["id"] for line in second}.isdisjoint(ids)
    assert [orjson.loads(a)["text"] for a in first] == [orjson.loads(b)["text"] for b in second]


def test_lines_that_are_not_articles_are_sent_unchanged() -> None:
    samples = b'{"id": "a", "text": "x"}\n\n{not json\n[1, 2]\n{"text": "no id"}\n'
    assert this_run(samples, "r") == [
        orjson.dumps({"id": "a@r", "text": "x"}),
        b"{not json",
        b"[1, 2]",
        b'{"text": "no id"}',
    ]
