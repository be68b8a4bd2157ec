"""The story directory in chunks: what is read back is what was written, whatever the change,
and the changes the alert folder makes rewrite a chunk or two, not the directory."""

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


def _layout_is_tidy(store: dict[str, Any], rule_id: str) -> None:
    header = store[f"{rule_id}|stories"]
    chunk_keys = sorted(k for k in store if k.startswith(f"{rule_id}|stories|"))
    assert chunk_keys == sorted(f"{rule_id}|stories|{n}" for n in header["chunks"])
    assert all(0 < len(store[key]) <= CHUNK for key in chunk_keys)


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
            header = store["r|stories"]
            chunk_keys = sorted(k for k in store if k.startswith("r|stories|"))
            assert chunk_keys == sorted(f"r|stories|{n}" for n in header["chunks"])
            assert all(0 < len(store[key]) <= 3 for key in chunk_keys)
    finally:
        storydirectory.CHUNK = saved


def test_a_new_story_at_the_cap_rewrites_two_chunks_not_the_directory() -> None:
    store = Recording()
    directory = StoryDirectory(store, "r")
    ids = [f"story-{n:04d}" for n in range(1000)]
    directory.write(ids)
    store.clear_log()
    ids = [*ids[1:], "story-new"]  # the folder's change: the oldest capped, the new one listed
    directory.write(ids)
    assert directory.read() == ids
    assert len(store.written) <= 3  # the first chunk, the last (or a new one), maybe the header
    assert sum(len(store[key]) for key in store.written if key != "r|stories") <= 2 * CHUNK
    store.clear_log()
    directory.write(ids)  # unchanged: nothing written
    assert store.written == [] and store.deleted == []
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
