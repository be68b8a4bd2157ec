"""Import the IPTC Media Topics vocabulary (CC BY 4.0) into agents/data/iptc/.

Run once when IPTC publishes a new version: ``newsmon tags import-vocabulary PATH`` with PATH
the ``mediatopics.jsonl`` made from IPTC's NewsCodes spreadsheet. Only live (not retired)
concepts are kept, with their names in every locale IPTC gives and the English definition.
"""

from __future__ import annotations

from pathlib import Path

import orjson

VOCABULARY = Path(__file__).parent / "data" / "iptc" / "mediatopics.jsonl"


def import_vocabulary(source: Path, target: Path = VOCABULARY) -> int:
    kept = []
    for line in source.read_bytes().splitlines():
        if not line.strip():
            continue
        row = orjson.loads(line)
        if row.get("retired"):
            continue
        kept.append(
            {
                "qcode": row["qcode"],
                "level": row["level"],
                "parent": row.get("parent"),
                "names": row["names"],
                "definition": (row.get("definitions") or {}).get("en-GB"),
            }
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in kept))
    return len(kept)
