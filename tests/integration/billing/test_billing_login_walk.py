"""The billing section's login over real HTTP: the local gateway with the identity and billing apps,
the development broker, the moto server behind them. Finance opens Ekonomi, is sent through Insats'
authorization server and the broker (client ``insats-billing``) and lands on the section's start;
the ordering unit too; a case worker and a provider's coordinator are refused at the door; the
staff entry lists Ekonomi for finance and it opens without a second login."""
from __future__ import annotations


import pytest

from services.auth.principal import Role
from tests.support.login_browser import Browser, account
from tests.support.login_gateway import login_gateway

FIA = "198506112385"  # finance (infra/fixtures/people.json: ekonomi-fia)
OLA = "197506092795"  # the ordering unit (bu-ola)
MARITA = "197205142388"  # a case worker
CILLA = "197808302629"  # a provider's coordinator
PAGE = "/billing/personal"


@pytest.fixture(scope="module")
def stack(aws, issuer):
    """The gateway on a free port, serving the identity and billing apps; PUBLIC_BASE_URL is it."""
    from services.billing.bootstrap import deps

    with login_gateway(aws, issuer, ("identity", "billing"), deps) as base:
        yield base


@pytest.mark.parametrize("pnr, user, org, role", [(FIA, "walk-ekonomi-fia", "enhet-ekonomi", Role.FINANCE),
                                                  (OLA, "walk-bu-ola-billing", "enhet-bestallare",
                                                   Role.ORDERING_UNIT)])
def test_finance_and_the_ordering_unit_log_in_and_land_on_the_sections_start(stack, pnr, user, org, role):
    account(pnr, user, org, role)
    b = Browser(stack)
    status, url, html = b.follow(PAGE)
    assert status == 200 and "/dev/oidc/" in url, url
    assert any("/identity/authorize" in hop and "client_id=insats-billing" in hop for hop in b.hops)
    status, url, html = b.pick(url, html, pnr)
    assert status == 200 and url.endswith("/billing/personal/fakturaunderlag"), (status, url)
    assert "<h1>Fakturaunderlag " in html and "Insats ekonomi" in html
    assert any(c.name == "insats_billing" for c in b.jar)


@pytest.mark.parametrize("pnr, user, org, role", [(MARITA, "walk-cw-billing", "enhet-bistand", Role.CASE_WORKER),
                                                  (CILLA, "walk-pc-billing", "prov-omsorg",
                                                   Role.PROVIDER_COORDINATOR)])
def test_a_case_worker_and_a_providers_coordinator_are_refused_at_the_door(stack, pnr, user, org, role):
    account(pnr, user, org, role)
    b = Browser(stack)
    status, url, html = b.follow(PAGE)
    status, url, html = b.pick(url, html, pnr)
    assert status == 403 and "ekonomi" in html and "/billing/personal" not in url, (status, url)


def test_the_staff_entry_lists_ekonomi_for_finance_and_it_opens_without_a_second_login(stack):
    from tests.support.login_browser import staff_login

    account(FIA, "walk-ekonomi-fia-entry", "enhet-ekonomi", Role.FINANCE)
    b = Browser(stack)
    status, url, html = staff_login(b, FIA)
    assert status == 200 and 'href="/billing/personal"' in html and "Ekonomi" in html, url
    b.hops.clear()
    status, url, html = b.follow(PAGE)
    assert status == 200 and url.endswith("/billing/personal/fakturaunderlag"), url
    assert not any("/dev/oidc/" in hop for hop in b.hops)  # the identity service's login was enough
