"""A Lambda's cold start is its import path: heavy modules are imported where they are used.

Each app is imported the way the runtime does (its folder first, its vendor/ beside it) in a
fresh interpreter, and the test names what must not have been imported by then.
"""
from __future__ import annotations

import pytest

from tests.support.cold_imports import modules_after_app_import

# Wanted by no app at import: PDFs/templates, the token stack, idempotency, the holiday tables.
ALWAYS_HEAVY = ("fpdf", "jinja2", "jwt", "cryptography", "holidays", "aws_lambda_powertools.utilities.idempotency")


def _loaded(modules: set[str], heavy: tuple[str, ...]) -> list[str]:
    return [h for h in heavy if any(m == h or m.startswith(h + ".") for m in modules)]


def test_given_the_notify_app_when_imported_then_no_event_contracts_token_stack_or_boto3_are_loaded():
    modules = modules_after_app_import("notify")
    assert _loaded(modules, ALWAYS_HEAVY + ("boto3", "services.contracts.events", "pydantic")) == []


@pytest.mark.parametrize("app", ["eservices", "visits", "reports", "billing", "identity"])
def test_given_an_http_app_when_imported_then_no_token_stack_powertools_pdf_or_holidays_are_loaded(app):
    # Tokens are verified on the first request that needs one; Powertools is built on first log line.
    modules = modules_after_app_import(app)
    assert _loaded(modules, ALWAYS_HEAVY + ("aws_lambda_powertools", "jmespath", "boto3")) == []


# The e-services' request/response models, event contracts, use cases, form engine and page cycle:
# each route names its models by reference and imports its use cases when called.
ESERVICES_DEFERRED = (
    "services.eservices.schemas", "services.contracts.events", "services.eservices.domain.cases",
    "services.eservices.usecases.submissions", "services.eservices.domain.forms", "services.eservices.domain.drafts",
    "services.eservices.domain.people", "services.eservices.usecases.mypages", "services.eservices.usecases.retention",
    "services.eservices.usecases.notifications", "services.eservices.casework", "services.entrypoints.web",
    "services.adapters.dynamo",
)


def test_given_the_eservices_app_when_imported_then_no_models_contracts_use_cases_or_form_engine_are_loaded():
    modules = modules_after_app_import("eservices")
    assert _loaded(modules, ESERVICES_DEFERRED) == []


def test_given_the_visits_app_when_imported_then_no_models_contracts_use_cases_or_repository_are_loaded():
    modules = modules_after_app_import("visits")
    deferred = ("services.visits.schemas", "services.visits.domain", "services.visits.usecases",
                "services.visits.adapters", "services.visits.ports", "services.contracts.events",
                "services.adapters.dynamo")
    assert _loaded(modules, deferred) == []


@pytest.mark.parametrize("app, deferred", [
    ("billing", ("services.billing.usecases", "services.billing.schemas", "services.billing.domain",
                 "services.billing.adapters", "services.contracts.events")),
    ("identity", ("services.identity.usecases", "services.identity.schemas", "services.identity.domain",
                  "services.identity.adapters", "services.identity.ports", "services.adapters.dynamo")),
    ("reports", ("services.reports.usecases", "services.reports.schemas", "services.reports.domain.client_month",
                 "services.reports.adapters", "services.contracts.events", "services.adapters.dynamo")),
])
def test_given_a_consuming_http_app_when_imported_then_no_models_contracts_or_use_cases_are_loaded(app, deferred):
    assert _loaded(modules_after_app_import(app), deferred) == []
