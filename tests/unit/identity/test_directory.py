"""The directory's use cases, per keeper and organisation: what each reaches, what it may grant,
optimistic concurrency and the audit of every change."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.auth.principal import Principal, Role
from services.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.identity.schemas import (
    AuditQuery,
    EndRequest,
    ExtensionRequest,
    NewStaffAccount,
    RolesRequest,
    StaffAccountQuery,
)
from services.identity.usecases import directory as d
from services.identity.usecases.reminders import remind_ending_accounts
from tests.support.fakes.identity import NOW
from tests.support.people import new_pnr
from tests.unit.identity.support import account, admin, directory, municipal_admin


@pytest.fixture
def deps():
    deps = directory()
    account(deps, "anna", "prov-omsorg", Role.PROVIDER_STAFF)
    account(deps, "oskar", "prov-omsorg", Role.ORGANISATION_ADMIN)
    account(deps, "annans-admin", "prov-annan", Role.ORGANISATION_ADMIN)
    account(deps, "annans-staff", "prov-annan", Role.PROVIDER_STAFF)
    account(deps, "marita", "enhet-bistand", Role.CASE_WORKER)
    account(deps, "kim", "enhet-it", Role.MUNICIPAL_ADMIN)
    return deps


def ids(views):
    return sorted(v.account_id for v in views)


def new(org="prov-omsorg", roles=(Role.PROVIDER_STAFF,), **kw):
    return NewStaffAccount(personnummer=new_pnr(1990), name="Ny Person", organisation_id=org, roles=list(roles), **kw)


def test_an_organisations_admin_lists_only_its_own_organisations_accounts(deps):
    assert ids(d.list_accounts(deps, admin("prov-omsorg"), StaffAccountQuery())) == ["anna", "oskar"]
    with pytest.raises(Forbidden):
        d.list_accounts(deps, admin("prov-omsorg"), StaffAccountQuery(organisation_id="prov-annan"))
    assert [o.organisation_id for o in d.list_organisations(deps, admin("prov-omsorg"))] == ["prov-omsorg"]


def test_the_municipal_admin_lists_municipal_units_and_providers_admins_but_no_care_staff(deps):
    assert ids(d.list_accounts(deps, municipal_admin(), StaffAccountQuery())) == [
        "annans-admin", "kim", "marita", "oskar"]
    assert len(d.list_organisations(deps, municipal_admin())) == 4


def test_an_account_out_of_reach_is_not_found_for_reading_or_changing(deps):
    who = admin("prov-omsorg")
    for call in (lambda: d.get_account(deps, who, "annans-staff"),
                 lambda: d.extend_account(deps, who, "annans-staff", ExtensionRequest(version=1)),
                 lambda: d.end_account(deps, who, "annans-staff", EndRequest(version=1, reason="slutat")),
                 lambda: d.change_roles(deps, who, "annans-staff", RolesRequest(version=1, roles=["provider_staff"])),
                 lambda: d.get_account(deps, municipal_admin(), "anna")):
        with pytest.raises(NotFound):
            call()
    assert deps.audit.entries_kept == []


def test_a_case_worker_or_anyone_else_reaches_nothing(deps):
    cw = Principal(subject="m", role=Role.CASE_WORKER, user_id="m", organisation_id="enhet-bistand")
    assert d.list_accounts(deps, cw, StaffAccountQuery()) == []
    with pytest.raises(NotFound):
        d.get_account(deps, cw, "marita")


def test_an_admin_adds_an_account_with_the_default_end_date_and_it_is_audited(deps):
    view = d.add_account(deps, admin("prov-omsorg"), new(email="ny@omsorg.example"))
    assert (view.organisation_kind, view.valid_from, view.valid_to, view.status, view.version) == (
        "provider", date(2026, 12, 6), date(2027, 2, 15), "valid", 1)
    assert view.user_id == view.account_id
    [added] = deps.audit.of("account_added")
    assert added.account_id == view.account_id and added.actor == "organisation_admin:adm"


@pytest.mark.parametrize("who,body,field", [
    (admin("prov-omsorg"), dict(org="prov-annan"), "organisation_id"),
    (admin("prov-omsorg"), dict(roles=[Role.CASE_WORKER]), "roles"),
    (admin("enhet-it"), dict(org="enhet-it", roles=[Role.MUNICIPAL_ADMIN]), "roles"),
    (municipal_admin(), dict(roles=[Role.PROVIDER_STAFF]), "roles"),
    (municipal_admin(), dict(org="prov-omsorg", roles=[Role.ORGANISATION_ADMIN], valid_to=date(2026, 1, 1)),
     "valid_to"),
])
def test_an_add_outside_the_rules_names_the_field(deps, who, body, field):
    with pytest.raises(ValidationFailed) as refused:
        d.add_account(deps, who, new(**body))
    assert [e.field for e in refused.value.errors] == [field]


def test_the_municipal_admin_adds_a_providers_admin_and_a_municipal_admin(deps):
    assert d.add_account(deps, municipal_admin(), new(roles=[Role.ORGANISATION_ADMIN])).roles == [
        Role.ORGANISATION_ADMIN]
    assert d.add_account(deps, municipal_admin(), new(org="enhet-it", roles=[Role.MUNICIPAL_ADMIN])).roles == [
        Role.MUNICIPAL_ADMIN]


def test_one_account_per_personnummer(deps):
    pnr = deps.accounts.get_account("anna").personnummer
    with pytest.raises(Conflict):
        d.add_account(deps, admin("prov-omsorg"), NewStaffAccount(
            personnummer=pnr, name="Anna", organisation_id="prov-omsorg", roles=["provider_staff"]))


def test_an_extension_moves_the_end_to_the_next_term_date_and_needs_the_read_version(deps):
    who = admin("prov-omsorg")
    view = d.extend_account(deps, who, "anna", ExtensionRequest(version=1))
    assert (view.valid_to, view.version) == (date(2027, 9, 15), 2)
    with pytest.raises(Conflict):
        d.extend_account(deps, who, "anna", ExtensionRequest(version=1))
    with pytest.raises(ValidationFailed):
        d.extend_account(deps, who, "anna", ExtensionRequest(version=2, valid_to=date(2026, 12, 1)))
    [extended] = deps.audit.of("account_extended")
    assert extended.details["valid_to"] == "2027-09-15"


def test_ending_an_account_refuses_its_next_login_and_an_extension_reopens_it(deps):
    from services.identity.domain.errors import LoginRefused
    from services.identity.usecases.login import staff_login

    who = admin("prov-omsorg")
    ended = d.end_account(deps, who, "anna", EndRequest(version=1, reason="Slutat sin anställning"))
    assert ended.status == "ended" and ended.end_reason == "Slutat sin anställning"
    pnr = deps.accounts.get_account("anna").personnummer
    with pytest.raises(LoginRefused):
        staff_login(deps, pnr, "http://id.elegnamnden.se/loa/1.0/loa3", date(2026, 12, 6))
    with pytest.raises(Conflict):
        d.end_account(deps, who, "anna", EndRequest(version=2, reason="igen"))
    with pytest.raises(Conflict):
        d.change_roles(deps, who, "anna", RolesRequest(version=2, roles=["provider_coordinator"]))
    reopened = d.extend_account(deps, who, "anna", ExtensionRequest(version=2))
    assert reopened.status == "valid" and reopened.ended_at is None
    assert [e.action for e in deps.audit.entries_kept] == ["account_ended", "login_refused", "account_extended"]


def test_roles_change_within_the_rules_and_are_audited_before_and_after(deps):
    who = admin("prov-omsorg")
    view = d.change_roles(deps, who, "anna", RolesRequest(version=1, roles=["provider_coordinator",
                                                                            "organisation_admin"]))
    assert view.roles == [Role.PROVIDER_COORDINATOR, Role.ORGANISATION_ADMIN]
    [changed] = deps.audit.of("roles_changed")
    assert changed.details == {"roles_before": ["provider_staff"], "roles": ["provider_coordinator",
                                                                            "organisation_admin"]}
    # the municipal admin may not turn a provider's admin into care staff (it would leave its reach)
    with pytest.raises(ValidationFailed):
        d.change_roles(deps, municipal_admin(), "oskar", RolesRequest(version=1, roles=["provider_staff"]))
    # an organisation's admin of the IT unit cannot make anyone municipal_admin
    account(deps, "it-person", "enhet-it", Role.AUDITOR)
    with pytest.raises(ValidationFailed):
        d.change_roles(deps, admin("enhet-it"), "it-person", RolesRequest(version=1, roles=["municipal_admin"]))


def test_the_list_filters_by_role_status_and_ending_within_days(deps):
    account(deps, "soon", "prov-omsorg", Role.PROVIDER_STAFF, valid_to=date(2026, 12, 16))
    account(deps, "gone", "prov-omsorg", Role.PROVIDER_STAFF, ended_at=datetime(2026, 11, 1, tzinfo=timezone.utc))
    account(deps, "later", "prov-omsorg", Role.PROVIDER_STAFF, valid_from=date(2027, 1, 1))
    who = admin("prov-omsorg")
    q = StaffAccountQuery
    assert ids(d.list_accounts(deps, who, q(role="organisation_admin"))) == ["oskar"]
    assert ids(d.list_accounts(deps, who, q(status="ended"))) == ["gone"]
    assert ids(d.list_accounts(deps, who, q(status="not_yet_valid"))) == ["later"]
    assert ids(d.list_accounts(deps, who, q(ending_within_days=14))) == ["soon"]


def test_the_reminder_goes_once_per_end_date_to_accounts_ending_within_14_days():
    now = [datetime(2026, 12, 6, 6, tzinfo=timezone.utc)]
    deps = directory(clock=lambda: now[0])
    account(deps, "in-14", "prov-omsorg", Role.PROVIDER_STAFF, valid_to=date(2026, 12, 20))
    account(deps, "in-15", "prov-omsorg", Role.PROVIDER_STAFF, valid_to=date(2026, 12, 21))
    account(deps, "ended", "prov-omsorg", Role.PROVIDER_STAFF, valid_to=date(2026, 12, 10),
            ended_at=datetime(2026, 12, 1, tzinfo=timezone.utc))
    assert remind_ending_accounts(deps).accounts == ["in-14"]
    again = remind_ending_accounts(deps)
    assert (again.accounts, again.already) == ([], 1)
    now[0] += timedelta(days=1)
    assert remind_ending_accounts(deps).accounts == ["in-15"]
    assert [e.account_id for e in deps.audit.of("reminder_recorded")] == ["in-14", "in-15"]


def test_auditors_read_the_trail_of_a_period_filtered_by_account_or_action(deps):
    d.extend_account(deps, admin("prov-omsorg"), "anna", ExtensionRequest(version=1))
    d.end_account(deps, admin("prov-omsorg"), "oskar", EndRequest(version=1, reason="slutat"))
    auditor = Principal(subject="lena", role=Role.AUDITOR, user_id="lena")
    day = date(2026, 12, 6)
    assert len(d.read_audit(deps, auditor, AuditQuery(from_date=day, to_date=day))) == 2
    assert [e.action for e in d.read_audit(deps, auditor, AuditQuery(from_date=day, to_date=day,
                                                                     account_id="oskar"))] == ["account_ended"]
    assert d.read_audit(deps, auditor, AuditQuery(from_date=day - timedelta(days=3), to_date=day - timedelta(days=1))
                        ) == []
    with pytest.raises(ValidationFailed):
        d.read_audit(deps, auditor, AuditQuery(from_date=day, to_date=day + timedelta(days=40)))


def test_an_accounts_history_is_its_own_trail_newest_first_and_only_for_its_keepers(deps):
    # GIVEN an account extended, then its roles changed (a second later), and another account ended
    ticks = iter(NOW + timedelta(seconds=i) for i in range(100))
    deps.clock = lambda: next(ticks)
    who = admin("prov-omsorg")
    d.extend_account(deps, who, "anna", ExtensionRequest(version=1))
    d.change_roles(deps, who, "anna", RolesRequest(version=2, roles=[Role.PROVIDER_COORDINATOR]))
    d.end_account(deps, admin("prov-annan"), "annans-staff", EndRequest(version=1, reason="slutat"))
    # WHEN its keeper reads its history THEN it holds its own changes only, the newest first
    history = d.account_history(deps, who, "anna")
    assert [e.action for e in history] == ["roles_changed", "account_extended"]
    assert all(e.account_id == "anna" for e in history)
    # AND whoever does not keep it is told it does not exist
    with pytest.raises(NotFound):
        d.account_history(deps, admin("prov-annan"), "anna")


def test_an_accounts_history_reaches_back_to_its_first_change_however_long_ago(deps):
    # GIVEN an account extended in March and its roles changed in December
    who = admin("prov-omsorg")
    deps.clock = lambda: datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    d.extend_account(deps, who, "anna", ExtensionRequest(version=1))
    deps.clock = lambda: NOW
    d.change_roles(deps, who, "anna", RolesRequest(version=2, roles=[Role.PROVIDER_COORDINATOR]))
    # WHEN its keeper reads its history in December THEN March's extension is there too
    assert [e.action for e in d.account_history(deps, who, "anna")] == ["roles_changed", "account_extended"]


def test_a_search_of_the_trail_by_account_reads_that_accounts_entries_not_every_day(deps):
    # GIVEN an account changed today, and a trail whose per-day reading would fail the test
    d.extend_account(deps, admin("prov-omsorg"), "anna", ExtensionRequest(version=1))
    def every_day(first, last):
        raise AssertionError("read every entry of the period")
    deps.audit.entries = every_day
    auditor = Principal(subject="lena", role=Role.AUDITOR, user_id="lena")
    day = NOW.date()
    # WHEN an auditor searches the period for that account THEN its entries, from its own partition
    found = d.read_audit(deps, auditor, AuditQuery(from_date=day, to_date=day, account_id="anna"))
    assert [e.action for e in found] == ["account_extended"]
    # AND a period that holds none of them finds none
    assert d.read_audit(deps, auditor, AuditQuery(from_date=day - timedelta(days=9), to_date=day - timedelta(days=1),
                                                  account_id="anna")) == []


def test_each_search_of_the_trail_is_itself_in_the_trail_with_who_searched_what(deps):
    # GIVEN an auditor
    auditor = Principal(subject="lena", role=Role.AUDITOR, user_id="lena")
    day = date(2026, 12, 6)
    # WHEN she searches one account's entries of a day
    d.read_audit(deps, auditor, AuditQuery(from_date=day, to_date=day, account_id="oskar"))
    # THEN the search is recorded: who, the period and the filter (not as the account's own entry)
    (searched,) = deps.audit.of("audit_searched")
    assert (searched.actor, searched.account_id) == ("auditor:lena", None)
    assert searched.details == {"from": "2026-12-06", "to": "2026-12-06", "account_id": "oskar", "action": None}
    # and a later search of the day finds it
    later = d.read_audit(deps, auditor, AuditQuery(from_date=day, to_date=day, action="audit_searched"))
    assert [e.actor for e in later] == ["auditor:lena"]
