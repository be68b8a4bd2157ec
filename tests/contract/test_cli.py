"""The command line as a user meets it: exit codes and messages for bad configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def newsmon(*args: str, env: dict[str, str] | None = None, stdin: bytes | None = None):
    return subprocess.run(
        [sys.executable, "-m", "agents", *args],
        capture_output=True,
        input=stdin,
        timeout=300,
        env={**os.environ, **(env or {})},
        cwd=REPO,
        check=False,
    )


def _bad_rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - id: pair\n    all_of: [China, Atlantis]\n")
    return path


def test_worker_refuses_to_start_on_a_bad_rule_file(tmp_path: Path) -> None:
    path = _bad_rules(tmp_path)
    result = newsmon("worker", env={"NEWSMON_RULES": str(path), "NEWSMON_NER": "false"})
    assert result.returncode == 2
    assert (
        f"{path}:3: [rule 'pair' field 'all_of[1]'] unknown entity 'Atlantis'"
        in result.stderr.decode()
    )


def test_rules_validate_reports_and_fails(tmp_path: Path) -> None:
    result = newsmon("rules", "validate", str(_bad_rules(tmp_path)))
    assert result.returncode == 2
    assert "unknown entity 'Atlantis'" in result.stderr.decode()
    good = newsmon("rules", "validate", str(REPO / "config" / "rules.yaml"))
    assert good.returncode == 0
    line = next(li for li in good.stdout.decode().splitlines() if li.startswith("china-russia "))
    assert line.split()[1] == "high"
    assert "article: China + Russia; one alert per story" in line


def test_bad_environment_value_is_named() -> None:
    result = newsmon("rules", "validate", "config/rules.yaml", env={"NEWSMON_WEB_PORT": "eighty"})
    assert result.returncode == 2
    assert "[NEWSMON_WEB_PORT] expected a whole number, got 'eighty'" in result.stderr.decode()


def test_enrich_then_detect_through_pipes() -> None:
    samples = (REPO / "config" / "samples" / "articles.jsonl").read_bytes()
    enriched = newsmon("enrich", "--no-ner", stdin=samples + b"not json\n")
    assert enriched.returncode == 0
    assert b"line 7: not_json" in enriched.stderr
    assert len(enriched.stdout.splitlines()) == len(samples.splitlines())
    alerts = newsmon("detect", stdin=enriched.stdout)
    assert alerts.returncode == 0
    assert b'"id":"china-russia"' in alerts.stdout


def test_rules_test_says_which_articles_fire_and_why() -> None:
    result = newsmon(
        "rules", "test", "china-russia", "--input", "config/samples/articles.jsonl", "--no-ner"
    )
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    hindi = out.split("hi-wang-yi-lavrov-call", 1)[1].split("illustrative-en-1", 1)[0]
    assert "MATCH  China, Russia in the same article" in hindi
    assert "⟦रूस⟧-⟦चीन⟧" in hindi
    assert "ALERT" in hindi
    french = out.split("illustrative-fr-1", 1)[1]
    assert "no match: missing China, Russia" in french
    assert out.strip().endswith(
        "rule china-russia: 6 articles, 4 matched, 4 new alerts, 0 story updates, 0 lines rejected"
    )


def test_rules_test_of_an_unknown_rule_fails_clearly() -> None:
    result = newsmon("rules", "test", "no-such-rule", "--input", "config/samples/articles.jsonl")
    assert result.returncode == 2
    assert "no rule 'no-such-rule' in" in result.stderr.decode()


def test_rules_list_of_a_file_shows_each_rule_and_how_it_fires() -> None:
    result = newsmon("rules", "list", "--file", "config/rules.yaml")
    assert result.returncode == 0
    out = result.stdout.decode()
    assert ">= 5 articles from >= 3 sources in 6h" in out
    assert "spike: 1h rate >= 3x the 1d baseline" in out
    assert "within 30 tokens: India + Pakistan" in out
