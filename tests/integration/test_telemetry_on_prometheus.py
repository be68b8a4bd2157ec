"""A real Prometheus scrapes the session's real worker: every dashboard query and every alerting
rule must parse and return data (a panel that shows nothing is a bug).

Runs after the rules tests (which restart the worker): it sends the traffic its panels need.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator

import orjson
import pytest
import yaml

from agents.processes import ended_with_parent
from tests.conftest import REPO
from tests.integration.conftest import Worker, free_port

pytestmark = pytest.mark.integration
DASHBOARDS_DIR = REPO / "deploy" / "grafana" / "dashboards"
ALERT_RULES = REPO / "deploy" / "prometheus" / "alerts.yml"
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__range": "1h", "$__interval": "15s"}
COMPARISON = re.compile(r"\s(==|!=|>=|<=|>|<)\s*[-0-9.]+\s*$")


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def prometheus(worker: Worker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("prometheus")
    assert binary, "prometheus is not installed: make test installs it (deploy/install-prereqs.sh)"
    home = tmp_path_factory.mktemp("prometheus")
    port = free_port()
    metrics_port = worker.env["NEWSMON_WEB_PORT"]
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(ALERT_RULES)],
        "scrape_configs": [
            {
                "job_name": "newsmon-worker",
                "static_configs": [{"targets": [f"127.0.0.1:{metrics_port}"]}],
            }
        ],
    }
    (home / "prometheus.yml").write_text(yaml.safe_dump(config))
    log = open(home / "prometheus.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={home / 'prometheus.yml'}",
            f"--storage.tsdb.path={home / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=ended_with_parent(),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, (home / "prometheus.log").read_text()[-3000:]
        try:
            if urllib.request.urlopen(f"{url}/-/ready", timeout=2).status == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "prometheus did not get ready"
        time.sleep(0.5)
    yield url
    process.terminate()
    process.wait(30)
    log.close()


def query(prometheus: str, expr: str) -> list[dict]:
    answer = _get(f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
    assert answer["status"] == "success", (expr, answer)
    return answer["data"]["result"]


def has_numbers(result: list[dict]) -> bool:
    return any(not math.isnan(float(series["value"][1])) for series in result)


def dashboard_expressions() -> list[tuple[str, str]]:
    found = []
    for path in sorted(DASHBOARDS_DIR.glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                expr = target["expr"]
                for variable, value in GRAFANA_VARIABLES.items():
                    expr = expr.replace(variable, value)
                found.append((f"{path.stem}: {panel['title']}", expr))
    return found


def alert_expressions() -> list[tuple[str, str]]:
    groups = yaml.safe_load(ALERT_RULES.read_text())["groups"]
    return [(rule["alert"], rule["expr"]) for group in groups for rule in group["rules"]]


def send_traffic(worker: Worker) -> None:
    """What the panels show: articles in several languages, entities, topics, a dead letter,
    a rule match, a new alert and a story update."""
    story = (
        "Russia and China agreed to expand their strategic partnership, the foreign ministers "
        "said after talks in Moscow on energy supplies and nuclear power cooperation."
    )
    articles = [
        {"id": "tel-1", "text": story, "lang": "en", "source": "wire.example"},
        {"id": "tel-2", "text": story + " Reporting by staff.", "source": "daily.example"},
        {"id": "tel-3", "text": "Die Zentralbank hob den Leitzins an, die Inflation steigt."},
        {"id": "tel-4", "text": "भारत और पाकिस्तान के बीच बातचीत हुई।"},
    ]
    worker.produce(worker.topics.raw, [orjson.dumps(a) for a in articles] + [b"{broken"])


def test_every_dashboard_query_and_alert_rule_returns_data(prometheus, worker) -> None:
    scraped = time.monotonic() + 60
    while not has_numbers(query(prometheus, 'up{job="newsmon-worker"} == 1')):
        assert time.monotonic() < scraped, "prometheus never scraped the worker"
        time.sleep(0.5)
    time.sleep(2)  # a few samples before the traffic, so that rates see it arrive
    send_traffic(worker)
    expressions = dashboard_expressions()
    assert len(expressions) >= 15
    rules = alert_expressions()
    assert {name for name, _ in rules} >= {
        "NewsmonWorkerDown",
        "NewsmonConsumerLagGrowing",
        "NewsmonDeadLetterRate",
        "NewsmonNoArticles",
    }
    deadline = time.monotonic() + 120
    while True:
        empty = [name for name, expr in expressions if not has_numbers(query(prometheus, expr))]
        empty += [
            name
            for name, expr in rules
            if not query(prometheus, COMPARISON.sub("", expr))  # the measured side of the rule
        ]
        if not empty:
            break
        assert time.monotonic() < deadline, f"panels or rules without data: {empty}"
        time.sleep(2)
    loaded = _get(f"{prometheus}/api/v1/rules")["data"]["groups"]
    assert sum(len(group["rules"]) for group in loaded) == len(rules)
    assert all(rule["health"] == "ok" for g in loaded for rule in g["rules"]), loaded


def test_no_stale_series_after_a_rebalance(prometheus, worker) -> None:
    """Lag series are exactly the partitions the worker owns now."""
    owned = query(prometheus, "news_consumer_lag")
    partitions = {(s["metric"]["topic"], s["metric"]["partition"]) for s in owned}
    assert partitions, "lag is reported"
    assert len(partitions) == len(owned), "one series per owned partition"
    assert {topic for topic, _ in partitions} >= {worker.topics.raw, worker.topics.matches}
    assert query(prometheus, "news_rebalances_total")
