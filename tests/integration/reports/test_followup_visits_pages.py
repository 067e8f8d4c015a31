"""The follow-up's visits behind every figure, one visit, twelve months' trend and early warnings
(``/reports/personal/uppfoljning/besok|trend|varningar``), in-process over moto, from reports' own
client-months and month reports built from events: what each page shows and who may (the ordering
unit and finance every provider, a case worker their own clients only, auditors and providers'
people 403, nobody a login).

The months are in 2023 so that their weeks have passed (the early warnings count ended weeks only):
provider A serves client a (case worker cw-a) 20 visits in each of February–April, 2 by hand, and in
May 28 visits of 20 minutes a day against an hour a day granted (under the granted time every week),
8 by hand (a jump in the manual share), the last 3 not approved, one edited with a pending
over-granted-time deviation; provider B serves client b (cw-b) three visits in May."""
from __future__ import annotations

import re
import urllib.parse
import uuid
from datetime import date, datetime, timedelta

import pytest

from services.contracts.events import (DecisionPublishedV2, GrantedTime, VisitChangedV2, VisitContent,
                                       VisitDeviation, split_minutes)
from services.domain.calendar import STOCKHOLM
from services.reports.bootstrap import deps
from services.reports.usecases.rebuild import rebuild
from tests.integration.reports.test_followup_pages import ReportsBrowser, inner, links, logged_in
from tests.integration.web.helpers import text
from tests.support.people import new_pnr

MONTH = "2023-05"
A, B = "prov-varn-a", "prov-varn-b"
EARLIER = ("2023-02", "2023-03", "2023-04")


def visit(client, provider, year, month, day, minutes, receipt="digital_lock", status="approved", **extra):
    start = datetime(year, month, day, 9, 0, tzinfo=STOCKHOLM)
    content = VisitContent(staff_id=extra.pop("staff", "anna"), started_at=start,
                           ended_at=start + timedelta(minutes=minutes), minutes=minutes,
                           insatser=split_minutes(minutes, ["personlig_omsorg"]), status=status,
                           receipt_methods=[receipt], **extra)
    return VisitChangedV2(visit_id=str(uuid.uuid4()), client=client, provider_id=provider, year=year, month=month,
                          visit_version=2, change="approved", visit=content).envelope("visits")


def decision(client, provider, case_worker, minutes):
    return DecisionPublishedV2(decision_id=str(uuid.uuid4()), case_id="c", case_number="2023-000005", client=client,
                               insats="hemtjanst", law="SoL", outcome="granted", granted_minutes_per_month=minutes,
                               valid_from=date(2023, 1, 1), decided_at=datetime(2023, 1, 1, tzinfo=STOCKHOLM),
                               granted=[GrantedTime(insats="personlig_omsorg", minutes_per_month=minutes)],
                               provider_id=provider, case_worker_id=case_worker).envelope("eservices")


@pytest.fixture(scope="module")
def built(app_client):
    a, b = new_pnr(1940), new_pnr(1950)
    app = app_client("reports")
    assert app.sqs("on_event", [e.model_dump_json() for e in
                                (decision(a, A, "cw-a", 31 * 60), decision(b, B, "cw-b", 600))]) == \
        {"batchItemFailures": []}
    events = []
    for m in (2, 3, 4):
        events += [visit(a, A, 2023, m, d, 60, receipt="manual" if d <= 2 else "digital_lock") for d in range(1, 21)]
    may = [visit(a, A, 2023, 5, d, 20, receipt="manual" if d <= 8 else "nfc",
                 status="registered" if d >= 26 else "approved") for d in range(1, 26)]
    may += [visit(a, A, 2023, 5, 26, 20, status="registered", edited=True,
                  deviations=[VisitDeviation(code="over_granted_time", status="pending")], staff="bo"),
            visit(a, A, 2023, 5, 27, 20, status="registered"), visit(a, A, 2023, 5, 28, 20, status="registered")]
    may += [visit(b, B, 2023, 5, d, 60, staff="cia") for d in (2, 3, 4)]
    events += may
    for i in range(0, len(events), 25):
        assert app.sqs("on_event", [e.model_dump_json() for e in events[i:i + 25]]) == {"batchItemFailures": []}
    for m in (*EARLIER, MONTH):
        rebuild(deps(), m)
    deviating = next(e for e in may if e.payload["visit"]["deviations"])
    return a, b, deviating.payload["visit_id"]


def page(path, **query):
    return path + "?" + urllib.parse.urlencode({"manad": MONTH, **query})


VISITS = "/personal/uppfoljning/besok"
TREND = "/personal/uppfoljning/trend"
WARNINGS = "/personal/uppfoljning/varningar"


class TestTheVisitsBehindAFigure:
    def test_the_deviation_figure_leads_to_its_visit_and_the_visit_to_what_reports_know_of_it(self, app_client, built):
        a, _, deviating = built
        b, _ = logged_in(app_client)
        follow = b.get(f"/personal/uppfoljning?manad={MONTH}")
        figure = next(h for h in links(follow) if f"utforare={A}" in h and "avvikelse=over_granted_time" in h)
        r = b.get(inner(figure))
        assert r.status == 200, text(r)
        assert "1 besök med över beviljad tid" in text(r) and a[:8] + "-****" in text(r) and a not in r.body.decode()
        assert "2023-05-26 09:00" in text(r) and "Väntar på beslut" in text(r).replace("väntar", "Väntar")
        one = next(h for h in links(r) if "/besok/" in h)
        assert deviating in one and a not in one  # the visit's page names no personnummer
        v = b.get(inner(one))
        assert v.status == 200, text(v)
        page_text = text(v)
        for expected in ("Början 2023-05-26 09:00", "Slut 2023-05-26 09:20", "Minuter 20", "Personal bo",
                         "Personlig omsorg: 20 minuter", "Registrerad, ej godkänd", "Ändrat i efterhand Ja",
                         "Efterregistrerat Nej", "Över beviljad tid Väntar på beslut", "Kvittering Lås"):
            assert expected in page_text, expected

    def test_every_kind_counts_the_visits_the_figure_counts(self, app_client, built):
        b, _ = logged_in(app_client)
        assert "8 besök med manuell kvittering" in text(b.get(page(VISITS, utforare=A, avvikelse="manual_receipt")))
        assert "20 besök med digital kvittering" in text(b.get(page(VISITS, utforare=A, avvikelse="digital_receipt")))
        r = b.get(page(VISITS, utforare=A, avvikelse="unapproved"))
        assert re.search(r"(\d+) besök med ej godkända", text(r)).group(1) == "3"
        r = b.get(page(VISITS, utforare=A))
        assert "28 besök" in text(r) and "sida 1 av 1" not in text(r) and B not in text(r)
        assert b.get(page(VISITS, utforare=A, avvikelse="inget")).status == 404
        assert b.get(page(VISITS, utforare="prov-finns-inte")).status == 404
        assert b.get(page(VISITS, manad="maj")).status == 422

    def test_a_client_figure_pages_its_visits(self, app_client, built, monkeypatch):
        from services.entrypoints.web.reports import visits

        monkeypatch.setattr(visits, "PER_PAGE", 10)
        b, _ = logged_in(app_client)
        follow = b.get(f"/personal/uppfoljning?manad={MONTH}")
        client = next(h for h in links(follow) if "/besok?" in h and "brukare=" in h and f"utforare={A}" in h)
        r = b.get(inner(client))
        assert r.status == 200 and "28 besök, sida 1 av 3" in text(r)
        last = inner(next(h for h in links(r) if "sida=2" in h)).replace("sida=2", "sida=3")
        assert "sida 3 av 3" in text(b.get(last))

    def test_a_visit_not_of_the_client_is_not_found(self, app_client, built):
        _, _, deviating = built
        b, _ = logged_in(app_client)
        assert b.get(page(f"{VISITS}/99999/{deviating}")).status == 404
        assert b.get(page(f"{VISITS}/x/{deviating}")).status == 404
        assert b.get(page(f"{VISITS}/0/{uuid.uuid4()}")).status == 404


class TestTrend:
    def test_twelve_months_per_provider_with_a_chart_and_the_same_figures_in_a_table(self, app_client, built):
        b, _ = logged_in(app_client)
        r = b.get(page(TREND))
        assert r.status == 200, text(r)
        t = text(r)
        assert "Trend tolv månader till 2023-05" in t and "2022-06 till 2023-05" in t
        svgs = re.findall(r'<svg[^>]*role="img"[^>]*>.*?</svg>', r.body.decode(), re.S)
        assert len(svgs) == 2 and all("<title" in s and "<desc" in s and "<script" not in s for s in svgs)
        chart_a = next(s for s in svgs if A in s)
        # A's months: Feb–Apr 20 visits, 2 by hand (90 % digital); May 28, 8 by hand (71 %)
        assert "2023-04 90 %" in chart_a and "2023-05 71 %" in chart_a and "2022-06 –" in chart_a
        assert "stroke-dasharray" in chart_a  # the series told apart without colour
        assert "Ingen rapport eller inga besök" in t
        may = [h for h in links(r) if "manad=2023-05" in h and f"utforare={A}" in h and "/besok?" in h]
        assert may and b.get(inner(may[0])).status == 200
        assert b.get(TREND + "?manad=2023-13").status == 422


class TestEarlyWarnings:
    def test_the_three_rules_each_with_the_visits_behind(self, app_client, built):
        a, _, _ = built
        b, _ = logged_in(app_client)
        r = b.get(page(WARNINGS))
        assert r.status == 200, text(r)
        t = text(r)
        # (a) May's weeks 18–21 (1–28 May): 20 minutes a day of an hour granted
        assert "2 brukare under beviljad tid" in t and a[:8] + "-****" in t
        # a: weeks 18–21 at 33 % (week 22 has only 3 days in May); b: visited in week 18 only (3 h of 2,2 h)
        assert re.search(rf"{A} v\. 18: 2,3 h av 7,0 h \(33 %\);.* v\. 21: 2,3 h av 7,0 h \(33 %\) ", t)
        assert re.search(rf"{B} v\. 19: 0,0 h av 2,2 h \(0 %\); v\. 20: .*; v\. 21: 0,0 h av 2,2 h \(0 %\) ", t)
        assert "v. 22" not in t
        # (b) the manual share: 10 % in Feb–Apr, 8 of 28 (28,6 %) in May
        assert "Manuell kvittering Ett hopp (medel före: 10,0 %)" in t and "2023-05: 28,6 %" in t
        # (c) May's lock date, 2023-06-05 (the third working day of June: Thu 1, Fri 2, Mon 5), passed
        assert re.search(rf"2023-05 {A} 2023-06-05 \(passerat\) 1,0 h", t), t
        behind = [h for h in links(r) if "avvikelse=unapproved" in h]
        assert behind and re.search(r"(\d+) besök med ej godkända", text(b.get(inner(behind[0])))).group(1) == "3"
        client = next(h for h in links(r) if "brukare=" in h and f"utforare={A}" in h)
        assert "28 besök" in text(b.get(inner(client)))

    def test_the_nav_names_the_new_pages(self, app_client, built):
        b, _ = logged_in(app_client)
        body = b.get(page(WARNINGS)).body.decode()
        assert "Tidiga varningar" in body and ">Trend<" in body and 'aria-current="page"' in body


class TestWhoMay:
    def paths(self, built):
        _, _, deviating = built
        return [page(VISITS, utforare=A), page(VISITS, utforare=A, avvikelse="over_granted_time"),
                page(f"{VISITS}/0/{deviating}"), page(TREND), page(WARNINGS)]

    def test_finance_sees_what_the_ordering_unit_sees(self, app_client, built):
        b, _ = logged_in(app_client, "finance")
        ou, _ = logged_in(app_client)
        for path in self.paths(built)[:2] + self.paths(built)[3:]:
            mine, theirs = b.get(path), ou.get(path)
            assert mine.status == 200, (path, text(mine))
            assert A in text(mine) and text(mine).count(A) == text(theirs).count(A)

    def test_a_case_worker_sees_their_own_clients_visits_only(self, app_client, built):
        a, b_pnr, deviating = built
        own, _ = logged_in(app_client, "case_worker", user_id="cw-a")
        other, _ = logged_in(app_client, "case_worker", user_id="cw-b")
        r = own.get(page(VISITS, utforare=A))
        assert r.status == 200 and "28 besök" in text(r)
        assert other.get(page(VISITS, utforare=A)).status == 404  # another's clients: none, not an empty list
        assert "3 besök" in text(other.get(page(VISITS, utforare=B)))
        # the visit's page: the client's place in the build is the same for everyone; only its case worker reaches it
        number = next(h for h in links(r) if "/besok/" in h).split("/besok/")[1].split("/")[0]
        assert own.get(page(f"{VISITS}/{number}/{deviating}")).status == 200
        assert other.get(page(f"{VISITS}/{number}/{deviating}")).status == 404
        # trend and the providers' warnings hold every client: not for a case worker
        t = text(own.get(page(TREND)))
        assert "visas för beställarenheten och ekonomi" in t and "<svg" not in own.get(page(TREND)).body.decode()
        w = own.get(page(WARNINGS))
        assert w.status == 200 and a[:8] + "-****" in text(w) and "Ökande andel" not in text(w)
        theirs = text(other.get(page(WARNINGS)))
        assert "1 brukare under" in theirs and b_pnr[:8] + "-****" in theirs and a[:8] not in theirs

    def test_an_auditor_is_refused(self, app_client, built):
        b, _ = logged_in(app_client, "auditor", user_id="aud-1")
        for path in self.paths(built):
            assert b.get(path).status == 403, path

    @pytest.mark.parametrize("role", ["provider_coordinator", "provider_manager", "provider_staff"])
    def test_providers_people_are_refused_even_their_own(self, app_client, built, role):
        b, _ = logged_in(app_client, role, provider_id=A)
        for path in self.paths(built):
            r = b.get(path)
            assert r.status == 403 and "Du har inte behörighet" in text(r), path

    def test_nobody_logged_in_is_sent_to_the_login(self, app_client, built):
        for path in self.paths(built):
            r = ReportsBrowser(app_client("reports")).get(path)
            assert r.status in (302, 303) and r.headers["location"].startswith("/reports/personal/logga-in?"), path
