"""Inloggningar och konton in-process over moto (``/personal/logg`` in the identity app): auditors
only; the identity trail's logins, refusals with their reason and account changes searched by
account, event and period, with Swedish errors (422)."""
from __future__ import annotations

import re
import urllib.parse
import uuid
from datetime import datetime, timezone

import pytest

from services.auth.principal import Role
from services.domain.calendar import stockholm_date
from services.identity.domain.model import Organisation
from services.identity.usecases.common import entry
from tests.integration.web.helpers import text
from tests.integration.web.test_account_pages import PersonalBrowser, ids, logged_in, put_account
from tests.support.people import new_pnr

LOG = "/logg"


def today() -> str:
    return stockholm_date(datetime.now(timezone.utc)).isoformat()


@pytest.fixture
def world(aws, app_client):
    unit = f"enhet-{uuid.uuid4().hex[:6]}"
    ids().organisations.put_organisation(Organisation(organisation_id=unit, kind="municipal_unit", name="Revision"))
    api = app_client("identity")
    lena = put_account(unit, "municipal_unit", [Role.AUDITOR], name="Lena Lind")
    marita = put_account(unit, "municipal_unit", [Role.CASE_WORKER], name="Marita Aronsson")
    deps = ids()
    deps.audit.record(entry(deps, "login", "login", account_id=marita.account_id, organisation_id=unit,
                            details={"roles": ["case_worker"]}))
    deps.audit.record(entry(deps, "login_refused", "login", personnummer=new_pnr(1980), reason="acr_too_low"))
    return {"api": api, "lena": lena, "marita": marita, "unit": unit}


def rows(r):
    table = re.search(r"<tbody>(.*?)</tbody>", r.body.decode(), re.S)
    if table is None:
        return []
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)]


class TestWhoMay:
    def test_an_auditor_reaches_the_page_and_the_start_page_leads_there(self, world):
        b = logged_in(world["api"], world["lena"])
        assert b.get(LOG).status == 200
        start = b.get("/").body.decode()
        assert 'href="/personal/logg"' in start and 'href="/eservices/personal/logg"' in start

    @pytest.mark.parametrize("role", ["case_worker", "ordering_unit", "organisation_admin", "municipal_admin"])
    def test_anyone_else_gets_a_403(self, world, role):
        account = put_account(world["unit"], "municipal_unit", [Role(role)])
        r = logged_in(world["api"], account).get(f"{LOG}?from={today()}&to={today()}")
        assert r.status == 403 and "Du har inte behörighet" in text(r)

    def test_nobody_logged_in_is_sent_to_log_in(self, world):
        r = PersonalBrowser(world["api"]).get(LOG)
        assert r.status in (302, 303) and "logga-in" in r.headers["location"]


class TestSearch:
    def test_by_account_and_by_event_with_the_refusals_reason_in_swedish(self, world):
        b = logged_in(world["api"], world["lena"])
        mine = rows(b.get(f"{LOG}?konto={world['marita'].account_id}&from={today()}&to={today()}"))
        assert [(r[1], r[2].split()[0], r[5]) for r in mine] == [("Inloggning", world["marita"].account_id,
                                                                 "Roller: Handläggare")]
        refused = rows(b.get(f"{LOG}?handelse=login_refused&from={today()}&to={today()}"))
        assert refused and all(r[1].startswith("Inloggning nekad") for r in refused)
        assert any("för svag e-legitimation" in r[1] for r in refused)

    def test_the_first_visit_shows_the_form_only(self, world):
        r = logged_in(world["api"], world["lena"]).get(LOG)
        assert r.status == 200 and "Träffar" not in text(r) and f'value="{today()}"' in r.body.decode()

    @pytest.mark.parametrize("params, field, message", [
        ({"from": "2026-03-10", "to": "2026-03-01"}, "to", "inte före från-datum"),
        ({"from": "2026-01-01", "to": "2026-03-01"}, "to", "Sök högst 31 dagar åt gången"),
        ({"handelse": "hack"}, "handelse", "Välj en händelse i listan"),
        ({"konto": "<b>"}, "konto", "Skriv kontots id"),
        ({"from": "i går"}, "from", "Skriv från-datum som ÅÅÅÅ-MM-DD"),
    ])
    def test_a_bad_search_is_a_422_with_an_error_summary(self, world, params, field, message):
        b = logged_in(world["api"], world["lena"])
        r = b.get(f"{LOG}?{urllib.parse.urlencode({'from': today(), 'to': today(), **params})}")
        assert r.status == 422 and "Det finns problem att rätta" in text(r) and message in text(r)
        assert f'href="#filter-{field}"' in r.body.decode() and rows(r) == []
