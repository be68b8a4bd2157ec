"""One handler per CLI command; imports stay inside so that each command loads only what it uses."""

from __future__ import annotations

import argparse
import sys

import orjson

from agents.settings import REPO_ROOT, Settings


def demo(args: argparse.Namespace, settings: Settings) -> int:
    from agents.demo import run_demo

    return run_demo(settings, colour=sys.stdout.isatty())


def worker(args: argparse.Namespace, settings: Settings) -> int:
    from agents.worker import run_worker

    run_worker(settings, args.loglevel)
    return 0


def kafka(args: argparse.Namespace, settings: Settings) -> int:
    from agents.demo import local_broker

    broker = local_broker(settings)
    if args.action == "fetch":
        broker.fetch()
    elif args.action == "start":
        started = broker.start()
        print(("started " if started else "already running ") + broker.status())
    elif args.action == "stop":
        print("stopped" if broker.stop() else "was not running")
    else:
        print(broker.status())
        return 0 if broker.pid() is not None else 1
    return 0


def topics(args: argparse.Namespace, settings: Settings) -> int:
    from agents.kafka.admin import ensure_topics

    created = ensure_topics(settings.broker, settings.topics.all(), settings.partitions)
    print("created: " + (", ".join(created) if created else "nothing (all exist)"))
    return 0


def enrich(args: argparse.Namespace, settings: Settings) -> int:
    from agents.batch import enrich_file, open_binary
    from agents.core.kb import load_knowledge_base
    from agents.worker import build_enricher

    kb = load_knowledge_base(settings.entities_path)
    enricher = build_enricher(settings, kb, with_ner=not args.no_ner)
    with open_binary(args.input, "rb") as source, open_binary(args.output, "wb") as sink:
        summary = enrich_file(enricher, source, sink, sys.stderr)
    print(summary.line("enriched"), file=sys.stderr)
    return 0


def detect(args: argparse.Namespace, settings: Settings) -> int:
    from agents.batch import detect_file, open_binary
    from agents.core.detect import Detector
    from agents.core.kb import load_knowledge_base
    from agents.core.rules import load_rules

    ruleset = load_rules(
        args.rules or settings.rules_path, load_knowledge_base(settings.entities_path)
    )
    with open_binary(args.input, "rb") as source, open_binary(args.output, "wb") as sink:
        summary = detect_file(Detector(ruleset), source, sink, sys.stderr)
    print(summary.line("alerts"), file=sys.stderr)
    return 0


def rules(args: argparse.Namespace, settings: Settings) -> int:
    from agents.core.kb import load_knowledge_base
    from agents.core.rules import load_rules, parse_rules
    from agents.rulecli import listing

    kb = load_knowledge_base(settings.entities_path)
    if args.rules_command == "validate":
        ruleset = load_rules(args.file, kb)
        print(listing(ruleset, str(args.file)))
        print(f"{args.file}: {len(ruleset.rules)} rules valid (version {ruleset.version})")
    elif args.rules_command == "list":
        if args.file is not None:
            print(listing(load_rules(args.file, kb), str(args.file)))
            return 0
        from agents.kafka.admin import broker_answers
        from agents.kafka.rulesync import latest_rules

        applied = (
            latest_rules(settings.broker, settings.topics.rules)
            if broker_answers(settings.broker)
            else None
        )
        if applied is None:
            print(
                listing(
                    load_rules(settings.rules_path, kb), f"{settings.rules_path} (never applied)"
                )
            )
        else:
            ruleset = parse_rules(settings.topics.rules, applied["text"], kb)
            origin = (
                f"{settings.topics.rules}, applied {applied['applied_at']} from {applied['source']}"
            )
            print(listing(ruleset, origin))
    elif args.rules_command == "apply":
        from agents.kafka.rulesync import publish_rules

        ruleset = load_rules(args.file, kb)  # webhook secrets are checked by each worker
        record = publish_rules(settings.broker, settings.topics.rules, ruleset)
        print(
            f"applied {args.file}: {record['rules']} rules, version {record['version']}, "
            f"to {settings.topics.rules}; running workers switch within a second"
        )
    else:
        from agents.batch import open_binary
        from agents.rulecli import test_rule
        from agents.worker import build_enricher

        ruleset = load_rules(args.rules or settings.rules_path, kb)
        enricher = build_enricher(settings, kb, with_ner=not args.no_ner)
        with open_binary(args.input, "rb") as source:
            summary = test_rule(ruleset, args.rule, enricher, source)
        print(summary.line(args.rule))
    return 0


def produce(args: argparse.Namespace, settings: Settings) -> int:
    from agents.kafka.admin import produce as send

    lines = [line for line in args.file.read_bytes().splitlines() if line.strip()]
    count = send(settings.broker, settings.topics.raw, ((None, line) for line in lines))
    print(f"sent {count} messages to {settings.topics.raw}", file=sys.stderr)
    return 0


def alerts(args: argparse.Namespace, settings: Settings) -> int:
    from agents.display import format_alert
    from agents.kafka.admin import consume

    idle = int(args.idle_exit * 1000) if args.idle_exit is not None else None
    try:
        for _, _, _, value in consume(
            settings.broker, settings.topics.alerts, args.from_beginning, idle
        ):
            alert = orjson.loads(value)
            if args.rule and alert["rule"]["id"] != args.rule:
                continue
            text = value.decode() if args.json else format_alert(alert, sys.stdout.isatty()) + "\n"
            print(text, flush=True)
    except KeyboardInterrupt:
        pass
    return 0


def kb(args: argparse.Namespace, settings: Settings) -> int:
    from agents.batch import open_binary
    from agents.core.kb import load_knowledge_base
    from agents.core.kb_export import snapshot, statistics

    knowledge = load_knowledge_base(settings.entities_path)
    if args.kb_command == "build":
        with open_binary(args.output, "wb") as sink:
            for record in snapshot(knowledge):
                sink.write(orjson.dumps(record) + b"\n")
    elif args.kb_command == "stats":
        print(orjson.dumps(statistics(knowledge), option=orjson.OPT_INDENT_2).decode())
    else:
        entity = knowledge.resolve(args.name)
        if entity is None:
            print(f"no single entity is called {args.name!r}", file=sys.stderr)
            return 1
        print(f"{entity.id}\t{entity.type}\t{entity.name}\t{entity.country or '-'}")
    return 0


def tags(args: argparse.Namespace, settings: Settings) -> int:
    if args.tags_command == "import-vocabulary":
        from agents.iptc_import import VOCABULARY, import_vocabulary

        count = import_vocabulary(args.path)
        print(f"{VOCABULARY}: {count} live concepts")
        return 0
    from agents.core.enrich import Enricher
    from agents.core.kb import load_knowledge_base

    text = args.text if args.text is not None else sys.stdin.read()
    enricher = Enricher(load_knowledge_base(settings.entities_path), None, warm=())
    article = {"id": "cli", "text": text, **({"lang": args.lang} if args.lang else {})}
    enriched = enricher.enrich(article)
    for tag in enriched["topics"]:
        evidence = ", ".join(e.get("term") or e.get("entity", "") for e in tag["evidence"])
        print(f"{tag['score']:.2f}  {tag['qcode']}  {tag['label']}  [{evidence}]")
    print(f"({enriched['lang']}, {len(enriched['topics'])} tags)", file=sys.stderr)
    return 0


def report(args: argparse.Namespace, settings: Settings) -> int:
    from agents.report import render

    panels = render(args.prometheus.rstrip("/"), args.out, args.minutes)
    print(f"{args.out}: {panels} panels from {args.prometheus}")
    return 0


def evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from agents.core.kb import load_knowledge_base

    if args.what == "romanization":
        from agents.evaluation.romanization import report

        text = report(args.shared, load_knowledge_base(settings.entities_path), args.limit)
        print(text)
        if args.out:
            args.out.write_text(text, encoding="utf-8")
        return 0
    if args.what == "topics":
        from agents.evaluation.topics import run_topics

        return run_topics(
            args.shared, args.out or REPO_ROOT / "docs" / "topic-evaluation.md", args.limit
        )
    from agents.evaluation.entities import run

    out = args.out or REPO_ROOT / "docs" / "entity-evaluation.md"
    return run(args.shared, out, limit=args.limit, with_ner=not args.no_ner)
