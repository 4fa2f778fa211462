# The two commands a newcomer needs: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PY := .venv/bin/python
RASA := .venv/bin/rasa
export RASA_TELEMETRY_ENABLED ?= false
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export TF_CPP_MIN_LOG_LEVEL ?= 2
# Rasa's training cache, shared by the clones on this machine: a fresh clone trains only what its
# data, config and component code (addons/component_fingerprint.py) do not share with an earlier
# training. RASA_CACHE_DIRECTORY=.rasa/cache keeps Rasa's default.
export RASA_CACHE_DIRECTORY ?= $(HOME)/.cache/ausreden-coach/rasa

.PHONY: setup train run test report purge clean

setup:
	@scripts/setup.sh

train: setup
	@$(PY) scripts/services.py train

## Chat with the coach in the terminal (starts action server and Rasa server; Ctrl-C stops all).
run: setup
	@$(PY) scripts/services.py run

## The gate for every change: data validation, pytest (unit, end-to-end on one shared stack,
## browser, German spell check), rasa test on stories and NLU. .ci/run adds `make test-system`,
## `make test-stock` and `make test-cluster`; the bench tests are `make test-bench`.
test: train
	$(RASA) data validate --quiet
	scripts/setup_browser.sh
	scripts/setup_spelling.sh
	$(PY) -m pytest
	$(RASA) test --model models/coach.tar.gz --stories tests/test_stories.yml \
		--nlu tests/nlu/heldout.yml --fail-on-prediction-errors --out results/rasa-test
	$(PY) scripts/check_nlu.py results/rasa-test/intent_report.json

## Fast feedback: the tests that need no servers, no trained model and no training (pytest marker
## `unit`, set by tests/conftest.py). Needs only `make setup`, PostgreSQL and the spell checker.
.PHONY: test-unit test-bench
test-unit: setup
	scripts/setup_spelling.sh
	$(PY) -m pytest -m unit

## Tests that start servers of their own to restart, cut off, break or reconfigure them: session
## log across restarts, database outage, faulty actions, privacy, security, load, plain Rasa habits.
.PHONY: test-system
test-system: train
	$(PY) -m pytest -m system

## The bench's own tests (pytest marker `bench`): a smoke run of `make bench` and the held-out figures.
test-bench: train
	$(PY) -m pytest -m bench

## Scale-out on one machine (README, "Skalierung / Scale-out"): two Rasa servers and two action
## servers behind nginx, PostgreSQL and Redis (endpoints-cluster.yml); prints the addresses, Ctrl-C stops all.
.PHONY: run-cluster test-cluster
run-cluster: train
	@scripts/setup_nginx.sh
	@$(PY) scripts/cluster.py run

## The cluster test (.ci/run runs it after `make test`): conversations alternating between the
## servers, one server killed mid-test (and mid-message); the Redis lock store against the local
## Redis. Fails when no test ran (pytest exit code 5).
test-cluster: train
	scripts/setup_nginx.sh
	$(PY) -m pytest -m cluster tests/test_lock_store.py tests/test_cluster.py

## The end-to-end conversation test and the story tests once more on stock Rasa: all patches of
## addons/rasa_patches.py off (COACH_RASA_PATCHES=off). .ci/run runs it after `make test`.
.PHONY: test-stock
test-stock: train
	COACH_RASA_PATCHES=off $(PY) -m pytest tests/test_e2e_rest.py
	COACH_RASA_PATCHES=off $(RASA) test core --model models/coach.tar.gz --stories tests/test_stories.yml \
		--fail-on-prediction-errors --out results/rasa-test-stock

## What happened in the sessions, for trainers. ARGS="--from 2026-11-01 --to 2026-11-30 --code WS-NOV --format json|csv"
report: setup
	@$(PY) -m core.report $(ARGS)

## DSGVO retention: delete conversations older than DAYS days from the session log and the tracker store.
purge:
	@test -n "$(DAYS)" || { echo "usage: make purge DAYS=90"; exit 2; }
	@$(PY) -m core.data_retention --days $(DAYS) $(if $(DATABASE_URL),--database-url $(DATABASE_URL))

clean:
	rm -rf models results logs .rasa

## Benchmark (not part of `make test`; its tests: `make test-bench`): NLU cross-validation, turn
## latency, throughput, memory and training time against a bare Rasa assistant; writes
## results/bench.{md,json,png}, see README.
.PHONY: bench bench-nlu
bench: setup
	@$(PY) -m bench.run

## Recompute only the 5-fold NLU cross-validation (cached in results/bench-nlu-cv.json for `make bench`).
bench-nlu: setup
	@$(PY) -m bench.nlu cv --force
