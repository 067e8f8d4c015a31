"""One e-ID login for everyone, over real HTTP: the local gateway with the e-services and identity
apps, the development broker at /dev/oidc, the moto server behind them. A browser's walk (cookies,
redirects) from a section's login through Insats' authorization server and the broker and back;
then the refusals, each with its reason in the audit trail, and the ends of a login."""
from __future__ import annotations

import re
import urllib.parse
from datetime import date, datetime, timedelta, timezone

import pytest

from services.auth.dev_broker import LOA2, LOA3
from services.auth.principal import Role
from tests.support.login_browser import (ANNIKA, BO, MARITA, VERA, Browser, account, audited_since,
                                         refusals_since, staff_login)
from tests.support.login_gateway import login_gateway


@pytest.fixture(scope="module")
def stack(aws, issuer):
    """The gateway on a free port, serving the e-services and identity apps; PUBLIC_BASE_URL is it."""
    with login_gateway(aws, issuer, ("eservices", "identity")) as base:
        yield base


def test_a_citizen_logs_in_at_the_e_services_through_the_identity_service_and_the_broker(stack):
    """GIVEN Annika at the e-services WHEN she logs in and picks herself at the broker THEN she lands on
    Mina sidor, having passed Insats' authorization server twice (before and after the broker)."""
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    b = Browser(stack)
    status, url, html = b.follow("/eservices/web/logga-in?next=/eservices/web/mina-sidor")
    assert status == 200 and "/dev/oidc/" in url
    assert any("/identity/authorize" in hop for hop in b.hops)
    status, url, html = b.pick(url, html, ANNIKA)
    assert status == 200 and url.endswith("/eservices/web/mina-sidor"), (status, url)
    assert "Annika" in html
    assert [h for h in b.hops if "/identity/authorize" in h].__len__() == 2  # once to log in, once for the code
    # AND the login is in the identity service's audit trail, as a citizen's
    assert {"role": "citizen"} in [e.details for e in audited_since(since, "login") if e.personnummer == ANNIKA]


def test_a_case_worker_logs_in_at_personal_and_reaches_case_work_without_logging_in_again(stack):
    """GIVEN Marita's account WHEN she logs in at /personal THEN the start page names her role,
    organisation and the account's end; case work then lets her in with no second e-ID login."""
    account(MARITA, "walk-marita", "enhet-bistand", Role.CASE_WORKER)
    b = Browser(stack)
    status, url, html = staff_login(b, MARITA)
    assert status == 200 and url.rstrip("/").endswith("/personal"), url
    assert "Handläggare" in html and "Biståndsenheten" in html and "15 februari 2099" in html
    b.hops.clear()
    status, url, html = b.follow("/eservices/personal/att-gora")
    assert status == 200 and url.endswith("/eservices/personal/att-gora"), url
    assert not any("/dev/oidc/" in hop for hop in b.hops)  # the identity service's login was enough


def test_several_roles_are_chosen_between(stack):
    account(VERA, "walk-vera", "prov-omsorg", Role.PROVIDER_MANAGER, Role.PROVIDER_COORDINATOR)
    b = Browser(stack)
    status, url, html = staff_login(b, VERA)
    assert status == 200 and url.endswith("/personal/valj-roll") and "Vilken roll" in html
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    status, url, html = b.follow("/personal/valj-roll", {"csrf": csrf, "roll": "provider_coordinator"})
    assert status == 200 and "Samordnare" in html


@pytest.mark.parametrize("case", ["unknown_staff", "acr_too_low", "account_ended", "not_yet_valid"])
def test_a_staff_login_the_directory_refuses_says_what_to_do_and_is_audited(stack, case):
    """The directory's refusals: a citizen at /personal, a too weak e-ID, an ended account, an account
    not yet valid. Each: a Swedish page saying what to do, no session, the reason in the audit."""
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    person, acr = {"unknown_staff": (ANNIKA, LOA3), "acr_too_low": (BO, LOA2), "account_ended": (BO, LOA3),
                   "not_yet_valid": (BO, LOA3)}[case]
    account(BO, "walk-bo", "prov-omsorg", Role.PROVIDER_STAFF, ended=case == "account_ended",
            valid_from=date(2099, 1, 1) if case == "not_yet_valid" else date(2026, 1, 1))
    b = Browser(stack)
    status, url, html = staff_login(b, person, acr)
    assert status == 403 and "Du kunde inte loggas in" in html
    assert {"unknown_staff": "inget konto", "acr_too_low": "tvåfaktor", "account_ended": "gäller inte längre",
            "not_yet_valid": "gäller från"}[case] in html
    assert case in refusals_since(since)
    assert b.follow("/personal")[2].count("Logga in med e-legitimation") == 1  # not logged in


def test_a_wrong_iss_on_the_callback_and_a_replayed_code_are_refused(stack):
    account(MARITA, "walk-marita", "enhet-bistand", Role.CASE_WORKER)
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    b = Browser(stack)
    status, url, html = b.follow("/personal/logga-in")
    callback = b.callback_of(url, html, MARITA)
    forged = re.sub(r"iss=[^&]+", "iss=" + urllib.parse.quote("https://evil.example", safe=""), callback)
    status, _, html = b.follow(forged)
    assert status == 403 and "Du kunde inte loggas in" in html
    assert "wrong_iss" in refusals_since(since)

    b = Browser(stack)
    status, url, html = b.follow("/personal/logga-in")
    callback = b.callback_of(url, html, MARITA)
    assert b.follow(callback)[0] == 200  # logged in
    again = Browser(stack)  # the code, stolen and used again, in a login of another browser
    status, url, html = again.follow("/personal/logga-in")
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query)).get("state")
    replay = re.sub(r"state=[^&]+", f"state={state}", callback) if state else callback
    status, _, html = again.follow(replay)
    assert status == 403
    assert {"code_refused", "state_mismatch"} & set(refusals_since(since))


def test_a_citizens_login_never_reaches_staff_pages_and_the_reverse(stack):
    account(MARITA, "walk-marita", "enhet-bistand", Role.CASE_WORKER)
    citizen = Browser(stack)
    status, url, html = citizen.follow("/eservices/web/logga-in?next=/eservices/web/mina-sidor")
    citizen.pick(url, html, ANNIKA)
    status, _, html = citizen.follow("/eservices/personal/att-gora")
    assert status == 403 and "privatperson" in html

    staff = Browser(stack)
    staff_login(staff, MARITA)
    status, _, html = staff.follow("/eservices/web/logga-in?next=/eservices/web/mina-sidor")
    assert status == 403 and "inloggad som personal" in html


def _renew_now(b: Browser) -> None:
    """Moves the case work session's renewal to now (instead of waiting its minute)."""
    from services.eservices.bootstrap import deps

    cookie = next(c.value for c in b.jar if c.name == "insats_personal")
    sessions = deps().sessions
    session = sessions.get(cookie)
    session.renew_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    sessions.put(session)


def in_case_work_then_her_administrator(stack, account_id: str, act) -> Browser:
    """Marita (case worker) logged in and in case work; then her administrator calls ``act(deps, admin,
    account_id, version)`` on her account (end it, change its roles). Her browser is returned."""
    from services.auth.principal import Principal
    from services.identity.bootstrap import deps
    from services.identity.usecases.directory import get_account

    account(MARITA, account_id, "enhet-bistand", Role.CASE_WORKER)
    b = Browser(stack)
    staff_login(b, MARITA)
    assert b.follow("/eservices/personal/att-gora")[0] == 200
    admin = Principal(subject="adm", role=Role.ORGANISATION_ADMIN, user_id="adm", organisation_id="enhet-bistand")
    act(deps(), admin, account_id, get_account(deps(), admin, account_id).version)
    return b


def end_it(deps, admin, account_id, version) -> None:
    from services.identity.schemas import EndRequest
    from services.identity.usecases.directory import end_account

    end_account(deps, admin, account_id, EndRequest(reason="Slutat", version=version))


def test_an_ended_account_ends_its_sessions(stack):
    """GIVEN Marita in case work WHEN her administrator ends her account THEN the next renewal of the
    case work session is refused and she is sent to log in; the identity service refuses her too."""
    b = in_case_work_then_her_administrator(stack, "walk-marita-end", end_it)
    _renew_now(b)
    b.hops.clear()
    status, url, html = b.follow("/eservices/personal/att-gora")
    assert "/dev/oidc/" in url  # logged out everywhere: a new e-ID login is asked for
    status, url, html = b.pick(url, html, MARITA)
    assert status == 403 and "gäller inte längre" in html


def test_an_ended_account_ends_the_login_at_personal_at_once(stack):
    """GIVEN Marita logged in at /personal WHEN her administrator ends her account THEN her very next
    request there says the account no longer holds (403) and ends that login: no renewal is waited for."""
    from services.auth.principal import Principal
    from services.identity.bootstrap import deps
    from services.identity.schemas import EndRequest
    from services.identity.usecases.directory import end_account, get_account

    account(MARITA, "walk-marita-end-personal", "enhet-bistand", Role.CASE_WORKER)
    b = Browser(stack)
    status, url, html = staff_login(b, MARITA)
    assert status == 200 and "Handläggare" in html
    admin = Principal(subject="adm", role=Role.ORGANISATION_ADMIN, user_id="adm", organisation_id="enhet-bistand")
    version = get_account(deps(), admin, "walk-marita-end-personal").version
    end_account(deps(), admin, "walk-marita-end-personal", EndRequest(reason="Slutat", version=version))
    status, _, html = b.follow("/personal")
    assert status == 403 and "gäller inte längre" in html
    status, _, html = b.follow("/personal")
    assert status == 200 and html.count("Logga in med e-legitimation") == 1  # logged out


def test_a_role_taken_away_ends_the_login_in_that_role_at_personal_and_in_the_section(stack):
    """GIVEN Marita logged in as case worker, in case work too WHEN her administrator changes her roles to
    auditor only THEN case work's next renewal in the old role is refused (a new e-ID login is asked
    for), and /personal says her roles changed and ends that login."""
    from services.identity.schemas import RolesRequest
    from services.identity.usecases.directory import change_roles

    def auditor_only(deps, admin, account_id, version):
        change_roles(deps, admin, account_id, RolesRequest(roles=[Role.AUDITOR], version=version))

    b = in_case_work_then_her_administrator(stack, "walk-marita-role", auditor_only)
    _renew_now(b)
    status, url, _ = b.follow("/eservices/personal/att-gora")
    assert "/dev/oidc/" in url, url  # the case worker's session is over
    b = in_case_work_then_her_administrator(stack, "walk-marita-role-2", auditor_only)
    status, _, html = b.follow("/personal")
    assert status == 403 and "Dina roller har ändrats" in html
    assert b.follow("/personal")[2].count("Logga in med e-legitimation") == 1  # logged out there


def test_a_logout_at_personal_ends_the_sections_login(stack):
    account(MARITA, "walk-marita", "enhet-bistand", Role.CASE_WORKER)
    b = Browser(stack)
    _, _, html = staff_login(b, MARITA)
    assert b.follow("/eservices/personal/att-gora")[0] == 200
    status, _, html = b.follow("/personal")
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    status, url, html = b.follow("/personal/logga-ut", {"csrf": csrf})
    assert status == 200 and "Du är utloggad" in html, (status, url)
    _renew_now(b)
    status, url, _ = b.follow("/eservices/personal/att-gora")
    assert "/dev/oidc/" in url


def test_a_logout_in_a_section_ends_the_login_at_the_identity_service_too(stack):
    """GIVEN Annika logged in at the e-services WHEN she logs out there THEN the next login asks the
    broker again (the identity service's login ended through revocation, RFC 7009)."""
    b = Browser(stack)
    status, url, html = b.follow("/eservices/web/logga-in?next=/eservices/web/mina-sidor")
    status, url, html = b.pick(url, html, ANNIKA)
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    b.follow("/eservices/web/logga-ut", {"csrf": csrf})
    status, url, html = b.follow("/eservices/web/mina-sidor")
    assert "/dev/oidc/" in url


def test_two_logins_of_one_case_worker_are_each_their_own(stack):
    """GIVEN Marita logged in to case work twice (two browsers: the browser walks run side by side as
    the demo's one case worker) WHEN she logs out in the first THEN the second's session, and its
    login at the identity service (renewed after the logout), go on: sessions are per login."""
    account(MARITA, "walk-marita", "enhet-bistand", Role.CASE_WORKER)
    first, second = Browser(stack), Browser(stack)
    for b in (first, second):
        status, url, html = b.follow("/eservices/personal/att-gora")
        assert "/dev/oidc/" in url, url
        status, url, html = b.pick(url, html, MARITA)
        assert status == 200 and url.endswith("/eservices/personal/att-gora"), (status, url)
    cookies = [next(c.value for c in b.jar if c.name == "insats_personal") for b in (first, second)]
    assert cookies[0] != cookies[1]
    _, _, html = first.follow("/eservices/personal/att-gora")
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    status, url, html = first.follow("/eservices/personal/logga-ut", {"csrf": csrf})
    assert status == 200, (status, url)
    status, url, _ = first.follow("/eservices/personal/att-gora")
    assert "/dev/oidc/" in url  # the first login ended, at the identity service too
    _renew_now(second)
    second.hops.clear()
    status, url, _ = second.follow("/eservices/personal/att-gora")
    assert status == 200 and url.endswith("/eservices/personal/att-gora"), (status, url)
    assert not any("/dev/oidc/" in hop for hop in second.hops)


def test_an_auditor_logs_in_at_personal_and_reaches_loggkontroll_only(stack):
    """GIVEN Lena's auditor account WHEN she logs in at /personal THEN the start page leads to
    Loggkontroll, which lets her in with no second e-ID login; case work's other pages refuse her."""
    lena = "198109252885"
    account(lena, "walk-lena", "enhet-bistand", Role.AUDITOR)
    b = Browser(stack)
    status, url, html = staff_login(b, lena)
    assert status == 200 and url.rstrip("/").endswith("/personal"), url
    assert 'href="/eservices/personal/logg"' in html and "Loggkontroll" in html
    b.hops.clear()
    status, url, html = b.follow("/eservices/personal/logg")
    assert status == 200 and url.endswith("/eservices/personal/logg"), url
    assert "<h1>Loggkontroll</h1>" in html
    assert not any("/dev/oidc/" in hop for hop in b.hops)
    assert b.follow("/eservices/personal/att-gora")[0] == 403
