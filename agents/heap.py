"""The process heap after start-up."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Put what start-up built out of the cyclic collector's sight (``gc.freeze``).

    The knowledge base, the matchers and spaCy's models are some 430,000 tracked objects that
    live as long as the process. Each full collection walked them all: in a 5,000-article drain
    one took 0.5 s with the GIL held, so every thread of the worker stood still (frozen, the
    longest was 61 ms). Frozen objects are still freed by reference counting; only a cycle
    among them would outlive its use."""
    gc.collect()
    gc.freeze()
