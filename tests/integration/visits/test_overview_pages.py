"""Översikt and Månaden och fakturaunderlag (``/visits/personal/oversikt``, ``…/manaden``) in-process
over moto: the month's counts from the kept summaries, the lock date line, the blockers, the per
client table sorted by GET parameters (aria-sort), the preliminary basis; and who may see them."""
from __future__ import annotations

import re
import urllib.parse
from datetime import timedelta

import pytest

from services.domain.calendar import lock_date, month_of
from tests.integration.visits.test_deviation_pages import VisitsBrowser, logged_in
from tests.integration.web.helpers import text

PAGE, MONTH = "/personal/oversikt", "/personal/manaden"


def ym(morning):
    y, m = month_of(morning)
    return f"{y:04d}-{m:02d}"


def some_visits(provider, morning):
    """Two clients: three ended visits and one open (since yesterday) for the first, one for the second."""
    first, tag1 = provider.new_client()
    second, tag2 = provider.new_client()
    events = []
    for k in range(3):
        at = morning + timedelta(hours=k)
        events += [provider.event("arrival", first, tag1, at), provider.event("departure", first, tag1,
                                                                              at + timedelta(minutes=30))]
    events += [provider.event("arrival", first, tag1, morning + timedelta(hours=5))]
    events += [provider.event("arrival", second, tag2, morning + timedelta(hours=1), staff="bo"),
               provider.event("departure", second, tag2, morning + timedelta(hours=1, minutes=45), staff="bo")]
    assert provider.post(events).status == 202
    provider.deliver()
    return first, second


class TestOverview:
    def test_the_coordinator_sees_the_months_counts_lock_date_blockers_and_clients(self, provider, morning):
        first, second = some_visits(provider, morning)
        b, _ = logged_in(provider, "provider_coordinator", provider_id=provider.id)
        r = b.get(f"{PAGE}?manad={ym(morning)}")
        assert r.status == 200, r.body[:800]
        assert r.headers["cache-control"] == "no-store"
        page = text(r)
        assert "5 besök" in page and "Väntar på godkännande" in page
        assert "1 från tidigare dagar (avfärd saknas)" in page and "Avfärd saknas" in page
        y, m = month_of(morning)
        assert f"Spärrdatum för" in page and lock_date(y, m).isoformat() in page
        assert "5 besök är inte godkända" in page
        body = r.body.decode()
        assert "/visits/personal/att-atgarda?typ=missing_departure" in body
        assert "/visits/personal/besok?fran=" in body and "status=registered" in body
        # the per-client table: the provider's own clients by personnummer, links to the client's visits
        assert f"{first[:8]}-{first[8:]}" in page and f"{second[:8]}-{second[8:]}" in page
        assert f"klient={first}" in body and f"klient={second}" in body
        assert 'aria-sort="ascending"' in body

    def test_the_client_table_sorts_by_get_parameters_with_aria_sort(self, provider, morning):
        first, second = some_visits(provider, morning)
        b, _ = logged_in(provider, "provider_manager", provider_id=provider.id)
        r = b.get(f"{PAGE}?manad={ym(morning)}&sortera=utford&ordning=fallande")
        assert r.status == 200
        body = r.body.decode()
        assert re.search(r'aria-sort="descending"><a href="[^"]*sortera=utford&amp;ordning=stigande', body)
        table = body.split('id="per-klient"', 1)[1]
        order = [m for m in re.findall(r"klient=(\d{12})", table)]
        # first: 90 minutes performed; second: 45
        assert order[:2] == [first, second]
        r = b.get(f"{PAGE}?manad={ym(morning)}&sortera=utford&ordning=stigande")
        table = r.body.decode().split('id="per-klient"', 1)[1]
        assert re.findall(r"klient=(\d{12})", table)[:2] == [second, first]

    def test_a_bad_month_is_an_error_with_the_current_month_shown(self, provider):
        b, _ = logged_in(provider, "provider_coordinator", provider_id=provider.id)
        r = b.get(f"{PAGE}?manad=2026-13")
        assert r.status == 422 and "Välj en månad i listan" in text(r) and 'href="#f-manad"' in r.body.decode()

    def test_another_providers_coordinator_sees_nothing_of_this_provider(self, provider, morning):
        first, _ = some_visits(provider, morning)
        them, _ = logged_in(provider, "provider_coordinator", provider_id="prov-someone-else")
        for path in (PAGE, MONTH):
            r = them.get(f"{path}?manad={ym(morning)}")
            assert r.status == 200
            assert first[8:] not in text(r) and f"klient={first}" not in r.body.decode()

    @pytest.mark.parametrize("role", ["provider_staff", "case_worker", "citizen", "auditor"])
    def test_anyone_else_gets_a_swedish_403(self, provider, role):
        them, _ = logged_in(provider, role, **({"provider_id": provider.id} if role == "provider_staff" else {}))
        for path in (PAGE, MONTH):
            r = them.get(path)
            assert r.status == 403, (path, r.status)
            assert "Du har inte behörighet" in text(r)

    @pytest.mark.parametrize("path", [PAGE, MONTH])
    def test_nobody_logged_in_is_sent_to_the_login(self, provider, path):
        r = VisitsBrowser(provider.visits).get(path)
        assert r.status in (302, 303)
        location = r.headers["location"]
        assert location.startswith("/visits/personal/logga-in?")
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["next"] == [f"/visits{path}"]


class TestMonth:
    def test_the_month_with_a_preliminary_invoice_basis_by_billings_rules(self, provider, morning):
        first, second = some_visits(provider, morning)
        b, _ = logged_in(provider, "provider_coordinator", provider_id=provider.id)
        r = b.get(f"{MONTH}?manad={ym(morning)}")
        assert r.status == 200, r.body[:800]
        page = text(r)
        assert "Preliminärt underlag" in page and "glesbygds" in page
        assert f"{first[:8]}-{first[8:]}" in page and f"{second[:8]}-{second[8:]}" in page
        # nothing approved yet: nothing billable, all of it unverified
        assert "Summa" in page and re.search(r"\b0,00\s*kr", page)
        assert "2 h 15 min" in page  # the performed total: 90 + 45 minutes


class TestSummariesOverMoto:
    def test_redelivered_and_reordered_messages_leave_the_kept_summaries_equal_to_a_recount(self, provider, morning):
        from services.visits.bootstrap import deps
        from services.visits.domain.days import month_day_keys
        from services.visits.domain.summaries import recount

        # GIVEN three clients' visits, one left open, posted in several requests
        clients = [provider.new_client() for _ in range(3)]
        for n, (pnr, tag) in enumerate(clients):
            for k in range(2 + n):
                at = morning + timedelta(hours=k)
                events = [provider.event("arrival", pnr, tag, at)]
                if not (n == 0 and k == 1):
                    events.append(provider.event("departure", pnr, tag, at + timedelta(minutes=25 + k)))
                assert provider.post(events).status == 202
        # WHEN the messages are delivered shuffled, some twice
        provider.deliver(shuffle=True, duplicate=True)
        # THEN the kept summaries equal a recount of the stored client-days
        y, m = month_of(morning)
        kept = {s.client: dict(s.counts) for s in deps().days.month_summaries(provider.id, y, m)}
        days = deps().days.load_days(k for pnr, _ in clients for k in month_day_keys(provider.id, pnr, y, m))
        assert kept == recount(d for d in days.values() if d.version)
        assert sum(c["registered"] for c in kept.values()) == 2 + 3 + 4
