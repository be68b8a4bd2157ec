"""Reliability scenarios on a real broker: bad input, crashes, scale-out, broker restarts, soak.

``workload`` builds the messages, ``ledger`` accounts for every one of them (pure), ``scenarios``
drives a throwaway cluster (agents.harness), ``report`` writes docs/reliability.md.
"""

NAMES = (
    "bad-input",
    "crash",
    "scale-out",
    "broker-restart",
    "frozen",
    "stall",
)  # in the order they run
