"""The end reminder reaches people: the sweep asks notify for an e-mail to the account's holder and
to the administrators who keep the account, once per account and end date, with the end date as
the only parameter; a staff account's work e-mail goes to notify as its own recipient
(``staff#<account id>``), never as the person's own (``person#<personnummer>``)."""
from datetime import date, datetime, timedelta, timezone

from services.auth.principal import Role
from services.contracts.events import ContactPreferencesChanged, NotificationRequested
from services.identity.schemas import NewStaffAccount
from services.identity.usecases import directory as d
from services.identity.usecases.register import load_directory
from services.identity.usecases.reminders import remind_ending_accounts
from tests.support.people import new_pnr
from tests.unit.identity.support import account, admin, directory

MORNING = datetime(2026, 12, 6, 6, tzinfo=timezone.utc)


def requests(deps):
    return [(e.template, e.recipient.kind, e.recipient.ref, e.params, e.channels)
            for e in deps.published if isinstance(e, NotificationRequested)]


def test_the_sweep_asks_once_for_the_holder_and_the_organisations_administrator():
    # GIVEN a provider's care staff ending in 14 days, its organisation's administrator, an ended one
    deps = directory(clock=lambda: MORNING)
    account(deps, "anna", "prov-omsorg", Role.PROVIDER_STAFF, valid_to=date(2026, 12, 20))
    account(deps, "oskar", "prov-omsorg", Role.ORGANISATION_ADMIN)
    account(deps, "gammal-admin", "prov-omsorg", Role.ORGANISATION_ADMIN, ended_at=MORNING - timedelta(days=9))
    account(deps, "kim", "enhet-it", Role.MUNICIPAL_ADMIN)
    deps.published.clear()
    # WHEN the daily sweep runs, and runs again (a retried schedule)
    first = remind_ending_accounts(deps)
    again = remind_ending_accounts(deps)
    # THEN one e-mail to the holder and one to the administrator who keeps the account, once
    params = {"valid_to": "2026-12-20"}
    assert requests(deps) == [("staff_account.ending", "staff", "anna", params, ["email"]),
                              ("staff_account.ending_admin", "staff", "oskar", params, ["email"])]
    assert (first.accounts, first.told, again.accounts, again.already) == (["anna"], 2, [], 1)
    assert deps.audit.of("reminder_recorded")[0].details["administrators"] == ["oskar"]


def test_an_account_extended_to_a_new_end_date_is_reminded_again_before_that_one():
    now = [MORNING]
    deps = directory(clock=lambda: now[0])
    account(deps, "anna", "prov-omsorg", Role.PROVIDER_STAFF, valid_to=date(2026, 12, 20))
    remind_ending_accounts(deps)
    deps.accounts.put_account(deps.accounts.get_account("anna").model_copy(update={"valid_to": date(2027, 2, 15)}))
    now[0] = datetime(2027, 2, 1, 6, tzinfo=timezone.utc)
    remind_ending_accounts(deps)
    remind_ending_accounts(deps)
    assert [r[3]["valid_to"] for r in requests(deps)] == ["2026-12-20", "2027-02-15"]


def test_a_providers_administrator_and_a_unit_without_one_are_kept_by_the_municipalitys_administrator():
    # GIVEN a provider's only administrator and a municipal unit's case worker, both ending, and
    # the municipality's administrators (one valid, one not yet)
    deps = directory(clock=lambda: MORNING)
    account(deps, "oskar", "prov-omsorg", Role.ORGANISATION_ADMIN, valid_to=date(2026, 12, 19))
    account(deps, "marita", "enhet-bistand", Role.CASE_WORKER, valid_to=date(2026, 12, 18))
    account(deps, "kim", "enhet-it", Role.MUNICIPAL_ADMIN)
    account(deps, "ny-kim", "enhet-it", Role.MUNICIPAL_ADMIN, valid_from=date(2027, 1, 1))
    account(deps, "omsorgens-staff", "prov-omsorg", Role.PROVIDER_STAFF)
    deps.published.clear()
    # WHEN the sweep runs
    remind_ending_accounts(deps)
    # THEN the municipality's valid administrator is told of each; the provider's care staff is not
    assert [(t, ref) for t, _, ref, _, _ in requests(deps)] == [
        ("staff_account.ending", "marita"), ("staff_account.ending_admin", "kim"),
        ("staff_account.ending", "oskar"), ("staff_account.ending_admin", "kim")]


def test_the_reminders_carry_no_personal_data():
    deps = directory(clock=lambda: MORNING)
    a = account(deps, "anna", "prov-omsorg", Role.PROVIDER_STAFF, valid_to=date(2026, 12, 20))
    account(deps, "oskar", "prov-omsorg", Role.ORGANISATION_ADMIN)
    remind_ending_accounts(deps)
    asked = [e for e in deps.published if isinstance(e, NotificationRequested)]
    assert asked and all(e.params == {"valid_to": "2026-12-20"} for e in asked)
    dumped = " ".join(e.model_dump_json() for e in asked)
    assert a.personnummer not in dumped and a.name not in dumped and a.email not in dumped
    assert "prov-omsorg" not in dumped


def test_an_added_account_tells_notify_its_work_email_as_a_staff_recipient_in_the_same_write():
    deps = directory(clock=lambda: MORNING)
    pnr = new_pnr(1990)
    view = d.add_account(deps, admin("prov-omsorg"), NewStaffAccount(
        personnummer=pnr, name="Ny Person", organisation_id="prov-omsorg", roles=[Role.PROVIDER_STAFF],
        email="ny@omsorg.example"))
    without = d.add_account(deps, admin("prov-omsorg"), NewStaffAccount(
        personnummer=new_pnr(1990), name="Utan Adress", organisation_id="prov-omsorg", roles=[Role.PROVIDER_STAFF]))
    contacts = [e for e in deps.published if isinstance(e, ContactPreferencesChanged)]
    assert [(c.recipient.kind, c.recipient.ref, c.email, c.email_on, c.sms_on) for c in contacts] == [
        ("staff", view.account_id, "ny@omsorg.example", True, False)]
    assert without.account_id not in {c.recipient.ref for c in contacts}
    assert all(c.recipient.kind != "person" and pnr not in c.recipient.ref for c in contacts)


def test_the_demo_directory_tells_notify_each_accounts_work_email():
    deps = directory(clock=lambda: MORNING)
    staff = [{"user_id": "anna", "role": "provider_staff", "personnummer": new_pnr(1980), "name": "Anna",
              "email": "anna@omsorg.example", "organisation_id": "prov-omsorg"}]
    orgs = [{"organisation_id": "prov-omsorg", "kind": "provider", "name": "Omsorg AB"}]
    load_directory(deps, orgs, staff, date(2026, 1, 1), date(2026, 12, 6))
    assert [(e.recipient.key, e.email) for e in deps.published] == [("staff#anna", "anna@omsorg.example")]
