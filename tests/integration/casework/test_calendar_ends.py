"""Dates at the ends of the calendar (where Python's date arithmetic overflows) in the case
workers' and auditors' queries: a 422 naming the parameter, never a 500."""
import pytest

from tests.integration.casework.helpers import auditor, case_worker


@pytest.mark.parametrize("query,field", [
    ("from=0001-01-01&to=0001-01-01", "query.from"),
    ("from=2026-01-01&to=9999-12-31", "query.to"),
])
def test_given_the_calendars_ends_when_an_auditor_searches_then_422_names_the_date(app_client, token, query, field):
    r = app_client("eservices").get(f"/audit?{query}", token=auditor(token))
    assert r.status == 422, r.json
    assert field in [e["field"] for e in r.json["errors"]]


@pytest.mark.parametrize("query,field", [("from=0001-01-01", "query.from"), ("to=9999-12-31", "query.to")])
def test_given_the_calendars_ends_when_the_inbox_is_filtered_then_422_names_the_date(app_client, token, query, field):
    _, cw = case_worker(token)
    r = app_client("eservices").get(f"/inbox?{query}", token=cw)
    assert r.status == 422, r.json
    assert field in [e["field"] for e in r.json["errors"]]
