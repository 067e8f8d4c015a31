"""The visits section's login over real HTTP: the local gateway with the e-services, identity and
visits apps, the development broker, the moto server behind them. A case worker opens Avvikelser i
besök, is sent through Insats' authorization server and the broker (client ``insats-visits``), and
lands on the page with their client's waiting deviation; a provider's staff member logs in to the
same section and is refused the case workers' page; a citizen is refused the login."""
from __future__ import annotations

import pytest

from services.auth.principal import Role
from tests.support.login_browser import ANNIKA, BO, MARITA, VERA, Browser, account
from tests.support.login_gateway import login_gateway


@pytest.fixture(scope="module")
def stack(aws, issuer):
    """The gateway on a free port, serving the e-services, identity and visits apps; PUBLIC_BASE_URL is it."""
    from services.visits.bootstrap import deps

    with login_gateway(aws, issuer, ("eservices", "identity", "visits"), deps) as base:
        yield base


def test_a_case_worker_logs_in_to_the_visits_section_and_decides_their_clients_deviation(stack, provider, morning):
    """GIVEN Marita's account and a client of hers with a manual receipt waiting WHEN she opens Avvikelser i
    besök THEN she logs in through Insats' authorization server and the broker, lands on the page and
    sees the deviation; the section's cookie is its own (the e-services' pages still ask her to log in
    there, through the same identity login, with no second e-ID)."""
    account(MARITA, "walk-marita", "enhet-bistand", Role.CASE_WORKER)
    _, visit = provider.manual_visit(morning, "walk-marita")
    b = Browser(stack)
    status, url, html = b.follow("/visits/personal/avvikelser")
    assert status == 200 and "/dev/oidc/" in url, url
    assert any("/visits/personal/logga-in" in hop for hop in b.hops)
    assert any("/identity/authorize" in hop and "client_id=insats-visits" in hop for hop in b.hops)
    status, url, html = b.pick(url, html, MARITA)
    assert status == 200 and url.endswith("/visits/personal/avvikelser"), (status, url)
    assert "Avvikelser i besök" in html and f'value="{visit["visit_id"]}:0"' in html
    assert 'href="/eservices/personal/att-gora"' in html
    assert any(c.name == "insats_visits" for c in b.jar)
    b.hops.clear()
    status, url, html = b.follow("/eservices/personal/att-gora")
    assert status == 200 and url.endswith("/eservices/personal/att-gora"), url
    assert not any("/dev/oidc/" in hop for hop in b.hops)
    assert 'href="/visits/personal/avvikelser"' in html


def test_a_providers_staff_member_logs_in_and_is_refused_the_case_workers_page(stack):
    account(BO, "walk-bo-visits", "prov-omsorg", Role.PROVIDER_STAFF)
    b = Browser(stack)
    status, url, html = b.follow("/visits/personal/avvikelser")
    status, url, html = b.pick(url, html, BO)
    assert status == 403 and "Du har inte behörighet" in html, (status, url)


def test_a_citizen_is_refused_the_login(stack):
    b = Browser(stack)
    status, url, html = b.follow("/visits/personal/avvikelser")
    status, url, html = b.pick(url, html, ANNIKA)
    assert status == 403 and "Du kunde inte loggas in" in html


def test_the_staff_entry_leads_the_providers_manager_to_the_month_without_a_second_login(stack):
    # GIVEN the provider's manager with a staff account, logged in at the staff entry (/personal)
    from tests.support.login_browser import staff_login

    account(VERA, "walk-vera-entry", "prov-omsorg", Role.PROVIDER_MANAGER)
    b = Browser(stack)
    status, url, html = staff_login(b, VERA)
    # THEN the entry lists Besöksuppföljning, and following it opens Översikt on the same login
    assert status == 200 and 'href="/visits/personal/oversikt"' in html, url
    b.hops.clear()
    status, url, html = b.follow("/visits/personal/oversikt")
    assert status == 200 and "/visits/personal/oversikt" in url and "Översikt" in html, (status, url)
    assert not any("/dev/oidc/" in hop for hop in b.hops)  # the identity service's login was enough
