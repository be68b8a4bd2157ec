"""docker-compose.yml cannot run here (no Docker engine): check what can be checked without it."""

from __future__ import annotations

import re

import yaml

from agents.settings import load_settings
from tests.conftest import REPO


def _compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_parses_and_has_the_stack() -> None:
    services = _compose()["services"]
    assert set(services) == {"kafka", "worker", "prometheus", "grafana"}
    for service in services.values():
        assert "image" in service or "build" in service


def test_compose_files_exist() -> None:
    compose = _compose()
    assert (REPO / compose["services"]["worker"]["build"]["dockerfile"]).is_file()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            host = volume.split(":", 1)[0]
            assert (REPO / host).exists(), host


def test_worker_environment_is_read_by_the_code() -> None:
    worker = _compose()["services"]["worker"]
    source = "\n".join(p.read_text() for p in (REPO / "agents").rglob("*.py"))
    used = set(re.findall(r'"(NEWSMON_[A-Z_]+)"', source))
    assert set(worker["environment"]) <= used
    settings = load_settings({k: str(v) for k, v in worker["environment"].items()})
    assert settings.broker == "kafka:9092"
    assert settings.web_host == "0.0.0.0"


def test_worker_command_exists_in_the_cli() -> None:
    from agents.cli import _parser

    command = _compose()["services"]["worker"]["command"]
    assert _parser().parse_args(command).command == "worker"


def test_dockerfile_environment_is_read_by_the_code() -> None:
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    source = "\n".join(p.read_text() for p in (REPO / "agents").rglob("*.py"))
    for name in re.findall(r"(NEWSMON_[A-Z_]+)=", dockerfile):
        assert f'"{name}"' in source, name


def test_committed_dashboards_are_what_the_code_makes() -> None:
    import json

    from agents.dashboards import DASHBOARDS, DASHBOARDS_DIR, dashboard

    for uid, title, panels in DASHBOARDS:
        committed = json.loads((DASHBOARDS_DIR / f"{uid}.json").read_text())
        made = json.loads(json.dumps(dashboard(uid, title, panels)))
        assert committed == made, "run python -m agents.dashboards"


def test_compose_provisions_dashboards_and_alert_rules() -> None:
    import yaml

    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    mounts = [
        *compose["services"]["grafana"]["volumes"],
        *compose["services"]["prometheus"]["volumes"],
    ]
    for path in ("./deploy/grafana/dashboards", "./deploy/prometheus/alerts.yml"):
        assert any(mount.startswith(path + ":") for mount in mounts), path
        assert (REPO / path).exists()
