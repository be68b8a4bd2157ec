"""Getting news in: the feed poller, the HTTP ingest endpoint and file replay.

Pure parts (URL canonicalisation and dedup keys, the back-off schedule, feed parsing and the
item-to-article mapping, request checking) live in modules that do no I/O, so they unit-test
without a server; ``fetch``, ``poller``, ``sink``, ``state`` and ``web`` do the talking.
"""
