# newsmon: `make run` (the demo) and `make test` (everything CI runs) set themselves up.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck unit integration kafka-start kafka-stop kafka-status clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	bash deploy/install-prereqs.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(STAMP) ## Java/Maven if missing, .venv with pinned packages, the Kafka jars
	bash deploy/install-prereqs.sh
	$(BIN)/newsmon kafka fetch

run: install ## local Kafka + worker + sample news; alerts on screen until Ctrl-C
	$(BIN)/newsmon demo

test: install lint typecheck ## lint, types, unit, agent, contract and real-Kafka/Prometheus tests
	bash deploy/install-prereqs.sh --with-prometheus
	$(BIN)/pytest

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check agents tests bench
	$(BIN)/ruff format --check agents tests bench

typecheck: $(STAMP) ## mypy on the package and the bench scripts
	$(BIN)/mypy
	$(BIN)/mypy bench/*.py

unit: $(STAMP) ## the fast tests only (no broker)
	$(BIN)/pytest tests/unit tests/contract tests/agents

integration: install ## the real-Kafka and Prometheus tests only
	bash deploy/install-prereqs.sh --with-prometheus
	$(BIN)/pytest tests/integration

kafka-start: install ## start the embedded Kafka in the background
	$(BIN)/newsmon kafka start
kafka-stop: $(STAMP) ## stop it
	$(BIN)/newsmon kafka stop
kafka-status: $(STAMP)
	$(BIN)/newsmon kafka status

clean: ## remove the virtualenv and local Kafka data
	-$(BIN)/newsmon kafka stop
	rm -rf $(VENV) .newsmon deploy/kafka/target
