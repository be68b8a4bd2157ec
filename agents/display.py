"""Alerts as a person reads them in a terminal: rule, article, entities, marked evidence."""

from __future__ import annotations

from typing import Any

_SEVERITY_COLOUR = {"critical": "1;31", "high": "31", "medium": "33", "low": "36", "info": "37"}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if colour else text


def mark_mentions(sentence: dict[str, Any], entities: list[dict[str, Any]], colour: bool) -> str:
    """The sentence with each matched mention wrapped in [brackets] (or bold)."""
    start, text = sentence["start"], sentence["text"]
    spans = sorted(
        (m["start"] - start, m["end"] - start)
        for entity in entities
        for m in entity["mentions"]
        if sentence["start"] <= m["start"] and m["end"] <= sentence["end"]
    )
    out, position = [], 0
    for begin, end in spans:
        if begin < position:
            continue
        out.append(text[position:begin])
        out.append(_paint(text[begin:end], "1", colour) if colour else f"[{text[begin:end]}]")
        position = end
    out.append(text[position:])
    return "".join(out)


def format_alert(alert: dict[str, Any], colour: bool = False) -> str:
    rule, article = alert["rule"], alert["article"]
    severity = rule.get("severity", "medium")
    head = _paint(
        f"ALERT {severity.upper()} {rule['id']}", _SEVERITY_COLOUR.get(severity, "0"), colour
    )
    status = ""
    if alert.get("status") == "update":
        story = alert.get("story") or {}
        status = f"  UPDATE: {story.get('copies')} copies from {story.get('outlets')} outlets"
    lines = [
        f"{head}  ({alert['alert_id'][:12]}, rule version {rule.get('version', '-')}){status}",
        f"  article  {article['id']} [{article.get('lang')}] {article.get('title') or ''}".rstrip(),
    ]
    if article.get("url"):
        lines.append(f"  url      {article['url']}")
    matched = ", ".join(
        f"{e['name']} ({e['id']}) via {', '.join(sorted({m['text'] for m in e['mentions']}))}"
        for e in alert["matched"]
    )
    lines.append(f"  matched  {matched}")
    if alert.get("reason"):
        lines.append(f"  why      {alert['reason']}")
    for sentence in alert["evidence"]:
        lines.append(f"  evidence {mark_mentions(sentence, alert['matched'], colour)}")
    times = alert["timestamps"]
    published, ingested = times.get("published_at") or "-", times.get("ingested_at") or "-"
    lines.append(
        f"  times    published {published} | ingested {ingested} | alerted {times['alerted_at']}"
    )
    return "\n".join(lines)
