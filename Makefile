# Insats — two commands on a fresh machine: `make run` and `make test`.
# Both set themselves up (venv, install) from a machine with only Python 3.11+ and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: help install run test test-unit test-integration test-e2e bench package lint-cfn deploy fire clean dlq redrive repair-contacts

help:
	@echo "make run      the whole platform locally with demo data (http://127.0.0.1:8000)"
	@echo "make test     every test: unit, integration (moto server), e2e, cfn-lint"
	@echo "make bench    benchmarks, printed as ratios measured in one run"
	@echo "make package  CloudFormation for the shared resources and every app (build/cfn)"
	@echo "make deploy   deploy to AWS (needs credentials; default region eu-north-1)"
	@echo "make fire JOB=eservices.relay_outbox   fire a scheduled job on the running local stack"
	@echo "make dlq      what is in each dead-letter queue; make redrive QUEUE=notify-inbox moves it back"

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

test: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

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

# Notify's dead-letter queues: list what is in each, redrive one (local stack or AWS alike:
# the endpoint comes from AWS_ENDPOINT_URL, as for the apps).
dlq: install
	$(BIN)/python -m infra.dlq list

redrive: install
	@test -n "$(QUEUE)" || (echo "set QUEUE=<queue name, e.g. notify-inbox>"; exit 2)
	$(BIN)/python -m infra.dlq redrive $(QUEUE)

# One-off, idempotent: stored phone numbers to E.164 (unrepairable ones dropped), preferences to notify.
repair-contacts: install
	$(BIN)/python -m services.eservices.contact_repair --publish-all

fire:
	@curl -s -X POST http://127.0.0.1:8000/dev/schedules/$(JOB); echo

clean:
	rm -rf build .pytest_cache $(VENV) .local
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
