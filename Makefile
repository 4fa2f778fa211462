# The two commands a newcomer needs: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PY := .venv/bin/python
RASA := .venv/bin/rasa
export RASA_TELEMETRY_ENABLED ?= false
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: setup train run test test-unit test-rasa clean

setup:
	@scripts/setup.sh

train: setup
	@$(PY) scripts/services.py train

## Chat with the coach in the terminal (starts action server and Rasa server; Ctrl-C stops all).
run: setup
	@$(PY) scripts/services.py run

## Everything CI runs: data validation, pytest (unit + end-to-end), rasa test on stories and NLU.
test: train
	$(RASA) data validate --quiet
	$(PY) -m pytest
	$(RASA) test --model models/coach.tar.gz --stories tests/test_stories.yml \
		--nlu tests/nlu/heldout.yml --fail-on-prediction-errors --out results/rasa-test
	$(PY) scripts/check_nlu.py results/rasa-test/intent_report.json

clean:
	rm -rf models results logs .rasa
