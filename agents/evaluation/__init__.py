"""Offline evaluation of newsmon against the team's shared corpora (``newsmon eval ...``).

Corpora are read in place from the ``shared`` folder; nothing from them is copied into the repo.
"""
