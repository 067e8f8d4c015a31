"""/reports over HTTP: who may read what (the ordering unit everything, the provider's coordinator
and management their own provider, care staff and citizens nothing), as JSON, CSV and SVG; bad input
names its field. tests/integration/test_access_matrix.py walks every caller."""
import csv
import io
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from services.contracts.events import AbsenceRegistered, DecisionPublishedV2, GrantedTime, VisitChangedV2, \
    VisitContent, split_minutes
from services.reports.usecases.rebuild import rebuild
from services.reports.bootstrap import deps
from tests.support.people import new_pnr

MONTH = "2031-07"
OWN, OTHER, TRICKY = "prov-own", "prov-other", "=HYPERLINK(\"http://x\")"


def visit(client, provider, day, staff, minutes=30, insats="personlig_omsorg"):
    start = datetime(2031, 7, day, 8, 0, tzinfo=timezone.utc)
    content = VisitContent(staff_id=staff, started_at=start, ended_at=start + timedelta(minutes=minutes),
                           minutes=minutes, insatser=split_minutes(minutes, [insats]), status="approved")
    return VisitChangedV2(visit_id=str(uuid.uuid4()), client=client, provider_id=provider, year=2031, month=7,
                          visit_version=2, change="approved", visit=content).envelope("visits")


@pytest.fixture(scope="module")
def built(app_client):
    a, b, c = new_pnr(1938), new_pnr(1944), new_pnr(1985)
    decision = DecisionPublishedV2(decision_id=str(uuid.uuid4()), case_id="c", case_number="2031-000007", client=a,
                                   insats="hemtjanst", law="SoL", outcome="granted", granted_minutes_per_month=600,
                                   valid_from=date(2031, 1, 1), decided_at=datetime(2031, 1, 1, tzinfo=timezone.utc),
                                   granted=[GrantedTime(insats="personlig_omsorg", minutes_per_month=600)],
                                   provider_id=OWN)
    events = [decision.envelope("eservices"), visit(a, OWN, 2, "anna", 300), visit(a, OWN, 3, "bo", 400),
              visit(b, OTHER, 2, "cia"), visit(c, TRICKY, 4, "dan"),
              AbsenceRegistered(absence_id="abs", client=a, provider_id=OWN, kind="hospital",
                                starts_on=date(2031, 7, 20), ends_on=date(2031, 7, 22),
                                learned_at=datetime(2031, 7, 20, tzinfo=timezone.utc)).envelope("visits")]
    assert app_client("reports").sqs("on_event", [e.model_dump_json() for e in events]) == {"batchItemFailures": []}
    rebuild(deps(), MONTH)
    return a


def test_given_the_ordering_unit_when_reading_then_every_provider_and_the_municipality(app_client, token, built):
    r = app_client("reports").get(f"/reports?month={MONTH}", token=token("ordering_unit", user_id="ou1"))
    assert r.status == 200, r.json
    assert {p["provider_id"] for p in r.json["providers"]} == {OWN, OTHER, TRICKY}
    own = next(p for p in r.json["providers"] if p["provider_id"] == OWN)
    assert (own["granted_minutes"], own["performed_minutes"], own["beyond_granted_minutes"]) == (600, 700, 100)
    assert own["absence_days"]["hospital"] == 3 and r.json["municipality"]["performed_minutes"] == 760
    assert r.json["built_at"] and r.json["data_until"]
    assert all(row["client"].endswith("-****") for row in r.json["rows"])  # masked in lists


@pytest.mark.parametrize("role", ["provider_coordinator", "provider_manager"])
def test_given_the_providers_coordinator_or_management_when_reading_then_their_own_provider_only(app_client, token,
                                                                                                 built, role):
    staff = token(role, user_id="u1", provider_id=OWN)
    reports = app_client("reports")
    mine = reports.get(f"/reports?month={MONTH}", token=staff)
    assert mine.status == 200
    assert [p["provider_id"] for p in mine.json["providers"]] == [OWN] and mine.json["municipality"] is None
    assert {row["provider_id"] for row in mine.json["rows"]} == {OWN}
    for path in ("/reports", "/reports/csv", "/reports/chart.svg"):
        other = reports.get(f"{path}?month={MONTH}&provider_id={OTHER}", token=staff)
        assert other.status == 403, (path, other.json)
        assert other.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", ["citizen", "relative", "contact_person", "provider_staff", "auditor"])
def test_given_someone_else_when_reading_then_refused(app_client, token, built, role):
    claims = {"personnummer": new_pnr()} if role in ("citizen", "relative", "contact_person") else {"user_id": "x"}
    if role == "provider_staff":  # care staff see their own registrations in visits, not the provider's report
        claims["provider_id"] = OWN
    for path in ("/reports", "/reports/csv", "/reports/chart.svg"):
        assert app_client("reports").get(f"{path}?month={MONTH}", token=token(role, **claims)).status == 403
        assert app_client("reports").get(f"{path}?month={MONTH}").status == 401


def test_given_the_csv_when_opened_then_swedish_columns_and_no_formula_runs(app_client, token, built):
    r = app_client("reports").get(f"/reports/csv?month={MONTH}", token=token("ordering_unit", user_id="ou1"))
    assert r.status == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Månad", "Utförare", "Brukare", "65 år eller äldre", "Insats"]
    assert "Beviljad tid (min)" in rows[0] and "Frånvarodagar sjukhus" in rows[0]
    tricky = [row for row in rows[1:] if "HYPERLINK" in row[1]]
    assert tricky and all(row[1].startswith("'=") for row in tricky)
    own = next(row for row in rows[1:] if row[1] == OWN)
    assert own[rows[0].index("Andel utförd av beviljad tid")] == "1,1667"


def test_given_the_chart_when_read_then_it_names_itself_its_axes_and_values(app_client, token, built):
    r = app_client("reports").get(f"/reports/chart.svg?month={MONTH}", token=token("ordering_unit", user_id="ou1"))
    svg = r.body.decode()
    assert r.status == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Tid (timmar)" in svg and "Utförare" in svg
    assert f"{OWN}: utförd 12 timmar av beviljad 10 timmar (117 %)" in svg
    assert "=HYPERLINK(&quot;" in svg  # text, escaped


def test_given_a_bad_month_or_one_not_built_when_reading_then_a_problem_naming_it(app_client, token, built):
    ou = token("ordering_unit", user_id="ou1")
    bad = app_client("reports").get("/reports?month=2031-13", token=ou)
    assert bad.status == 422 and bad.json["errors"][0]["field"] == "query.month"
    assert "YYYY-MM" in bad.json["errors"][0]["detail"]
    assert app_client("reports").get("/reports?month=2019-01", token=ou).status == 404


def test_given_a_visit_on_a_day_the_client_is_absent_when_reported_then_it_is_flagged(app_client, token):
    """Issue 20, item 3. GIVEN a hospital stay of August 10–12 and an approved visit on the 11th
    WHEN the report is built THEN the provider's deviations count it and the client's row and the
    CSV name the day."""
    month, provider, client = "2031-08", f"prov-{uuid.uuid4().hex[:8]}", new_pnr(1938)
    start = datetime(2031, 8, 11, 8, 0, tzinfo=timezone.utc)
    content = VisitContent(staff_id="anna", started_at=start, ended_at=start + timedelta(minutes=40), minutes=40,
                           insatser=split_minutes(40, ["personlig_omsorg"]), status="approved")
    events = [VisitChangedV2(visit_id=str(uuid.uuid4()), client=client, provider_id=provider, year=2031, month=8,
                             visit_version=2, change="approved", visit=content).envelope("visits"),
              AbsenceRegistered(absence_id="abs-" + provider, client=client, provider_id=provider, kind="hospital",
                                starts_on=date(2031, 8, 10), ends_on=date(2031, 8, 12),
                                learned_at=datetime(2031, 8, 10, tzinfo=timezone.utc)).envelope("visits")]
    assert app_client("reports").sqs("on_event", [e.model_dump_json() for e in events]) == {"batchItemFailures": []}
    rebuild(deps(), month)
    finance = token("ordering_unit", user_id="ou1")
    r = app_client("reports").get(f"/reports?month={month}&provider_id={provider}", token=finance)
    assert r.status == 200, r.json
    assert r.json["providers"][0]["deviations"]["visit_on_absence_day"] == 1
    assert [row["visits_on_absence_days"] for row in r.json["rows"]] == [["2031-08-11"]]
    got = app_client("reports").get(f"/reports/csv?month={month}&provider_id={provider}", token=finance)
    rows = list(csv.reader(io.StringIO(got.body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-1] == "Besök på frånvarodag" and rows[1][-1] == "2031-08-11"
