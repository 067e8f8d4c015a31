"""The follow-up section's login over real HTTP: the local gateway with the identity and reports
apps, the development broker, the moto server behind them. The ordering unit opens Uppföljning, is
sent through Insats' authorization server and the broker (client ``insats-reports``) and lands on
the month's follow-up; an auditor (whose log follow-up is in case work) and a provider's staff member
are refused at the door (the authorization server's refusal page)."""
from __future__ import annotations


import pytest

from services.auth.principal import Role
from tests.support.login_browser import BO, Browser, account
from tests.support.login_gateway import login_gateway

OLA = "197506092795"  # the ordering unit (infra/fixtures/people.json: bu-ola)
LENA = "198109252885"  # an auditor (audit-lena)
PAGE = "/reports/personal/uppfoljning?manad=2032-04"


@pytest.fixture(scope="module")
def stack(aws, issuer):
    """The gateway on a free port, serving the identity and reports apps; PUBLIC_BASE_URL is it."""
    from services.reports.bootstrap import deps

    with login_gateway(aws, issuer, ("identity", "reports"), deps) as base:
        yield base


def test_the_ordering_unit_logs_in_and_lands_on_the_months_follow_up(stack):
    account(OLA, "walk-bu-ola", "enhet-bestallare", Role.ORDERING_UNIT)
    b = Browser(stack)
    status, url, html = b.follow(PAGE)
    assert status == 200 and "/dev/oidc/" in url, url
    assert any("/identity/authorize" in hop and "client_id=insats-reports" in hop for hop in b.hops)
    status, url, html = b.pick(url, html, OLA)
    assert status == 200 and url.endswith(PAGE), (status, url)
    assert "Uppföljning 2032-04" in html and "Det finns ingen rapport för 2032-04 ännu" in html
    assert any(c.name == "insats_reports" for c in b.jar)


def test_an_auditor_is_refused_at_the_door(stack):
    account(LENA, "walk-audit-lena", "enhet-revision", Role.AUDITOR)
    b = Browser(stack)
    status, url, html = b.follow(PAGE)
    status, url, html = b.pick(url, html, LENA)
    assert status == 403 and "uppföljning" in html and "reports/personal/uppfoljning" not in url, (status, url)


def test_a_providers_staff_member_is_refused_at_the_door(stack):
    account(BO, "walk-bo-reports", "prov-omsorg", Role.PROVIDER_STAFF)
    b = Browser(stack)
    status, url, html = b.follow(PAGE)
    status, url, html = b.pick(url, html, BO)
    assert status == 403 and "uppföljning" in html and "reports/personal/uppfoljning" not in url, (status, url)


def test_the_staff_entry_lists_the_follow_up_for_the_ordering_unit_and_it_opens_without_a_second_login(stack):
    from tests.support.login_browser import staff_login

    account(OLA, "walk-bu-ola-entry", "enhet-bestallare", Role.ORDERING_UNIT)
    b = Browser(stack)
    status, url, html = staff_login(b, OLA)
    assert status == 200 and 'href="/reports/personal/uppfoljning"' in html, url
    b.hops.clear()
    status, url, html = b.follow("/reports/personal/uppfoljning")
    assert status == 200 and "/reports/personal/uppfoljning" in url, url
    assert not any("/dev/oidc/" in hop for hop in b.hops)  # the identity service's login was enough
