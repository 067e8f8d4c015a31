# Insats — two commands on a fresh machine: `make run` and `make test`.
# Both set themselves up (venv, install) from a machine with only Python 3.11+ and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: help install run test test-unit test-integration test-e2e test-browser chromium bench package lint-cfn deploy fire clean

help:
	@echo "make run      the whole platform locally with demo data (http://127.0.0.1:8000)"
	@echo "make test     every test: unit, integration (moto server), e2e, browser (Chromium), cfn-lint"
	@echo "make bench    benchmarks, printed as ratios measured in one run"
	@echo "make package  CloudFormation for the shared resources and every app (build/cfn)"
	@echo "make deploy   deploy to AWS (needs credentials; default region eu-north-1)"
	@echo "make fire JOB=eservices.relay_outbox   fire a scheduled job on the running local stack"

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Insats needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

run: install
	$(BIN)/python -m infra.local.stack

test: install chromium
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# The browser tests (tests/browser) drive Debian's Chromium through Playwright. As root, install it;
# otherwise say exactly what to install and fail: the browser tests are never skipped.
CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "Installing Chromium for the browser tests (apt-get install -y chromium) ..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || \
	  (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null); \
	else \
	  echo "The browser tests need Chromium at $(CHROMIUM). Install it as root:"; \
	  echo "    sudo apt-get install -y chromium"; \
	  echo "(or run make test as root, which installs it; CHROMIUM=/path/to/chromium for another build)"; \
	  exit 1; \
	fi

test-browser: install chromium
	$(BIN)/python -m pytest -q tests/browser

test-unit: install
	$(BIN)/python -m pytest -q tests/unit

test-integration: install
	$(BIN)/python -m pytest -q tests/integration

test-e2e: install
	$(BIN)/python -m pytest -q tests/e2e

bench: install
	$(BIN)/python -m bench

package: install
	$(BIN)/python -m infra.cfn build/cfn

lint-cfn: package
	$(BIN)/cfn-lint build/cfn/shared.json build/cfn/*/sam.json

# Deploy: the shared stack first (tables, queues, topic, bucket), then each app's stack.
REGION ?= eu-north-1
ARTIFACTS_BUCKET ?=
deploy: package
	@test -n "$(ARTIFACTS_BUCKET)" || (echo "set ARTIFACTS_BUCKET=<an S3 bucket for the Lambda packages>"; exit 2)
	aws cloudformation deploy --region $(REGION) --stack-name insats-shared --template-file build/cfn/shared.json
	for app in eservices visits notify reports billing; do \
	  aws cloudformation package --region $(REGION) --template-file build/cfn/$$app/sam.json \
	    --s3-bucket $(ARTIFACTS_BUCKET) --output-template-file build/cfn/$$app/packaged.yaml && \
	  aws cloudformation deploy --region $(REGION) --stack-name insats-$$app \
	    --template-file build/cfn/$$app/packaged.yaml --capabilities CAPABILITY_IAM || exit 1; \
	done

fire:
	@curl -s -X POST http://127.0.0.1:8000/dev/schedules/$(JOB); echo

clean:
	rm -rf build .pytest_cache $(VENV) .local
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
