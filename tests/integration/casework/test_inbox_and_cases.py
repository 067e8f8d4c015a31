"""The inbox of e-applications and a case as case workers read it: every case for every case
worker, masked personnummer, filters, newest first, paging; audited; never for citizens."""
import uuid
from datetime import datetime, timezone

import pytest

from services.eservices.bootstrap import deps
from services.eservices.domain.cases import Case, StatusChange
from services.eservices.adapters.table import eservices_table
from tests.integration.casework.helpers import actions_on, audit_of, case_item, case_worker, new_application
from tests.support.people import new_pnr

PDF = {"Accept": "application/pdf"}


def stored_case(submitted_at, *, status="submitted", category="Trygghetslarm", first="Annika", last="Test"):
    """A case as a submission stores it, at a chosen time (so date filters can be tested)."""
    pnr = new_pnr()
    case = Case(case_id=str(uuid.uuid4()), case_number=f"2001-{uuid.uuid4().int % 10**6:06d}",
                form_id="support-application", title="Ansökan om stöd", category=category, owner=pnr,
                submitted_by=pnr, submitted_at=submitted_at, status=status,
                history=[StatusChange(status="submitted", at=submitted_at, by="citizen")],
                answers={"om_dig": {"personnummer": pnr, "first_name": first, "last_name": last}})
    eservices_table().put_item(Item=deps().cases.item(case))
    return case


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


class TestWhoReachesTheInbox:
    @pytest.mark.parametrize("role", ["citizen", "relative", "contact_person"])
    def test_people_never_reach_the_inbox_or_a_case(self, app_client, token, role):
        # GIVEN a submitted application and a person logged in with e-ID (even its own applicant)
        es = app_client("eservices")
        pnr, _, receipt = new_application(es, token)
        tok = token(role, personnummer=pnr)
        # WHEN they ask for the inbox or the case as case workers see it THEN 403, and nothing is audited
        assert es.get("/inbox", token=tok).status == 403
        assert es.get(f"/cases/{receipt['case_id']}", token=tok).status == 403
        assert es.post(f"/cases/{receipt['case_id']}/intake", {}, token=tok).status == 403
        assert actions_on(pnr) == []

    @pytest.mark.parametrize("role", ["provider_staff", "ordering_unit", "auditor"])
    def test_other_staff_never_reach_the_inbox(self, app_client, token, role):
        es = app_client("eservices")
        tok = token(role, user_id="other-staff", provider_id="prov-x")
        assert es.get("/inbox", token=tok).status == 403

    def test_without_a_token_401(self, app_client):
        assert app_client("eservices").get("/inbox").status == 401


class TestInbox:
    def test_a_new_application_shows_for_every_case_worker_with_a_masked_personnummer(self, app_client, token):
        # GIVEN a citizen's submitted support application for home care
        es = app_client("eservices")
        pnr, _, receipt = new_application(es, token)
        # WHEN two different case workers open the inbox
        from datetime import datetime, timezone

        from services.domain.calendar import stockholm_date

        # today's new ones only: other tests of this worker's store may have cases dated later
        today = stockholm_date(datetime.now(timezone.utc)).isoformat()
        rows = []
        for _ in range(2):
            cw_id, cw = case_worker(token)
            page = es.get(f"/inbox?status=new&from={today}&to={today}&limit=100", token=cw)
            assert page.status == 200, page.json
            rows.append(next(r for r in page.json["items"] if r["case_id"] == receipt["case_id"]))
        # THEN both see it as "Ny", with name, category and date, the personnummer masked
        for row in rows:
            assert row["personnummer"] == pnr[:8] + "-****"
            assert (row["name"], row["category"], row["status"], row["status_label"]) == (
                "Testsson, Test", "Hemtjänst insatser", "new", "Ny")
            assert row["submitted_on"] == receipt["submitted_at"][:10]
        assert pnr not in page.body.decode()
        # AND each read is audited as an inbox listing of this person, by each case worker
        assert actions_on(pnr).count("inbox.list") >= 2
        assert any(r.action == "inbox.list" and r.subject == pnr for r in audit_of(actor=f"case_worker:{cw_id}"))

    def test_filters_by_status_category_and_dates_newest_first(self, app_client, token):
        # GIVEN cases on days of March 2001 in different statuses and categories
        es = app_client("eservices")
        _, cw = case_worker(token)
        a = stored_case(utc(2001, 3, 1, 9))
        b = stored_case(utc(2001, 3, 2, 9), status="in_progress")
        c = stored_case(utc(2001, 3, 3, 9), category="LSS: Ledsagarservice")
        stored_case(utc(2001, 3, 4, 9))  # outside the dates asked for below
        # WHEN the case worker filters by dates only THEN newest first, only inside the dates
        page = es.get("/inbox?from=2001-03-01&to=2001-03-03", token=cw).json
        assert [r["case_id"] for r in page["items"]] == [c.case_id, b.case_id, a.case_id]
        # AND by status
        got = es.get("/inbox?from=2001-03-01&to=2001-03-03&status=in_progress", token=cw).json["items"]
        assert [(r["case_id"], r["status_label"]) for r in got] == [(b.case_id, "Under utredning")]
        # AND by category (a part of it)
        got = es.get("/inbox?from=2001-03-01&to=2001-03-03&category=LSS", token=cw).json["items"]
        assert [r["case_id"] for r in got] == [c.case_id]

    def test_a_day_is_a_stockholm_day(self, app_client, token):
        # GIVEN a case submitted 23:30 UTC on 9 May 2001, which is 01:30 on 10 May in Stockholm
        es = app_client("eservices")
        _, cw = case_worker(token)
        late = stored_case(utc(2001, 5, 9, 23, 30))
        # WHEN filtering on 10 May THEN it is there, and not on 9 May
        assert [r["case_id"] for r in es.get("/inbox?from=2001-05-10&to=2001-05-10", token=cw).json["items"]] == [
            late.case_id]
        assert es.get("/inbox?from=2001-05-09&to=2001-05-09", token=cw).json["items"] == []

    def test_pages_follow_the_cursor_without_gaps_or_repeats(self, app_client, token):
        # GIVEN five cases on one day, and two more filtered away by status
        es = app_client("eservices")
        _, cw = case_worker(token)
        made = [stored_case(utc(2001, 4, 2, 8, i)) for i in range(5)]
        for i in range(2):
            stored_case(utc(2001, 4, 2, 9, i), status="closed")
        # WHEN the case worker pages two at a time through the new ones
        seen, cursor, pages = [], None, 0
        while True:
            url = "/inbox?from=2001-04-02&to=2001-04-02&status=new&limit=2"
            url += f"&cursor={cursor}" if cursor else ""
            page = es.get(url, token=cw).json
            seen += [r["case_id"] for r in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if not cursor:
                break
        # THEN every case comes once, newest first
        assert seen == [c.case_id for c in reversed(made)]
        assert pages == 3

    @pytest.mark.parametrize("query,field", [
        ("status=ny", "query.status"), ("limit=0", "query.limit"), ("limit=101", "query.limit"),
        ("from=2001-13-01", "query.from"), ("from=2001-03-02&to=2001-03-01", "query.to"),
        ("cursor=bm90LWEtY3Vyc29y", "query.cursor"), ("colour=red", "query.colour"),
    ])
    def test_bad_queries_name_the_field_and_audit_nothing(self, app_client, token, query, field):
        es = app_client("eservices")
        cw_id, cw = case_worker(token)
        r = es.get(f"/inbox?{query}", token=cw)
        assert r.status == 422 and r.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in r.json["errors"]], r.json
        assert audit_of(actor=f"case_worker:{cw_id}") == []


class TestCase:
    def test_a_case_worker_reads_the_case_and_its_pdf_and_both_are_audited(self, app_client, token):
        # GIVEN a submitted application
        es = app_client("eservices")
        pnr, _, receipt = new_application(es, token)
        cw_id, cw = case_worker(token)
        # WHEN a case worker opens the case
        case = es.get(f"/cases/{receipt['case_id']}", token=cw)
        # THEN it shows the answers, full personnummer and the application's PDF
        assert case.status == 200, case.json
        assert case.json["personnummer"] == pnr and case.json["status_label"] == "Ny"
        assert case.json["answers"]["ansokan"]["need"] == "Jag behöver hjälp med städning"
        pdf = next(d for d in case.json["documents"] if d["kind"] == "submission_pdf")
        # AND the PDF downloads for the case worker
        got = es.get(pdf["url"].removeprefix("/eservices"), token=cw, headers=PDF)
        assert got.status == 200 and got.body.startswith(b"%PDF")
        # AND a browser is sent to a short-lived S3 address instead
        assert es.get(pdf["url"].removeprefix("/eservices"), token=cw).status == 303
        # AND both reads are audited: who, what, whose, why
        mine = [r for r in audit_of(person=pnr) if r.actor == f"case_worker:{cw_id}"]
        assert [r.action for r in mine] == ["case.read", "case.document.read", "case.document.read"]
        assert all(r.purpose == "Handläggning av ärende" and r.kind == "read" for r in mine)
        assert mine[0].resource == f"case:{receipt['case_id']}" and mine[0].actor_name == "Marita Aronsson"

    def test_an_unknown_case_or_document_is_404(self, app_client, token):
        es = app_client("eservices")
        _, _, receipt = new_application(es, token)
        _, cw = case_worker(token)
        assert es.get(f"/cases/{uuid.uuid4()}", token=cw).status == 404
        assert es.get(f"/cases/{receipt['case_id']}/files/{uuid.uuid4()}", token=cw).status == 404
        assert case_item(receipt["case_id"])["status"] == "submitted"
