from __future__ import annotations

from agents.core.alerting import LocalAlerts
from agents.core.detect import Detector, alert_id
from agents.core.rules import parse_rules
from agents.core.schemas import first_error


def _enriched(enricher, text: str, lang: str | None = None, article_id: str = "a1") -> dict:
    article = {"id": article_id, "text": text}
    if lang:
        article["lang"] = lang
    return enricher.enrich(article)


def _rules(kb, body: str) -> LocalAlerts:
    return LocalAlerts(Detector(parse_rules("r.yaml", "rules:\n" + body, kb)))


def test_hindi_sample_fires_china_russia_with_evidence(detector, enricher, hindi_article) -> None:
    enriched = enricher.enrich(hindi_article)
    alerts = {a["rule"]["id"]: a for a in LocalAlerts(detector).alerts_for(enriched)}
    alert = alerts["china-russia"]
    assert first_error("alert.v1", alert) is None
    assert alert["alert_id"] == alert_id("china-russia", "hi-wang-yi-lavrov-call")
    assert [e["id"] for e in alert["matched"]] == ["Q148", "Q159"]
    text = hindi_article["text"]
    together = [s for s in alert["evidence"] if {"Q148", "Q159"} <= set(s["entity_ids"])]
    assert together, "some evidence sentence shows both countries"
    for sentence in alert["evidence"]:
        assert text[sentence["start"] : sentence["end"]] == sentence["text"]
    assert alert["article"]["lang"] == "hi"
    assert alert["timestamps"]["alerted_at"].endswith("Z")


def test_alert_ids_are_deterministic() -> None:
    assert alert_id("r", "a") == alert_id("r", "a")
    assert len({alert_id("r", "a"), alert_id("r", "b"), alert_id("s", "a")}) == 3


def test_sentence_scope_needs_both_in_one_sentence(kb, enricher) -> None:
    detector = _rules(kb, "  - id: s\n    scope: sentence\n    all_of: [US, Iran]\n")
    apart = _enriched(enricher, "The US imposed tariffs. Separately, Iran held elections.", "en")
    together = _enriched(enricher, "The US and Iran met in Oman. Nothing else happened.", "en")
    assert detector.alerts_for(apart) == []
    [alert] = detector.alerts_for(together)
    assert [s["text"] for s in alert["evidence"]] == ["The US and Iran met in Oman."]


def test_any_of_and_none_of(kb, enricher) -> None:
    body = "  - id: r\n    all_of: [China]\n    any_of: [India, Japan]\n    none_of: [Russia]\n"
    assert _rules(kb, body).alerts_for(_enriched(enricher, "China and India signed a deal.", "en"))
    assert not _rules(kb, body).alerts_for(_enriched(enricher, "China signed a deal.", "en"))
    assert not _rules(kb, body).alerts_for(
        _enriched(enricher, "China, India and Russia signed a deal.", "en")
    )


def test_disabled_rules_do_not_fire(kb, enricher) -> None:
    detector = _rules(kb, "  - id: r\n    enabled: false\n    all_of: [China]\n")
    assert detector.alerts_for(_enriched(enricher, "China signed a deal.", "en")) == []


def test_no_alert_without_the_pair(detector, enricher) -> None:
    enriched = _enriched(enricher, "Le Premier ministre indien a inauguré un port.", "fr")
    assert [a["rule"]["id"] for a in LocalAlerts(detector).alerts_for(enriched)] == []
