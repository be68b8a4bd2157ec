"""The story directory in chunks: what is read back is what was written, whatever the change,
and the change the alert folder makes most (a new story at the cap) writes only the header."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.core import storydirectory
from agents.core.storydirectory import CHUNK, StoryDirectory


class Recording(dict[str, Any]):
    """A dict that remembers which keys were written or deleted since the last ``clear_log``."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[str] = []
        self.deleted: list[str] = []

    def __setitem__(self, key: str, value: Any) -> None:
        self.written.append(key)
        super().__setitem__(key, value)

    def pop(self, key: str, *default: Any) -> Any:
        self.deleted.append(key)
        return super().pop(key, *default)

    def clear_log(self) -> None:
        self.written.clear()
        self.deleted.clear()


def _layout_is_tidy(store: dict[str, Any], rule_id: str, chunk: int = CHUNK) -> None:
    """Every chunk listed and none left behind, none empty or over ``chunk`` ids, the skipped
    ids fewer than the first chunk holds, the tail shorter than a chunk."""
    header = store[f"{rule_id}|stories"]
    chunk_keys = sorted(k for k in store if k.startswith(f"{rule_id}|stories|"))
    assert chunk_keys == sorted(f"{rule_id}|stories|{n}" for n in header["chunks"])
    assert all(0 < len(store[key]) <= chunk for key in chunk_keys)
    assert header["chunks"] == sorted(header["chunks"])
    first = store[f"{rule_id}|stories|{header['chunks'][0]}"] if header["chunks"] else []
    assert 0 <= header["skip"] < max(1, len(first))
    assert len(header["tail"]) < chunk


IDS = st.lists(st.sampled_from([f"s{n}" for n in range(12)]), max_size=20)


@settings(max_examples=300, deadline=None)
@given(first=IDS, changes=st.lists(st.tuples(st.integers(0, 3), IDS, IDS), max_size=8))
def test_what_is_written_is_read_back_and_no_chunk_is_left_behind(
    first: list[str], changes: list[tuple[int, list[str], list[str]]]
) -> None:
    """Each change keeps some of the ids (every ``keep``-th, or an unrelated list) and appends
    others; ids may repeat, as a reopened story's id does in the folder's directory."""
    saved = storydirectory.CHUNK
    storydirectory.CHUNK = 3
    try:
        store: dict[str, Any] = {}
        directory = StoryDirectory(store, "r")
        directory.write(first)
        assert directory.read() == first
        for keep, unrelated, appended in changes:
            current = directory.read()
            kept = unrelated if keep == 0 else current[::keep]
            directory.write(kept + appended)
            assert directory.read() == kept + appended
            _layout_is_tidy(store, "r", chunk=3)
    finally:
        storydirectory.CHUNK = saved


def test_new_stories_at_the_cap_write_the_header_and_a_chunk_now_and_then() -> None:
    store = Recording()
    directory = StoryDirectory(store, "r")
    ids = [f"story-{n:04d}" for n in range(1000)]
    directory.write(ids)
    writes = []
    for n in range(2 * CHUNK):
        store.clear_log()
        ids = [*ids[1:], f"new-{n}"]  # the folder's change: the oldest capped, the new listed
        directory.write(ids)
        assert directory.read() == ids
        writes.append(list(store.written) + [f"deleted {key}" for key in store.deleted])
        _layout_is_tidy(store, "r")
    assert all("r|stories" in written for written in writes)  # the header counts every write
    assert sum(len(written) for written in writes) <= 2 * CHUNK + 4  # two full tails, two firsts
    store.clear_log()
    directory.write(ids)  # unchanged: nothing written
    assert store.written == [] and store.deleted == []


def test_an_id_gone_from_the_middle_rewrites_its_chunk_and_counts_a_write() -> None:
    store = Recording()
    directory = StoryDirectory(store, "r")
    ids = [f"s{n}" for n in range(3 * CHUNK + 5)]
    directory.write(ids)
    before = store["r|stories"]["writes"]
    store.clear_log()
    ids.remove(f"s{CHUNK + 3}")  # an expiry out of order: the second chunk loses one
    directory.write(ids)
    assert directory.read() == ids
    assert set(store.written) == {"r|stories|1", "r|stories"}
    assert store["r|stories"]["writes"] == before + 1
    _layout_is_tidy(store, "r")


def test_the_layout_before_chunks_is_read_and_replaced_at_the_next_write() -> None:
    store: dict[str, Any] = {"r|stories": ["a", "b", "c"], "other|stories": ["x"]}
    directory = StoryDirectory(store, "r")
    assert directory.read() == ["a", "b", "c"]
    directory.write(["b", "c", "d"])
    assert directory.read() == ["b", "c", "d"]
    assert isinstance(store["r|stories"], dict)
    _layout_is_tidy(store, "r")
    assert store["other|stories"] == ["x"]  # another rule's directory is its own
    assert StoryDirectory(store, "other").read() == ["x"]
    assert StoryDirectory(store, "none").read() == []
