"""Child processes that end with the process that started them.

A test session or a demo killed outright (SIGKILL, a CI time limit) runs no clean-up, and its
Kafka broker and workers would live on, polling and holding ports. On Linux the kernel can send
the child a signal when its parent dies (prctl PR_SET_PDEATHSIG); elsewhere nothing is set.
"""

from __future__ import annotations

import ctypes
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def ended_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` for ``subprocess.Popen``: SIGTERM when the starting thread's process
    ends. Start such children from the main thread: the kernel watches the thread that forked."""
    if not sys.platform.startswith("linux"):
        return None
    return _ask_for_sigterm_on_parent_death


def _ask_for_sigterm_on_parent_death() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
