"""``newsmon``: the one command line for the worker, the batch commands and the local Kafka."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from agents.errors import NewsmonError
from agents.kafka.security import use as use_kafka_security
from agents.reliability.run import add_arguments as scenario_arguments
from agents.settings import REPO_ROOT, Settings, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsmon", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("demo", help="local Kafka + worker + sample news, alerts on screen")
    worker = commands.add_parser("worker", help="run a Faust worker (both agents)")
    worker.add_argument("--loglevel", default="info")

    kafka = commands.add_parser("kafka", help="the embedded single-node Kafka")
    kafka.add_argument("action", choices=["start", "stop", "status", "fetch"])
    commands.add_parser("topics", help="create the newsmon topics if missing")

    enrich = commands.add_parser("enrich", help="raw-article JSONL -> enriched JSONL")
    enrich.add_argument("--input", default="-")
    enrich.add_argument("--output", default="-")
    enrich.add_argument("--no-ner", action="store_true", help="skip English statistical NER")

    detect = commands.add_parser("detect", help="enriched JSONL -> alert JSONL")
    detect.add_argument("--rules", type=Path, default=None)
    detect.add_argument("--input", default="-")
    detect.add_argument("--output", default="-")

    rules = commands.add_parser("rules", help="watch rules")
    rules_commands = rules.add_subparsers(dest="rules_command", required=True)
    validate = rules_commands.add_parser("validate", help="check a rule file")
    validate.add_argument("file", type=Path)
    listing = rules_commands.add_parser(
        "list", help="the rules in force (last applied, else NEWSMON_RULES)"
    )
    listing.add_argument("--file", type=Path, default=None, help="list this file instead")
    apply = rules_commands.add_parser(
        "apply", help="validate a rule file and make it the rule set of every running worker"
    )
    apply.add_argument("file", type=Path)
    test = rules_commands.add_parser("test", help="which articles of a JSONL file a rule fires on")
    test.add_argument("rule", help="rule id")
    test.add_argument("--input", required=True, help="raw or enriched article JSONL (- = stdin)")
    test.add_argument("--rules", type=Path, default=None, help="rule file (default NEWSMON_RULES)")
    test.add_argument("--no-ner", action="store_true", help="skip English statistical NER")

    kb = commands.add_parser("kb", help="the knowledge base of canonical entities")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True)
    build = kb_commands.add_parser("build", help="write the assembled knowledge base as JSONL")
    build.add_argument("--output", default="-")
    kb_commands.add_parser("stats", help="counts by type and language")
    lookup = kb_commands.add_parser("lookup", help="resolve a name, code or id")
    lookup.add_argument("name")

    tags = commands.add_parser("tags", help="IPTC Media Topics tags")
    tags_commands = tags.add_subparsers(dest="tags_command", required=True)
    tag = tags_commands.add_parser("text", help="tag text from stdin or --text")
    tag.add_argument("--text", default=None)
    tag.add_argument("--lang", default=None, help="language (detected if not given)")
    importer = tags_commands.add_parser(
        "import-vocabulary", help="refresh agents/data/iptc from IPTC's mediatopics.jsonl"
    )
    importer.add_argument("path", type=Path)

    report = commands.add_parser("report", help="draw the dashboards from Prometheus to a PNG")
    report.add_argument("--prometheus", default="http://127.0.0.1:9090")
    report.add_argument("--out", type=Path, default=Path("newsmon-dashboards.png"))
    report.add_argument("--minutes", type=int, default=30)

    evaluate = commands.add_parser("eval", help="accuracy and speed on ../shared/corpora")
    evaluate.add_argument("what", choices=["entities", "topics", "romanization"])
    evaluate.add_argument("--shared", type=Path, default=REPO_ROOT.parent / "shared")
    evaluate.add_argument("--out", type=Path, default=None, help="Markdown report file")
    evaluate.add_argument("--limit", type=int, default=None, help="documents per corpus")
    evaluate.add_argument("--no-ner", action="store_true")

    scenario_arguments(
        commands.add_parser(
            "scenarios", help="reliability scenarios on a throwaway broker -> docs/reliability.md"
        )
    )

    produce = commands.add_parser("produce", help="send raw-article JSONL lines to the raw topic")
    produce.add_argument("file", type=Path)

    feeds = commands.add_parser("feeds", help="poll RSS/Atom feeds into the raw topic")
    feeds_commands = feeds.add_subparsers(dest="feeds_command", required=True)
    for action, text in (("run", "poll the feeds"), ("validate", "check the feed file")):
        feeds_action = feeds_commands.add_parser(action, help=text)
        feeds_action.add_argument(
            "--config", type=Path, default=None, help="default NEWSMON_FEEDS or config/feeds.yaml"
        )
    feeds_run = feeds_commands.choices["run"]
    feeds_run.add_argument("--once", action="store_true", help="poll every feed once, then exit")
    feeds_run.add_argument(
        "--state", type=Path, default=None, help="dedup database (NEWSMON_HOME/feeds.sqlite3)"
    )
    replay = commands.add_parser("replay", help="send raw-article JSONL, checked, with progress")
    replay.add_argument("file", type=Path)
    replay.add_argument("--rate", type=float, default=None, help="articles/s (default: no limit)")

    alerts = commands.add_parser("alerts", help="alerts on the alert topic")
    alerts_commands = alerts.add_subparsers(dest="alerts_command", required=True)
    tail = alerts_commands.add_parser("tail", help="print alerts as they arrive")
    tail.add_argument("--rule", help="only this rule id")
    tail.add_argument("--from-beginning", action="store_true")
    tail.add_argument("--json", action="store_true", help="one JSON alert per line")
    tail.add_argument(
        "--idle-exit",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop after this long without an alert",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    logging.getLogger("kafka").setLevel(logging.WARNING)
    try:
        settings = load_settings()
        use_kafka_security(settings.kafka)
        return _dispatch(args, settings)
    except NewsmonError as exc:
        print(f"newsmon: error: {exc}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from agents import commands
    from agents.ingest import commands as ingest
    from agents.reliability.run import run as run_scenarios

    handlers = {
        "demo": commands.demo,
        "worker": commands.worker,
        "kafka": commands.kafka,
        "topics": commands.topics,
        "enrich": commands.enrich,
        "detect": commands.detect,
        "rules": commands.rules,
        "produce": commands.produce,
        "kb": commands.kb,
        "eval": commands.evaluate,
        "tags": commands.tags,
        "report": commands.report,
        "alerts": commands.alerts,
        "feeds": ingest.feeds,
        "replay": ingest.replay,
        "scenarios": lambda args, _: run_scenarios(args),
    }
    return handlers[args.command](args, settings)
