"""The follow-up's reads on the in-memory store (GIVEN/WHEN/THEN): the visits behind each figure are
exactly as many as the figure says, a case worker reaches only their own clients, the trend reads the
month reports it finds."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest

from services.auth.principal import Principal, Role
from services.contracts.events import DecisionPublishedV2, GrantedTime
from services.domain.errors import NotFound
from services.reports.ports import ReportsDeps
from services.reports.usecases.follow_up import early_warnings, figure_visits, one_visit, trend
from services.reports.usecases.rebuild import rebuild
from services.synthetic import month_events
from tests.support.fakes.common import Clock
from tests.support.fakes.reports import FakeReportsStore
from tests.unit.reports.test_reports_use_cases import feed

OU = Principal(subject="ou", role=Role.ORDERING_UNIT, user_id="ou")
FINANCE = Principal(subject="fi", role=Role.FINANCE, user_id="fi")
MONTH = "2026-10"


@pytest.fixture(scope="module")
def built():
    d = ReportsDeps(store=FakeReportsStore(), clock=Clock(datetime(2026, 11, 2, 12, tzinfo=timezone.utc)))
    events = list(month_events(11, clients=16))
    assert feed(d, events, size=200) == set()
    # two clients' cases are case worker cw-x's (a decision naming them)
    clients = sorted({e.payload["client"] for e in events if "client" in e.payload})[:2]
    assert feed(d, [DecisionPublishedV2(
        decision_id=str(uuid.uuid4()), case_id="c", case_number="2026-000001", client=c, insats="hemtjanst",
        law="SoL", outcome="granted", granted_minutes_per_month=60, valid_from=date(2026, 10, 1),
        decided_at=datetime(2026, 10, 1, tzinfo=timezone.utc),
        granted=[GrantedTime(insats="hemtjanst", minutes_per_month=60)], case_worker_id="cw-x").envelope("eservices")
        for c in clients]) == set()
    return d, rebuild(d, MONTH)


@pytest.mark.parametrize("kind", ["manual_receipt", "post_registration", "adjusted_time", "over_granted_time",
                                  "over_granted_pending", "without_decision", "visit_on_absence_day"])
def test_given_a_built_month_when_a_figure_is_opened_then_its_visits_are_as_many_as_it_says(built, kind):
    d, report = built
    for p in report["providers"]:
        found = figure_visits(d, OU, MONTH, p["provider_id"], kind=kind)
        assert len(found["visits"]) == p["deviations"][kind], (p["provider_id"], kind)
        assert all(v["provider"] == p["provider_id"] for v in found["visits"])


def test_given_a_built_month_when_finance_opens_receipts_then_digital_and_manual_add_up_to_every_visit(built):
    d, report = built
    p = report["providers"][0]
    every = figure_visits(d, FINANCE, MONTH, p["provider_id"])["visits"]
    manual = figure_visits(d, FINANCE, MONTH, p["provider_id"], kind="manual_receipt")["visits"]
    digital = figure_visits(d, FINANCE, MONTH, p["provider_id"], kind="digital_receipt")["visits"]
    assert len(manual) + len(digital) == len(every) and len(every) >= p["visits"] > 0
    one = every[0]
    got = one_visit(d, FINANCE, MONTH, one["client_no"], one["id"])
    assert got["visit"] == {k: v for k, v in one.items() if k not in ("client", "client_no")}


def test_given_a_case_worker_when_reading_then_only_their_own_clients_visits(built):
    d, report = built
    store: FakeReportsStore = d.store
    results = store.results_at(MONTH, report["versions"])
    owner = "cw-x"
    theirs = sorted(c for c, r in results.items() if owner in r["case_workers"])
    cw = Principal(subject=owner, role=Role.CASE_WORKER, user_id=owner)
    seen = figure_visits(d, cw, MONTH)["visits"]
    assert len(theirs) == 2 and seen and {v["client"][:8] for v in seen} <= {c[:8] for c in theirs}
    numbers = {n for n, c in enumerate(sorted(results)) if c in theirs}
    assert {v["client_no"] for v in seen} <= numbers
    other = next(n for n, c in enumerate(sorted(results)) if c not in theirs)
    with pytest.raises(NotFound):
        figure_visits(d, cw, MONTH, client_no=other)
    every = figure_visits(d, OU, MONTH, client_no=other)["visits"]
    with pytest.raises(NotFound):
        one_visit(d, cw, MONTH, other, every[0]["id"])
    assert trend(d, cw, MONTH)["providers"] == {}
    assert early_warnings(d, cw, MONTH, date(2026, 11, 2))["providers_shown"] is False


def test_given_one_built_month_when_the_trend_is_read_then_twelve_months_and_only_that_one_filled(built):
    d, report = built
    got = trend(d, OU, MONTH)
    assert got["months"][0] == "2025-11" and got["months"][-1] == MONTH and len(got["months"]) == 12
    assert sorted(got["providers"]) == sorted(p["provider_id"] for p in report["providers"])
    assert all(list(by_month) == [MONTH] for by_month in got["providers"].values())
    assert list(got["built"]) == [MONTH]
