"""Dedup keys: the canonical form of an article URL, the article id it gives, and a content hash.

Feeds link one story in many spellings (tracking parameters, fragments, host case, a trailing
slash), and syndication repeats one text under many URLs; keying on both catches each.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that only say where a click came from; utm_* is matched by prefix.
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "ref_src"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters, the
    remaining parameters sorted, no trailing slash (except the root path)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(key)
    )
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMS


def article_id(canonical: str) -> str:
    """A stable id from the canonical URL: the same story polled twice gets the same id, which
    the pipeline's own replay protection relies on."""
    return "url:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def content_hash(text: str) -> str:
    """Hash of the text with case and whitespace folded, so reflowed copies still collide."""
    folded = " ".join(text.casefold().split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()
