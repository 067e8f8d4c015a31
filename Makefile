# Insats — two commands on a fresh machine: `make run` and `make test`.
# Both set themselves up (venv, install) from a machine with only Python 3.11+ and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: help install run test node test-unit test-integration test-e2e test-fuzz bench package lint-cfn deploy fire clean clean-data report synthetic-month dlq redrive repair-contacts index-identity-audit index-casework-audit test-browser chromium

help:
	@echo "make run      the whole platform locally with demo data (http://127.0.0.1:8000)"
	@echo "make test     every test: unit, integration (moto server), e2e, fuzz (schemathesis), browser (Chromium), cfn-lint"
	@echo "make bench    benchmarks, printed as ratios measured in one run"
	@echo "make package  CloudFormation for the shared resources and every app (build/cfn)"
	@echo "make deploy ARTIFACTS_BUCKET=b   deploy to AWS: the shared stack, then every app (needs credentials; region eu-north-1)"
	@echo "make deploy ARTIFACTS_BUCKET=b DRY_RUN=1 CFN_PARAMETERS=\"OidcIssuer=...\"   print the aws commands, run nothing"
	@echo "make fire JOB=eservices.sweep_drafts   fire a scheduled job on the running local stack"
	@echo "make fire JOB=reports.nightly MONTH=2026-12   build a month's report now"
	@echo "make run PORT=8080 MOTO_PORT=4567 CLEAN=1   other ports; start without the data kept from the last run"
	@echo "INSATS_CLOCK=2027-01-08T09:00+01:00 make run   start the local stack's clock at that time"
	@echo "make clean-data   forget the local stack's data"
	@echo "make synthetic-month   load the synthetic month (2026-10) into the running local stack, build its report"
	@echo "make report MONTH=2026-10   rebuild a month's follow-up report (local stack; STAGE=aws for AWS; RECOMPUTE=1 recomputes every client-month first)"
	@echo "make dlq      what is in each dead-letter queue; make redrive QUEUE=notify-inbox moves it back (STAGE=aws for AWS)"

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Insats needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

# The local stack keeps its data in .local/ across restarts; CLEAN=1 starts from nothing.
# While it runs it writes its ports to $(STATE_DIR)/port and $(STATE_DIR)/moto-port (and its
# INSATS_CLOCK to $(STATE_DIR)/clock): fire, report, dlq and redrive use them.
PORT      ?=
MOTO_PORT ?=
CLEAN     ?=
STATE_DIR ?= .local
run: install
	$(BIN)/python -m infra.local.stack --state-dir $(STATE_DIR) $(if $(PORT),--port $(PORT)) \
	  $(if $(MOTO_PORT),--moto-port $(MOTO_PORT)) $(if $(filter-out 0,$(CLEAN)),--clean)

test: install chromium node
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

# The login tests run a certified OpenID provider (panva/node-oidc-provider, tests/support/certified_op)
# on Node.js 20+ with npm; its packages come from the npm registry by its lock file. Missing: say so, fail.
node:
	@if command -v node >/dev/null && command -v npm >/dev/null && \
	  node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)'; then :; \
	else \
	  echo "The login tests need Node.js 20 or newer with npm (a certified OpenID provider runs on it)."; \
	  echo "Install them from https://nodejs.org or your distribution (nodejs, npm), then run make test again."; \
	  exit 1; \
	fi
	@[ -f tests/support/certified_op/node_modules/oidc-provider/package.json ] || \
	  npm ci --prefix tests/support/certified_op --no-audit --no-fund --loglevel=error

test-browser: install chromium
	$(BIN)/python -m pytest -q tests/browser

test-unit: install
	$(BIN)/python -m pytest -q tests/unit

test-integration: install
	$(BIN)/python -m pytest -q tests/integration

test-e2e: install
	$(BIN)/python -m pytest -q tests/e2e

# schemathesis against every app with a token of each role (part of make test too); FUZZ_EXAMPLES
# sets the examples per operation, role and mode (default 8).
test-fuzz: install
	$(BIN)/python -m pytest -q tests/fuzz

bench: install
	$(BIN)/python -m bench

package: install
	$(BIN)/python -m infra.cfn build/cfn

lint-cfn: package
	$(BIN)/cfn-lint build/cfn/shared.json build/cfn/*/sam.json

# Deploy: the shared stack first (tables, queues, topic, bucket, signing key), then each app of
# infra/resources.py APPS (identity included): python -m infra.deploy. DRY_RUN=1 prints the aws commands.
REGION ?= eu-north-1
ARTIFACTS_BUCKET ?=
# Stack parameters as Name=value (shell-quoted when a value has spaces); each app's stack gets those its
# template takes: Insats' token settings (every app) and the e-ID broker's (the identity app), e.g.
# CFN_PARAMETERS="PublicBaseUrl=https://e-tjanster.kommun.se OidcIssuer=https://eid.kommun.se"
CFN_PARAMETERS ?=
DRY_RUN ?=
deploy: package
	@test -n "$(ARTIFACTS_BUCKET)" || (echo "set ARTIFACTS_BUCKET=<an S3 bucket for the Lambda packages>"; exit 2)
	$(BIN)/python -m infra.deploy --bucket $(ARTIFACTS_BUCKET) --region $(REGION) \
	  $(if $(filter-out 0,$(DRY_RUN)),--dry-run) $(CFN_PARAMETERS)

# Notify's dead-letter queues: list what is in each, redrive one (the running local stack unless
# STAGE=aws, as for report below).
dlq: install
	@$(REPORTS_ENV) $(BIN)/python -m infra.dlq list

redrive: install
	@test -n "$(QUEUE)" || (echo "set QUEUE=<queue name, e.g. notify-inbox>"; exit 2)
	@$(REPORTS_ENV) $(BIN)/python -m infra.dlq redrive $(QUEUE)

# One-off, idempotent: stored phone numbers to E.164 (unrepairable ones dropped), preferences to notify.
repair-contacts: install
	$(BIN)/python -m services.eservices.usecases.contact_repair --publish-all

# One-off, idempotent: the identity trail's entries from before each account kept its own history
# get that history's keys (FROM=ÅÅÅÅ-MM-DD TO=... to narrow the days).
index-identity-audit: install
	@$(REPORTS_ENV) $(BIN)/python -m services.identity.index_audit $(FROM) $(TO)

# One-off, idempotent: case work's audit records from before the index by resource (gsi3) get its
# keys, so a search by case finds them (FROM=ÅÅÅÅ-MM-DD TO=... to narrow the days).
index-casework-audit: install
	@$(REPORTS_ENV) $(BIN)/python -m services.eservices.casework.index_audit $(FROM) $(TO)

# Reports: the operator's rebuild and the synthetic month, against the running local stack unless
# STAGE=aws (then the AWS credentials and region of the environment are used).
# The local stack's embedded AWS: MOTO_PORT when given, else the port the running stack wrote.
STAGE ?= local
LOCAL_MOTO_PORT = $(or $(MOTO_PORT),$(shell cat $(STATE_DIR)/moto-port 2>/dev/null),4566)
LOCAL_AWS = AWS_ENDPOINT_URL=$(or $(AWS_ENDPOINT_URL),http://127.0.0.1:$(LOCAL_MOTO_PORT)) AWS_ACCESS_KEY_ID=testing \
	AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing AWS_REGION=eu-north-1 INSATS_STAGE=local \
	POWERTOOLS_LOG_LEVEL=WARNING POWERTOOLS_METRICS_DISABLED=true $(shell cat $(STATE_DIR)/clock 2>/dev/null)
REPORTS_ENV = $(if $(filter local,$(STAGE)),$(LOCAL_AWS),INSATS_STAGE=prod)  # prod refuses INSATS_CLOCK

report: install
	@test -n "$(MONTH)" || (echo "usage: make report MONTH=YYYY-MM"; exit 2)
	@$(REPORTS_ENV) $(BIN)/python -m services.reports.cli rebuild $(MONTH) $(if $(RECOMPUTE),--recompute) --out .local/reports

synthetic-month: install
	@$(REPORTS_ENV) $(BIN)/python -m services.reports.cli load-synthetic $(or $(MONTH),2026-10) \
		$(if $(CLIENTS),--clients $(CLIENTS)) --out .local/reports

# The port the running stack wrote to $(STATE_DIR)/port, unless PORT is given; MONTH=YYYY-MM goes
# with the event (reports.nightly then builds that month).
fire:
	@port="$(PORT)"; [ -n "$$port" ] || port=$$(cat $(STATE_DIR)/port 2>/dev/null || echo 8000); \
	curl -s -X POST "http://127.0.0.1:$$port/dev/schedules/$(JOB)$(if $(MONTH),?month=$(MONTH))"; echo

clean-data:
	rm -rf $(STATE_DIR)/aws-state $(STATE_DIR)/aws-state.new $(STATE_DIR)/aws-state.old $(STATE_DIR)/journal

clean:
	rm -rf build .pytest_cache $(VENV) .local
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
