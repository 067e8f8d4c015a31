"""Personalkonton in-process over moto (the identity app's ``/personal/konton``): the list with its
filters, adding an account through its check-answers step, extending, changing roles and ending
one, the 409 of a stale version, CSRF, and who may reach which account (an organisation's
administrator only its own organisation's, the municipality's administrator municipal units and
providers' administrators, every other role a Swedish 403)."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest

from services.auth.principal import Principal, Role
from services.domain.calendar import stockholm_date, swedish_date
from services.identity.domain.model import Organisation, StaffAccount, default_extension, default_valid_to
from tests.integration.web.helpers import Browser, text
from tests.support.people import new_pnr

OTHER_ROLES = ("case_worker", "auditor", "ordering_unit", "provider_staff", "provider_coordinator",
               "provider_manager")


@dataclass
class PersonalBrowser(Browser):
    def _headers(self, extra=None):
        from services.entrypoints.web.personal.section import personal_config

        headers = dict(extra or {})
        if self.cookie:
            headers["Cookie"] = f"{personal_config().cookie_name}={self.cookie}"
        return headers


def ids():
    from services.identity.bootstrap import deps

    return deps()


def put_account(org, kind, roles, *, name="Test Person", valid_to=None, ended=False):
    today = stockholm_date(datetime.now(timezone.utc))
    now = datetime.now(timezone.utc)
    account = StaffAccount(account_id=uuid.uuid4().hex, user_id=f"u-{uuid.uuid4().hex[:8]}", personnummer=new_pnr(1980),
                           name=name, organisation_id=org, organisation_kind=kind, roles=roles,
                           valid_from=today - timedelta(days=30), valid_to=valid_to or default_valid_to(today),
                           ended_at=now if ended else None, created_at=now, changed_at=now, changed_by="test")
    ids().accounts.put_account(account)
    return account


def logged_in(api, account, role=None):
    """A browser with a session of the staff entry for the account's holder in ``role``."""
    from services.entrypoints.web.personal.section import PERSONAL
    from services.entrypoints.web.sessions import start

    role = Role(role or account.roles[0])
    who = Principal(subject=account.account_id, role=role, user_id=account.user_id, name=account.name,
                    organisation_id=account.organisation_id,
                    provider_id=account.organisation_id if account.organisation_kind == "provider" else None)
    config = PERSONAL.config()
    session = start("user", datetime.now(timezone.utc), config.idle_seconds, config.absolute_seconds,
                    section=PERSONAL.name, principal=who)
    ids().sessions.put(session)
    return PersonalBrowser(api, cookie=session.session_id)


@pytest.fixture
def world(aws, app_client):
    n = uuid.uuid4().hex[:6]
    mine, other, unit = f"prov-mine-{n}", f"prov-other-{n}", f"enhet-{n}"
    for org, kind in ((mine, "provider"), (other, "provider"), (unit, "municipal_unit")):
        ids().organisations.put_organisation(Organisation(organisation_id=org, kind=kind, name=f"Org {org}"))
    api = app_client("identity")
    oa = put_account(mine, "provider", [Role.ORGANISATION_ADMIN], name="Oskar Ek")
    ma = put_account(unit, "municipal_unit", [Role.MUNICIPAL_ADMIN], name="Kim Karlsson")
    accounts = {"mine_staff": put_account(mine, "provider", [Role.PROVIDER_STAFF], name=f"Bo Mine {n}"),
                "other_staff": put_account(other, "provider", [Role.PROVIDER_STAFF], name=f"Ada Other {n}"),
                "other_admin": put_account(other, "provider", [Role.ORGANISATION_ADMIN], name=f"Per Admin {n}"),
                "unit_cw": put_account(unit, "municipal_unit", [Role.CASE_WORKER], name=f"Eva Unit {n}")}
    return {"api": api, "mine": mine, "other": other, "unit": unit, "oa": oa, "ma": ma, "a": accounts, "n": n}


def names(r):
    body = r.body.decode()
    table = re.search(r"<tbody>(.*?)</tbody>", body, re.S)
    return set(re.findall(r'<td><a href="[^"]+">([^<]+)</a></td>', table.group(1))) if table else set()


def version_of(r):
    return re.search(rb'name="version" value="(\d+)"', r.body).group(1).decode()


def stored(account_id):
    return ids().accounts.get_account(account_id)


class TestWhoMay:
    def test_an_organisations_admin_lists_only_its_own_organisation_and_never_opens_anothers(self, world):
        # GIVEN Omsorg AB's administrator
        b = logged_in(world["api"], world["oa"])
        a = world["a"]
        # WHEN it lists the accounts THEN only its own organisation's are there
        r = b.get("/konton")
        assert r.status == 200, r.body
        assert names(r) == {"Oskar Ek", a["mine_staff"].name}
        # AND another organisation's account is not found, to read, extend or end
        target = a["other_staff"].account_id
        assert b.get(f"/konton/{target}").status == 404
        assert b.get(f"/konton/{target}/avsluta").status == 404
        assert b.post(f"/konton/{target}/forlang", {"version": "1", "valid_to": ""}).status == 404
        assert b.post(f"/konton/{target}/avsluta", {"version": "1", "reason": "x"}).status == 404
        assert b.post(f"/konton/{target}/roller", {"version": "1", "roles": "provider_coordinator"}).status == 404
        assert stored(target).version == 1 and stored(target).ended_at is None

    def test_the_municipal_admin_keeps_units_and_providers_admins_but_not_care_staff(self, world):
        b = logged_in(world["api"], world["ma"])
        a = world["a"]
        r = b.get("/konton")
        assert {a["other_admin"].name, a["unit_cw"].name} <= names(r)
        assert not {a["mine_staff"].name, a["other_staff"].name} & names(r)
        assert b.get(f"/konton/{a['other_staff'].account_id}").status == 404

    @pytest.mark.parametrize("role", OTHER_ROLES)
    def test_every_other_role_gets_a_swedish_403_and_changes_nothing(self, world, role):
        kind, org = (("provider", world["mine"]) if role.startswith("provider") else ("municipal_unit", world["unit"]))
        b = logged_in(world["api"], put_account(org, kind, [Role(role)]))
        target = world["a"]["unit_cw"].account_id
        for path in ("/konton", "/konton/nytt", f"/konton/{target}", f"/konton/{target}/avsluta"):
            r = b.get(path)
            assert r.status == 403, (path, r.status)
            assert "Du har inte behörighet" in text(r)
        b.get("/")
        r = b.post(f"/konton/{target}/avsluta", {"version": "1", "reason": "slutat"})
        assert r.status == 403
        assert stored(target).ended_at is None

    def test_nobody_logged_in_is_sent_to_the_login(self, world):
        r = PersonalBrowser(world["api"]).get("/konton")
        assert r.status == 303 and r.headers["location"].startswith("/personal/logga-in")

    def test_an_admin_whose_account_ended_is_refused_and_logged_out(self, world):
        admin = put_account(world["mine"], "provider", [Role.ORGANISATION_ADMIN], ended=True)
        r = logged_in(world["api"], admin).get("/konton")
        assert r.status == 403 and "Ditt konto gäller inte längre" in text(r)

    @pytest.mark.parametrize("who", ["oa", "ma"])
    def test_the_start_page_links_the_directory_for_its_keepers(self, world, who):
        r = logged_in(world["api"], world[who]).get("/")
        assert r.status == 200
        assert 'href="/personal/konton"' in r.body.decode()

    def test_the_start_page_of_a_case_worker_does_not(self, world):
        r = logged_in(world["api"], world["a"]["unit_cw"]).get("/")
        assert 'href="/personal/konton"' not in r.body.decode()


class TestTheList:
    def test_filters_and_the_badge_of_an_account_ending_soon(self, world):
        today = stockholm_date(datetime.now(timezone.utc))
        soon = put_account(world["mine"], "provider", [Role.PROVIDER_COORDINATOR], name="Snart Slut",
                           valid_to=today + timedelta(days=10))
        put_account(world["mine"], "provider", [Role.PROVIDER_STAFF], name="Redan Slutat", ended=True)
        b = logged_in(world["api"], world["oa"])
        r = b.get("/konton?upphor=30")
        assert names(r) == {"Snart Slut"}
        assert "Upphör snart" in text(r)
        assert names(b.get("/konton?roll=provider_coordinator")) == {"Snart Slut"}
        assert names(b.get("/konton?status=ended")) == {"Redan Slutat"}
        # AND the list masks personnummer
        assert f"{str(soon.personnummer)[:8]}-****" in text(b.get("/konton"))
        assert str(soon.personnummer)[8:] not in b.get("/konton").body.decode()

    def test_sorting_by_end_date_says_so(self, world):
        b = logged_in(world["api"], world["oa"])
        r = b.get("/konton?ordning=-giltigt")
        assert r.status == 200
        assert 'aria-sort="descending"' in r.body.decode()


class TestAdding:
    def form(self, world, **over):
        today = stockholm_date(datetime.now(timezone.utc))
        form = {"personnummer": new_pnr(1990), "name": "Nya Nilsson", "email": "nya@omsorg.example",
                "organisation_id": world["mine"], "roles": "provider_staff", "valid_from": today.isoformat(),
                "valid_to": default_valid_to(today).isoformat(), "steg": "granska"}
        form.update(over)
        return form

    def test_the_form_suggests_the_next_term_date_and_only_the_roles_a_provider_holds(self, world):
        r = logged_in(world["api"], world["oa"]).get("/konton/nytt")
        body = r.body.decode()
        today = stockholm_date(datetime.now(timezone.utc))
        assert f'value="{default_valid_to(today).isoformat()}"' in body
        assert 'value="provider_staff"' in body and 'value="case_worker"' not in body
        assert 'value="municipal_admin"' not in body

    def test_check_answers_then_saved_with_its_history(self, world):
        b = logged_in(world["api"], world["oa"])
        b.get("/konton/nytt")
        form = self.form(world)
        r = b.post("/konton/nytt", form)
        assert r.status == 200 and "Kontrollera uppgifterna" in text(r)
        assert ids().accounts.account_of(form["personnummer"]) is None  # nothing stored yet
        r = b.post("/konton/nytt", {**form, "steg": "spara"})
        assert r.status == 303, r.body
        saved = ids().accounts.account_of(form["personnummer"])
        assert saved.organisation_id == world["mine"] and saved.roles == [Role.PROVIDER_STAFF]
        r = b.get(r.headers["location"].removeprefix("/personal"))
        assert "Kontot lades till" in text(r) and "Nya Nilsson" in text(r)

    @pytest.mark.parametrize("bad", [{"personnummer": "19900101"}, {"name": ""}, {"roles": "case_worker"},
                                     {"organisation_id": "prov-nobody"}, {"valid_to": "2020-01-01"},
                                     {"email": "inte-en-adress"}], ids=lambda b: next(iter(b)))
    def test_bad_input_is_refused_inline_and_nothing_is_stored(self, world, bad):
        b = logged_in(world["api"], world["oa"])
        b.get("/konton/nytt")
        form = self.form(world, **bad)
        for step in ("granska", "spara"):
            r = b.post("/konton/nytt", {**form, "steg": step})
            assert r.status == 422, (bad, step)
            body = r.body.decode()
            field = next(iter(bad))
            assert 'class="error-summary"' in body and f'id="k-{field}-error"' in body, body
            assert r.headers["cache-control"] == "no-store"
            assert r.headers["content-type"].startswith("text/html")
        pnr = form["personnummer"]
        assert len(pnr) != 12 or ids().accounts.account_of(pnr) is None

    def test_someone_with_an_account_already_is_refused(self, world):
        b = logged_in(world["api"], world["oa"])
        b.get("/konton/nytt")
        r = b.post("/konton/nytt", self.form(world, personnummer=str(world["a"]["mine_staff"].personnummer),
                                             steg="spara"))
        assert r.status == 422 and "redan ett konto" in text(r)

    def test_the_municipal_admin_gives_a_provider_only_its_administrator(self, world):
        b = logged_in(world["api"], world["ma"])
        b.get("/konton/nytt")
        r = b.post("/konton/nytt", self.form(world, organisation_id=world["other"], steg="spara"))
        assert r.status == 422 and "k-roles-error" in r.body.decode()
        r = b.post("/konton/nytt", self.form(world, organisation_id=world["other"], roles="organisation_admin",
                                             steg="spara"))
        assert r.status == 303

    def test_without_csrf_nothing_is_stored(self, world):
        b = logged_in(world["api"], world["oa"])
        form = self.form(world, steg="spara")
        r = b.post("/konton/nytt", form, csrf="fel")
        assert r.status == 400
        assert ids().accounts.account_of(form["personnummer"]) is None


class TestChanging:
    def test_extend_to_the_suggested_date(self, world):
        target = world["a"]["mine_staff"]
        b = logged_in(world["api"], world["oa"])
        r = b.get(f"/konton/{target.account_id}")
        today = stockholm_date(datetime.now(timezone.utc))
        suggested = default_extension(target.valid_to, today).isoformat()
        assert f'value="{suggested}"' in r.body.decode()
        r = b.post(f"/konton/{target.account_id}/forlang", {"version": version_of(r), "valid_to": suggested})
        assert r.status == 303
        assert stored(target.account_id).valid_to == date.fromisoformat(suggested)
        assert "Kontot förlängdes" in text(b.get(f"/konton/{target.account_id}"))

    def test_a_stale_version_shows_the_fresh_account_and_changes_nothing(self, world):
        target = world["a"]["mine_staff"]
        b = logged_in(world["api"], world["oa"])
        page = b.get(f"/konton/{target.account_id}")
        stale = version_of(page)
        # GIVEN someone else extends the account meanwhile
        other = logged_in(world["api"], world["oa"])
        other.get(f"/konton/{target.account_id}")
        assert other.post(f"/konton/{target.account_id}/forlang", {"version": stale, "valid_to": ""}).status == 303
        moved = stored(target.account_id)
        # WHEN this page ends it with what it read
        r = b.post(f"/konton/{target.account_id}/avsluta", {"version": stale, "reason": "Slutat"})
        # THEN 409 with the news and the fresh account to confirm again, and nothing changed
        assert r.status == 409 and "Kontot har ändrats av någon annan" in text(r)
        assert swedish_date(moved.valid_to) in text(r) and version_of(r) == str(moved.version)
        assert stored(target.account_id) == moved
        r = b.post(f"/konton/{target.account_id}/roller", {"version": stale, "roles": "provider_coordinator"})
        assert r.status == 409 and "Kontot har ändrats av någon annan" in text(r)
        assert version_of(r) == str(moved.version)  # the fresh data, to act on again
        assert stored(target.account_id) == moved

    def test_a_bad_end_date_is_refused_inline(self, world):
        target = world["a"]["mine_staff"]
        b = logged_in(world["api"], world["oa"])
        r = b.get(f"/konton/{target.account_id}")
        r = b.post(f"/konton/{target.account_id}/forlang", {"version": version_of(r), "valid_to": "2020-01-01"})
        assert r.status == 422 and 'id="k-valid_to-error"' in r.body.decode()
        assert stored(target.account_id).version == 1

    def test_change_roles(self, world):
        target = world["a"]["mine_staff"]
        b = logged_in(world["api"], world["oa"])
        r = b.get(f"/konton/{target.account_id}")
        r = b.post(f"/konton/{target.account_id}/roller",
                   [("version", version_of(r)), ("roles", "provider_staff"), ("roles", "provider_coordinator")])
        assert r.status == 303
        assert stored(target.account_id).roles == [Role.PROVIDER_STAFF, Role.PROVIDER_COORDINATOR]
        r = b.get(f"/konton/{target.account_id}")
        r = b.post(f"/konton/{target.account_id}/roller", [("version", version_of(r))])
        assert r.status == 422 and "k-roles-error" in r.body.decode()

    def test_end_asks_why_then_ends(self, world):
        target = world["a"]["mine_staff"]
        b = logged_in(world["api"], world["oa"])
        r = b.get(f"/konton/{target.account_id}/avsluta")
        assert r.status == 200 and "Varför avslutas kontot?" in text(r)
        r = b.post(f"/konton/{target.account_id}/avsluta", {"version": version_of(r), "reason": ""})
        assert r.status == 422 and 'id="k-reason-error"' in r.body.decode()
        assert stored(target.account_id).ended_at is None
        r = b.post(f"/konton/{target.account_id}/avsluta", {"version": version_of(r), "reason": "Anställningen upphörde"})
        assert r.status == 303
        assert stored(target.account_id).ended_at is not None
        page = text(b.get(f"/konton/{target.account_id}"))
        assert "Avslutat" in page and "Kontot avslutades: Anställningen upphörde" in page
