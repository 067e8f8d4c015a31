"""The staff directory's API over the identity app on moto, per role and organisation: an
organisation's administrator keeps only its own organisation's accounts, the municipality's
administrator municipal units and providers' administrators, anyone else is refused; every change
names the version it read (409 otherwise) and is audited for the auditors."""
from __future__ import annotations

import uuid

import pytest

from services.identity.domain.model import Organisation
from tests.support.people import new_pnr

PROBLEM = "application/problem+json"


@pytest.fixture
def world(aws, app_client, token):
    """Two providers and a municipal unit of their own (ids unique to the test), an account in each."""
    from services.identity.bootstrap import deps

    n = uuid.uuid4().hex[:6]
    mine, other, unit = f"prov-mine-{n}", f"prov-other-{n}", f"enhet-{n}"
    for org, kind in ((mine, "provider"), (other, "provider"), (unit, "municipal_unit")):
        deps().organisations.put_organisation(Organisation(organisation_id=org, kind=kind, name=f"Org {org}"))
    api = app_client("identity")
    oa = {o: token("organisation_admin", user_id=f"admin-{o}", organisation_id=o,
                   **({"provider_id": o} if o.startswith("prov") else {})) for o in (mine, other, unit)}
    ma = token("municipal_admin", user_id=f"kim-{n}", organisation_id=f"enhet-it-{n}")

    def add(org, roles, who=None):
        r = api.post("/staff-accounts", {"personnummer": new_pnr(1985), "name": "Test Person", "organisation_id": org,
                                         "roles": roles}, token=who or oa[org])
        assert r.status == 201, r.json
        return r.json

    accounts = {"mine_staff": add(mine, ["provider_staff"]), "other_staff": add(other, ["provider_staff"]),
                "other_admin": add(other, ["organisation_admin"], ma), "unit_cw": add(unit, ["case_worker"])}
    return {"api": api, "oa": oa, "ma": ma, "mine": mine, "other": other, "unit": unit, "accounts": accounts}


def listed(api, tok, **query):
    q = "&".join(f"{k}={v}" for k, v in query.items())
    r = api.get("/staff-accounts" + (f"?{q}" if q else ""), token=tok)
    assert r.status == 200, r.json
    return {a["account_id"] for a in r.json}


def test_an_organisations_admin_never_sees_or_changes_another_organisations_accounts(world):
    api, a = world["api"], world["accounts"]
    mine = world["oa"][world["mine"]]
    # GIVEN the administrator of one provider
    # THEN it lists its own organisation's accounts only, and asking for another organisation is 403
    assert listed(api, mine) == {a["mine_staff"]["account_id"]}
    assert api.get(f"/staff-accounts?organisation_id={world['other']}", token=mine).status == 403
    assert [o["organisation_id"] for o in api.get("/organisations", token=mine).json] == [world["mine"]]
    # AND another organisation's account is not found, to read or to change
    target = a["other_staff"]["account_id"]
    assert api.get(f"/staff-accounts/{target}", token=mine).status == 404
    assert api.post(f"/staff-accounts/{target}/extension", {"version": 1}, token=mine).status == 404
    assert api.post(f"/staff-accounts/{target}/end", {"version": 1, "reason": "x"}, token=mine).status == 404
    assert api.put(f"/staff-accounts/{target}/roles", {"version": 1, "roles": ["provider_coordinator"]},
                   token=mine).status == 404
    # AND it cannot add an account to another organisation (422 naming the field)
    r = api.post("/staff-accounts", {"personnummer": new_pnr(1985), "name": "X", "organisation_id": world["other"],
                                     "roles": ["provider_staff"]}, token=mine)
    assert r.status == 422 and r.headers["content-type"].startswith(PROBLEM)
    assert [e["field"] for e in r.json["errors"]] == ["organisation_id"]
    # AND the other organisation's account is unchanged
    other = api.get(f"/staff-accounts/{target}", token=world["oa"][world["other"]]).json
    assert other["version"] == 1 and other["status"] == "valid"


def test_the_municipal_admin_keeps_municipal_units_and_providers_admins_but_not_care_staff(world):
    api, a, ma = world["api"], world["accounts"], world["ma"]
    seen = listed(api, ma)
    assert {a["other_admin"]["account_id"], a["unit_cw"]["account_id"]} <= seen
    assert not {a["mine_staff"]["account_id"], a["other_staff"]["account_id"]} & seen
    assert api.get(f"/staff-accounts/{a['other_staff']['account_id']}", token=ma).status == 404
    r = api.post("/staff-accounts", {"personnummer": new_pnr(1985), "name": "X", "organisation_id": world["mine"],
                                     "roles": ["provider_staff"]}, token=ma)
    assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["roles"]


def test_an_organisation_admin_cannot_grant_municipal_admin(world):
    api = world["api"]
    r = api.post("/staff-accounts", {"personnummer": new_pnr(1985), "name": "X", "organisation_id": world["unit"],
                                     "roles": ["municipal_admin"]}, token=world["oa"][world["unit"]])
    assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["roles"]


@pytest.mark.parametrize("role", ["case_worker", "provider_staff", "provider_coordinator", "auditor", "citizen"])
def test_no_one_but_the_keepers_reaches_the_directory(world, token, role):
    api = world["api"]
    claims = {"personnummer": new_pnr()} if role == "citizen" else {"user_id": "u", "organisation_id": world["mine"],
                                                                     "provider_id": world["mine"]}
    tok = token(role, **claims)
    assert api.get("/staff-accounts", token=tok).status == 403
    target = world["accounts"]["mine_staff"]["account_id"]
    assert api.post(f"/staff-accounts/{target}/end", {"version": 1, "reason": "x"}, token=tok).status == 403


def test_a_change_over_a_stale_version_is_409_and_every_change_is_audited(world, token):
    api, mine = world["api"], world["oa"][world["mine"]]
    target = world["accounts"]["mine_staff"]["account_id"]
    r = api.put(f"/staff-accounts/{target}/roles", {"version": 1, "roles": ["provider_coordinator"]}, token=mine)
    assert r.status == 200 and r.json["roles"] == ["provider_coordinator"] and r.json["version"] == 2
    stale = api.post(f"/staff-accounts/{target}/end", {"version": 1, "reason": "Slutat"}, token=mine)
    assert stale.status == 409 and stale.headers["content-type"].startswith(PROBLEM)
    extended = api.post(f"/staff-accounts/{target}/extension", {"version": 2}, token=mine)
    assert extended.status == 200 and extended.json["version"] == 3
    ended = api.post(f"/staff-accounts/{target}/end", {"version": 3, "reason": "Slutat"}, token=mine)
    assert ended.status == 200 and ended.json["status"] == "ended"
    # the auditor reads the trail; an administrator may not
    from services.identity.bootstrap import deps
    from services.identity.usecases.common import today

    day = today(deps()).isoformat()
    auditor = token("auditor", user_id="lena", organisation_id="enhet-revision")
    r = api.get(f"/audit?from={day}&to={day}&account_id={target}", token=auditor)
    assert r.status == 200, r.json
    assert [e["action"] for e in r.json] == ["account_added", "roles_changed", "account_extended", "account_ended"]
    assert api.get(f"/audit?from={day}&to={day}", token=mine).status == 403
    r = api.get(f"/audit?from={day}", token=auditor)
    assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["query.to"]


def test_a_bad_body_names_each_field(world):
    api, mine = world["api"], world["oa"][world["mine"]]
    r = api.post("/staff-accounts", {"personnummer": "19850101-0000", "name": "", "organisation_id": world["mine"],
                                     "roles": ["kung"]}, token=mine)
    assert r.status == 422
    assert {e["field"] for e in r.json["errors"]} >= {"personnummer", "name"}
