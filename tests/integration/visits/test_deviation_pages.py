"""Avvikelser i besök, the visits app's page for case workers (``/visits/personal/avvikelser``),
in-process over moto: the case worker's own clients' deviations that wait for them, the filters,
"Godkänn markerade" with one reason, one at a time with a reason, the errors (nothing stored), and
who may reach it. The case worker's clients come from ``decision.published`` v2 through visits'
own consumer."""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from services.entrypoints.web.visits.section import visits_config
from tests.integration.web.helpers import Browser, text
from tests.support.staff_login import staff_principal, visits_session

PAGE = "/personal/avvikelser"


@dataclass
class VisitsBrowser(Browser):
    """The in-process browser with the visits section's cookie."""

    def _headers(self, extra=None):
        headers = dict(extra or {})
        if self.cookie:
            headers["Cookie"] = f"{visits_config().cookie_name}={self.cookie}"
        return headers


def logged_in(provider, role="case_worker", **claims):
    who = staff_principal(role, **claims)
    return VisitsBrowser(provider.visits, cookie=visits_session(who)), who


def keys(r):
    return re.findall(r'name="valda" value="([^"]+)"', r.body.decode())


def statuses(provider, pnr, morning):
    return [d["status"] for v in provider.month_visits(pnr, morning) for d in v["deviations"]]


class TestWhoMay:
    def test_the_case_worker_of_the_client_sees_its_waiting_deviation_and_another_sees_none(self, provider,
                                                                                            morning):
        b, me = logged_in(provider)
        pnr, visit = provider.manual_visit(morning, me.user_id)
        r = b.get(PAGE)
        assert r.status == 200, r.body
        assert r.headers["cache-control"] == "no-store" and "frame-ancestors 'none'" in r.headers[
            "content-security-policy"]
        assert keys(r) == [f"{visit['visit_id']}:0"]
        page = text(r)
        assert "Manuell kvittering" in page and pnr[:8] + "-****" in page and pnr not in page
        other, _ = logged_in(provider)
        r = other.get(PAGE)
        assert r.status == 200 and keys(r) == [] and "Inga avvikelser väntar på ditt beslut" in text(r)
        assert other.get(f"{PAGE}/{visit['visit_id']}/0").status == 404
        # AND another case worker's bulk post of it stores nothing
        r = other.post(PAGE, {"valda": f"{visit['visit_id']}:0", "motivering": "inte min klient"})
        assert r.status == 409 and statuses(provider, pnr, morning) == ["pending"]

    @pytest.mark.parametrize("role", ["provider_coordinator", "provider_staff", "provider_manager", "citizen",
                                      "auditor"])
    def test_anyone_else_gets_a_swedish_403(self, provider, morning, role):
        pnr, visit = provider.manual_visit(morning, "hl-x")
        them, _ = logged_in(provider, role)
        for path in (PAGE, f"{PAGE}/{visit['visit_id']}/0"):
            r = them.get(path)
            assert r.status == 403, (path, r.status)
            assert "Du har inte behörighet" in text(r)
        assert them.csrf  # their own session's token, from the logout form of the 403 page
        r = them.post(PAGE, {"valda": f"{visit['visit_id']}:0", "motivering": "försök"})
        assert r.status == 403 and statuses(provider, pnr, morning) == ["pending"]

    @pytest.mark.parametrize("path", [PAGE, "/personal"])
    def test_nobody_logged_in_is_sent_to_the_sections_login(self, provider, path):
        r = VisitsBrowser(provider.visits).get(path)
        assert r.status in (302, 303)
        location = r.headers["location"]
        if path == "/personal":
            r = VisitsBrowser(provider.visits).get(PAGE)
            location = r.headers["location"]
        assert location.startswith("/visits/personal/logga-in?")
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["next"] == ["/visits/personal/avvikelser"]

    def test_the_login_goes_to_insats_authorization_server_with_the_sections_client(self, provider):
        r = VisitsBrowser(provider.visits).get("/personal/logga-in")
        assert r.status == 302
        target = urllib.parse.urlsplit(r.headers["location"])
        query = dict(urllib.parse.parse_qsl(target.query))
        assert target.path.endswith("/identity/authorize") and query["client_id"] == "insats-visits"
        assert query["redirect_uri"].endswith("/visits/personal/logga-in/klar")
        assert visits_config().cookie_name in r.headers["set-cookie"]


class TestDecisions:
    def test_godkann_markerade_decides_the_chosen_with_one_reason_through_the_api_use_case(self, provider,
                                                                                           morning):
        b, me = logged_in(provider)
        first, v1 = provider.manual_visit(morning, me.user_id)
        second, v2 = provider.manual_visit(morning, me.user_id, hours=2)
        third, v3 = provider.manual_visit(morning, me.user_id, hours=4)
        assert sorted(keys(b.get(PAGE))) == sorted(f"{v['visit_id']}:0" for v in (v1, v2, v3))
        r = b.post(PAGE, [("valda", f"{v1['visit_id']}:0"), ("valda", f"{v2['visit_id']}:0"),
                          ("motivering", "Låset fungerade inte, bekräftat")])
        assert r.status == 303 and r.headers["location"] == "/visits/personal/avvikelser"
        assert statuses(provider, first, morning) == ["approved"] == statuses(provider, second, morning)
        assert statuses(provider, third, morning) == ["pending"]
        (visit,) = provider.month_visits(first, morning)
        assert visit["deviations"][0]["decided_by"] and visit["history"][-1]["why"].startswith("approved: Låset")
        r = b.get(PAGE)
        assert "2 avvikelser godkända" in text(r) and keys(r) == [f"{v3['visit_id']}:0"]

    def test_bad_input_shows_the_errors_and_stores_nothing(self, provider, morning):
        b, me = logged_in(provider)
        pnr, visit = provider.manual_visit(morning, me.user_id)
        b.get(PAGE)
        r = b.post(PAGE, {"motivering": "x"})
        assert r.status == 422
        body = r.body.decode()
        assert 'class="error-summary"' in body and 'href="#valda"' in body and 'href="#b-motivering"' in body
        assert "Markera minst en avvikelse" in text(r) and "minst 3 tecken" in text(r)
        assert 'id="valda"' in body and 'aria-invalid="true"' in body
        r = b.post(PAGE, {"valda": f"{visit['visit_id']}:0", "motivering": ""})
        assert r.status == 422 and f'value="{visit["visit_id"]}:0" id="valda" checked' in r.body.decode()
        assert statuses(provider, pnr, morning) == ["pending"]

    def test_one_at_a_time_rejected_with_a_reason(self, provider, morning):
        b, me = logged_in(provider)
        pnr, visit = provider.manual_visit(morning, me.user_id)
        path = f"{PAGE}/{visit['visit_id']}/0"
        r = b.get(path)
        assert r.status == 200 and "Besluta om avvikelse" in text(r)
        r = b.post(path, {"motivering": "ok"})
        assert r.status == 422 and "Välj om avvikelsen godkänns eller avslås" in text(r)
        assert 'href="#d-beslut-approved"' in r.body.decode() and statuses(provider, pnr, morning) == ["pending"]
        r = b.post(path, {"beslut": "rejected", "motivering": "Besöket gjordes inte"})
        assert r.status == 303 and statuses(provider, pnr, morning) == ["rejected"]
        assert "Avvikelsen är avslagen" in text(b.get(PAGE))
        assert b.get(path).status == 404  # decided: no longer waiting

    def test_the_filters_narrow_by_kind_client_and_date_and_bad_ones_are_errors(self, provider, morning):
        b, me = logged_in(provider)
        first, v1 = provider.manual_visit(morning, me.user_id)
        second, v2 = provider.manual_visit(morning, me.user_id, hours=2)
        assert keys(b.get(f"{PAGE}?klient={first}")) == [f"{v1['visit_id']}:0"]
        assert keys(b.get(f"{PAGE}?typ=over_granted_time")) == []
        assert len(keys(b.get(f"{PAGE}?typ=manual_receipt"))) == 2
        day = v1["started_at"][:10]
        assert len(keys(b.get(f"{PAGE}?fran={day}&till={day}"))) in (1, 2)
        later = (datetime.fromisoformat(v1["started_at"]) + timedelta(days=3)).date().isoformat()
        assert keys(b.get(f"{PAGE}?fran={later}")) == []
        r = b.get(f"{PAGE}?fran=igar&klient=123")
        assert r.status == 200 and 'href="#f-fran"' in r.body.decode() and 'href="#f-klient"' in r.body.decode()
        assert "ÅÅÅÅ-MM-DD" in text(r) and keys(r) == []

    def test_a_redelivered_decision_lists_the_client_once(self, provider, morning):
        b, me = logged_in(provider)
        pnr, visit = provider.manual_visit(morning, me.user_id)
        provider.decided_by(pnr, me.user_id, times=2)
        assert keys(b.get(PAGE)) == [f"{visit['visit_id']}:0"]


def test_time_beyond_the_granted_time_waits_on_the_page_and_is_approved_one_at_a_time(provider, morning):
    # GIVEN my client granted 40 minutes a month, with two visits of 30 minutes: the second passes it
    from datetime import date

    from services.domain.calendar import month_of

    b, me = logged_in(provider)
    pnr, tag = provider.new_client(decision=False)
    provider.decided_by(pnr, me.user_id, minutes=40, valid_from=date(*month_of(morning), 1))
    for start in (morning, morning + timedelta(hours=3)):
        provider.post([provider.event("arrival", pnr, tag, start),
                       provider.event("departure", pnr, tag, start + timedelta(minutes=30))])
    provider.deliver()
    # WHEN I filter on time beyond the granted THEN the second visit is there, and not among manual receipts
    r = b.get(f"{PAGE}?typ=over_granted_time")
    (key,) = keys(r)
    assert "Tid utöver beviljad" in text(r) and keys(b.get(f"{PAGE}?typ=manual_receipt")) == []
    # AND approving it with a reason on its own page decides it
    visit_id, index = key.split(":")
    assert b.post(f"{PAGE}/{visit_id}/{index}", {"beslut": "approved", "motivering": "Utökat behov efter fall"}
                  ).status == 303
    assert [d["status"] for v in provider.month_visits(pnr, morning) for d in v["deviations"]] == ["approved"]
    assert keys(b.get(PAGE)) == []


def test_the_sections_static_files_are_served_by_the_visits_app_and_nothing_outside_them(provider):
    r = provider.visits.request("GET", "/web/static/app.css")
    assert r.status == 200 and r.headers["content-type"].startswith("text/css")
    assert provider.visits.request("GET", "/web/static/..%2Fhttp.py").status == 404
    assert provider.visits.request("GET", "/web/static/finns-inte.css").status == 404
