"""The two Grafana dashboards as code: `python -m agents.dashboards` writes
deploy/grafana/dashboards/*.json, which Grafana provisions at start-up. Every expression here is
queried against a real Prometheus by tests/integration/test_telemetry_on_prometheus.py, and
`newsmon report` draws the same panels from Prometheus into a PNG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Panel = tuple[str, str, list[tuple[str, str]]]  # title, unit, [(PromQL, legend)]

DASHBOARDS_DIR = Path(__file__).resolve().parents[1] / "deploy" / "grafana" / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "newsmon-prometheus"}


def _quantiles(histogram: str) -> list[tuple[str, str]]:
    rate = f"sum by (le) (rate({histogram}_bucket[$__rate_interval]))"
    return [(f"histogram_quantile({q}, {rate})", f"p{round(q * 100)}") for q in (0.5, 0.95, 0.99)]


PIPELINE_HEALTH: list[Panel] = [
    (
        "Throughput: records consumed per agent",
        "reqps",
        [
            ("sum by (agent) (rate(news_articles_in_total[$__rate_interval]))", "{{agent}}"),
        ],
    ),
    (
        "Ingest → enriched latency",
        "s",
        _quantiles("news_ingest_to_enriched_seconds"),
    ),
    (
        "Ingest → alert latency",
        "s",
        _quantiles("news_ingest_to_alert_seconds"),
    ),
    (
        "Consumer lag per topic",
        "short",
        [
            ("sum by (topic) (news_consumer_lag)", "{{topic}}"),
        ],
    ),
    (
        "Dead letters per reason",
        "short",
        [
            (
                "sum by (stage, reason) (increase(news_dead_letters_total[$__range]))",
                "{{stage}} {{reason}}",
            ),
        ],
    ),
    (
        "Errors and webhook failures",
        "short",
        [
            ("sum by (agent) (increase(news_errors_total[$__range]))", "errors {{agent}}"),
            (
                "sum by (result) (increase(news_webhook_deliveries_total[$__range]))",
                "webhook {{result}}",
            ),
        ],
    ),
    (
        "Workers up",
        "short",
        [
            ('sum(up{job="newsmon-worker"})', "scraped"),
            ("sum(news_worker_up)", "agents running"),
        ],
    ),
    (
        "Memory per worker",
        "bytes",
        [
            ("news_process_resident_memory_bytes", "{{instance}}"),
        ],
    ),
    (
        "Rebalances and rule-state keys",
        "short",
        [
            ("sum(increase(news_rebalances_total[$__range]))", "rebalances"),
            ("sum by (table) (news_table_keys)", "{{table}} keys"),
        ],
    ),
]

NEWS_WATCH: list[Panel] = [
    (
        "Alerts per rule",
        "short",
        [
            ('sum by (rule) (increase(news_alerts_total{status="new"}[$__range]))', "{{rule}}"),
        ],
    ),
    (
        "Watched pairs: matching articles per rule",
        "short",
        [
            ("sum by (rule) (increase(news_rule_matches_total[$__range]))", "{{rule}}"),
        ],
    ),
    (
        "Story updates (syndicated copies folded)",
        "short",
        [
            ('sum by (rule) (increase(news_alerts_total{status="update"}[$__range]))', "{{rule}}"),
        ],
    ),
    (
        "Articles per language",
        "reqps",
        [
            ("sum by (lang) (rate(news_articles_out_total[$__rate_interval]))", "{{lang}}"),
        ],
    ),
    (
        "Top-level topics",
        "short",
        [
            ("sum by (subject) (increase(news_topics_total[$__range]))", "{{subject}}"),
        ],
    ),
    (
        "Entities per type",
        "short",
        [
            ("sum by (type) (increase(news_entities_total[$__range]))", "{{type}}"),
        ],
    ),
]


DASHBOARDS = (
    ("newsmon-pipeline", "newsmon: Pipeline health", PIPELINE_HEALTH),
    ("newsmon-news", "newsmon: News watch", NEWS_WATCH),
)


def dashboard(uid: str, title: str, panels: list[Panel]) -> dict[str, Any]:
    built = []
    for n, (name, unit, targets) in enumerate(panels):
        built.append(
            {
                "id": n + 1,
                "type": "timeseries",
                "title": name,
                "datasource": DATASOURCE,
                "gridPos": {"h": 8, "w": 12, "x": 12 * (n % 2), "y": 8 * (n // 2)},
                "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                "targets": [
                    {
                        "refId": chr(65 + i),
                        "datasource": DATASOURCE,
                        "expr": expr,
                        "legendFormat": legend,
                    }
                    for i, (expr, legend) in enumerate(targets)
                ],
            }
        )
    return {
        "uid": uid,
        "title": title,
        "tags": ["newsmon"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "refresh": "10s",
        "time": {"from": "now-1h", "to": "now"},
        "panels": built,
    }


def main() -> None:
    out = DASHBOARDS_DIR
    out.mkdir(exist_ok=True)
    for uid, title, panels in DASHBOARDS:
        path = out / f"{uid}.json"
        path.write_text(
            json.dumps(dashboard(uid, title, panels), indent=2) + "\n", encoding="utf-8"
        )
        print(path)


if __name__ == "__main__":
    main()
