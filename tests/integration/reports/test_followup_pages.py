"""Uppföljning, the reports app's staff pages (``/reports/personal/uppfoljning``), in-process over
moto: a month's report as the nightly build left it (when it was built), per provider and client,
each chart an inline SVG with the same figures in a table; every figure leads to the report's rows
behind it; who may (the ordering unit and finance everything, a case worker their own clients only, an auditor
and providers' people 403, nobody a login)."""
from __future__ import annotations

import re
import urllib.parse
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest

from services.contracts.events import DecisionPublishedV2, GrantedTime, VisitChangedV2, VisitContent, split_minutes
from services.entrypoints.web.reports.section import REPORTS, reports_config
from services.reports.bootstrap import deps
from services.reports.usecases.rebuild import rebuild
from tests.integration.web.helpers import Browser, text
from tests.support.people import new_pnr
from tests.support.staff_login import staff_principal, staff_session

MONTH = "2032-03"
PAGE = f"/personal/uppfoljning?manad={MONTH}"
OWN, OTHER = "prov-uppf-a", "prov-uppf-b"


@dataclass
class ReportsBrowser(Browser):
    """The in-process browser with the follow-up section's cookie."""

    def _headers(self, extra=None):
        headers = dict(extra or {})
        if self.cookie:
            headers["Cookie"] = f"{reports_config().cookie_name}={self.cookie}"
        return headers


def logged_in(app_client, role="ordering_unit", **claims):
    who = staff_principal(role, **claims)
    return ReportsBrowser(app_client("reports"), cookie=staff_session(deps().sessions, who, section=REPORTS)), who


def visit(client, provider, day, staff, minutes=60, receipt="digital_lock", **extra):
    start = datetime(2032, 3, day, 8, 0, tzinfo=timezone.utc)
    content = VisitContent(staff_id=staff, started_at=start, ended_at=start + timedelta(minutes=minutes),
                           minutes=minutes, insatser=split_minutes(minutes, ["personlig_omsorg"]), status="approved",
                           receipt_methods=[receipt], **extra)
    return VisitChangedV2(visit_id=str(uuid.uuid4()), client=client, provider_id=provider, year=2032, month=3,
                          visit_version=2, change="approved", visit=content).envelope("visits")


def decision(client, provider, case_worker):
    return DecisionPublishedV2(decision_id=str(uuid.uuid4()), case_id="c", case_number="2032-000003", client=client,
                               insats="hemtjanst", law="SoL", outcome="granted", granted_minutes_per_month=600,
                               valid_from=date(2032, 1, 1), decided_at=datetime(2032, 1, 1, tzinfo=timezone.utc),
                               granted=[GrantedTime(insats="personlig_omsorg", minutes_per_month=600)],
                               provider_id=provider, case_worker_id=case_worker).envelope("eservices")


@pytest.fixture(scope="module")
def built(app_client):
    """Client a (case worker cw-a's) at OWN: 600 min granted, 180 performed, one visit receipted by hand
    and one post-registered; client b (cw-b's) at OTHER: 60 performed, digital."""
    a, b = new_pnr(1940), new_pnr(1950)
    events = [decision(a, OWN, "cw-a"), decision(b, OTHER, "cw-b"),
              visit(a, OWN, 2, "anna"), visit(a, OWN, 3, "bo", receipt="manual"),
              visit(a, OWN, 4, "bo", receipt="post_registration", source="post_registration"),
              visit(b, OTHER, 2, "cia")]
    assert app_client("reports").sqs("on_event", [e.model_dump_json() for e in events]) == {"batchItemFailures": []}
    rebuild(deps(), MONTH)
    return a, b


def links(r) -> list[str]:
    return [urllib.parse.unquote(h).replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', r.body.decode())]


def inner(href: str) -> str:
    return href.removeprefix("/reports")


class TestTheOrderingUnit:
    def test_sees_every_provider_with_when_it_was_built_and_each_chart_beside_its_table(self, app_client, built):
        b, _ = logged_in(app_client)
        r = b.get(PAGE)
        assert r.status == 200, text(r)
        assert r.headers["cache-control"] == "no-store" and "script-src" in r.headers["content-security-policy"]
        page = text(r)
        assert "Enligt nattens rapport, byggd" in page and OWN in page and OTHER in page
        body = r.body.decode()
        svgs = re.findall(r'<svg[^>]*role="img"[^>]*>.*?</svg>', body, re.S)
        # time, receipts, deviations, post-registrations and edits; continuity counts nobody this month
        assert len(svgs) == 4 and all("<title" in s and "<desc" in s for s in svgs)
        assert "<script" not in body.split("</main>")[0].split("<main")[-1]  # nothing inline in the page body
        assert all("url(#" in s for s in svgs)  # each series drawn with its pattern, not colour alone
        # the same figures in the table beside the chart: OWN's 10 h granted, 3 h performed (30 %)
        assert "10,0 h" in page and "3,0 h" in page and "30 %" in page
        # receipts: OWN's 3 visits, 1 manual (33 %), 2 not (67 %)
        assert "Manuellt" in page and "33 %" in page and "67 %" in page
        assert "Efterregistrering" in page and "Ingen brukare räknas för personalkontinuitet" in page

    def test_no_figure_in_a_tables_body_stands_without_its_link(self, app_client, built):
        """Every number of every table's rows (time, counts, shares, continuity) is a link to what is
        behind it; only a zero (nothing behind it) and a dash (no figure) stand alone."""
        b, _ = logged_in(app_client)
        body = b.get(PAGE).body.decode()
        bodies = re.findall(r"<tbody>(.*?)</tbody>", body, flags=re.S)
        cells = [c for tb in bodies for c in re.findall(r"<td[^>]*>(.*?)</td>", tb, flags=re.S)]
        assert len(cells) > 20
        bare = [c for c in cells if "<a " not in c and re.search(r"[1-9]", c)]
        assert bare == []

    def test_every_figure_leads_to_the_visits_behind_it_and_each_name_to_the_rows(self, app_client, built):
        b, _ = logged_in(app_client)
        r = b.get(PAGE)
        manual = next(h for h in links(r) if f"utforare={OWN}" in h and "avvikelse=manual_receipt" in h)
        assert "/personal/uppfoljning/besok?" in manual
        visits = b.get(inner(manual))
        assert visits.status == 200, text(visits)
        assert "1 besök med manuell kvittering" in text(visits) and OTHER not in text(visits)
        rows = b.get(inner(next(h for h in links(r) if "/underlag?" in h and f"utforare={OWN}" in h)))
        assert rows.status == 200 and "Manuell kvittering: 1" in text(rows) and OTHER not in text(rows)
        client_links = [h for h in links(r) if "/underlag?" in h and "brukare=" in h]
        assert client_links
        one = b.get(inner(client_links[0]))
        assert one.status == 200 and one.body.count(b'<th scope="row">') == 1

    def test_the_client_table_pages(self, app_client, built, monkeypatch):
        from services.entrypoints.web.reports import followup

        monkeypatch.setattr(followup, "PER_PAGE", 1)
        b, _ = logged_in(app_client)
        r = b.get(PAGE)
        following = [h for h in links(r) if "sida=2" in h]
        assert following and "sida 1 av" in text(r)
        assert "sida 2 av" in text(b.get(inner(following[0]).split("#")[0]))

    def test_a_bad_month_names_the_field_and_a_month_not_built_says_so(self, app_client, built):
        b, _ = logged_in(app_client)
        r = b.get("/personal/uppfoljning?manad=mars")
        assert r.status == 422 and "Skriv månaden som ÅÅÅÅ-MM" in text(r) and 'href="#manad"' in r.body.decode()
        r = b.get("/personal/uppfoljning?manad=2031-01")
        assert r.status == 200 and "Det finns ingen rapport för 2031-01 ännu" in text(r)


class TestWhoMay:
    def test_a_case_worker_sees_only_their_own_clients_rows_and_no_providers_totals(self, app_client, built):
        a, b_pnr = built
        b, _ = logged_in(app_client, "case_worker", user_id="cw-a")
        r = b.get(PAGE)
        assert r.status == 200, text(r)
        page = text(r)
        assert a[:8] in page and b_pnr[:8] not in page and "<svg" not in r.body.decode()
        assert "dina egna brukares rader" in page
        # another's provider rows: 404, not an empty list
        assert b.get(f"/personal/uppfoljning/underlag?manad={MONTH}&utforare={OTHER}").status == 404

    def test_an_auditor_is_refused_the_follow_up(self, app_client, built):
        b, _ = logged_in(app_client, "auditor", user_id="aud-1")
        assert b.get(PAGE).status == 403
        assert b.get(f"/personal/uppfoljning/underlag?manad={MONTH}&utforare={OWN}").status == 403

    @pytest.mark.parametrize("role", ["provider_coordinator", "provider_manager", "provider_staff"])
    def test_providers_people_are_refused(self, app_client, built, role):
        b, _ = logged_in(app_client, role, provider_id=OWN)
        for path in (PAGE, f"/personal/uppfoljning/underlag?manad={MONTH}&utforare={OWN}"):
            r = b.get(path)
            assert r.status == 403 and "Du har inte behörighet" in text(r)

    @pytest.mark.parametrize("path", [PAGE, "/personal"])
    def test_nobody_logged_in_is_sent_to_the_sections_login(self, app_client, path):
        r = ReportsBrowser(app_client("reports")).get(path)
        if path == "/personal":
            assert r.status in (302, 303)
            r = ReportsBrowser(app_client("reports")).get(PAGE)
        assert r.status in (302, 303)
        location = r.headers["location"]
        assert location.startswith("/reports/personal/logga-in?")

    def test_the_login_goes_to_insats_authorization_server_with_the_sections_client(self, app_client):
        r = ReportsBrowser(app_client("reports")).get("/personal/logga-in")
        assert r.status == 302
        target = urllib.parse.urlsplit(r.headers["location"])
        query = dict(urllib.parse.parse_qsl(target.query))
        assert target.path.endswith("/identity/authorize") and query["client_id"] == "insats-reports"
        assert query["redirect_uri"].endswith("/reports/personal/logga-in/klar")
        assert "insats_reports" in r.headers["set-cookie"]

    def test_the_authorization_server_knows_the_client_and_its_roles(self):
        from services.auth.principal import Role
        from services.identity.domain.grants import CLIENTS

        client = CLIENTS["insats-reports"]
        assert client.redirect_path == "/reports/personal/logga-in/klar"
        assert client.roles == {Role.ORDERING_UNIT, Role.FINANCE, Role.CASE_WORKER}


class TestSession:
    def test_logging_out_needs_the_pages_csrf_token_and_ends_the_session(self, app_client, built):
        b, _ = logged_in(app_client)
        assert b.get(PAGE).status == 200
        assert b.post("/personal/logga-ut", {}, csrf="fel").status == 400
        assert b.get(PAGE).status == 200  # still logged in
        r = b.post("/personal/logga-ut", {})
        assert r.status == 200 and "Du är utloggad" in text(r)
        assert b.get(PAGE).status in (302, 303)

    def test_the_side_navigation_names_the_page_and_the_layout_the_section(self, app_client, built):
        b, _ = logged_in(app_client)
        body = b.get(PAGE).body.decode()
        assert 'aria-current="page"' in body and "Insats uppföljning" in body and '<html lang="sv"' in body


@pytest.mark.parametrize("role,let_in", [("ordering_unit", True), ("finance", True), ("case_worker", True),
                                         ("auditor", False),
                                         ("provider_coordinator", False), ("provider_manager", False),
                                         ("provider_staff", False)])
def test_the_sections_own_door_behind_the_authorization_servers(role, let_in):
    """The section's ``admit`` refuses at login what the identity app's client does not serve."""
    from services.domain.errors import Forbidden
    from services.entrypoints.web.reports.common import admitted

    who = staff_principal(role)
    if let_in:
        admitted(who)
    else:
        with pytest.raises(Forbidden):
            admitted(who)
