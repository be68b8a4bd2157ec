"""The main text of an article page (trafilatura): boilerplate, menus and comments left out."""

from __future__ import annotations

import trafilatura


def extract_main_text(page: bytes, url: str) -> str | None:
    """Plain text paragraphs, or None when the page has no article text (a script shell, a
    paywall stub). trafilatura decodes the bytes itself, honouring the page's declared charset.

    The headline is dropped from the body (the feed's title goes in the article's ``title``):
    syndicated copies often retitle a story, and the content hash should still match them."""
    document = trafilatura.bare_extraction(
        page,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        deduplicate=False,  # its cache is process-wide: a retried page would come back empty
    )
    text = (getattr(document, "text", None) or "").strip()
    title = (getattr(document, "title", None) or "").strip()
    first, _, rest = text.partition("\n")
    if title and first.strip() == title:
        text = rest.strip()
    return text or None
