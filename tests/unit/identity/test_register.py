"""Loading the directory from the register (the demo's people.json): organisations, one account per
staff member with the default end date, citizens left out, loading twice the same."""
from datetime import date

from services.identity.usecases.register import load_directory
from tests.support.fakes.identity import fake_identity_deps

ORGS = [{"organisation_id": "prov-omsorg", "kind": "provider", "name": "Omsorg AB"},
        {"organisation_id": "enhet-it", "kind": "municipal_unit", "name": "IT"}]
STAFF = [
    {"role": "citizen", "personnummer": "196004042047"},
    {"role": "provider_coordinator", "user_id": "cilla", "name": "Cilla", "organisation_id": "prov-omsorg",
     "personnummer": "197808302629"},
    {"role": "organisation_admin", "user_id": "cilla", "name": "Cilla", "organisation_id": "prov-omsorg",
     "personnummer": "197808302629"},
    {"role": "municipal_admin", "user_id": "kim", "name": "Kim", "organisation_id": "enhet-it",
     "personnummer": "198304042958"},
]


def test_the_register_becomes_organisations_and_accounts_with_the_default_end_date():
    deps = fake_identity_deps()
    assert load_directory(deps, ORGS, STAFF, date(2026, 1, 1), date(2026, 12, 6)) == 2
    cilla = deps.accounts.account_of("197808302629")
    assert (cilla.account_id, cilla.organisation_kind, [str(r) for r in cilla.roles], cilla.valid_to) == (
        "cilla", "provider", ["provider_coordinator", "organisation_admin"], date(2027, 2, 15))
    assert deps.accounts.account_of("196004042047") is None
    assert [o.organisation_id for o in deps.organisations.all_organisations()] == ["enhet-it", "prov-omsorg"]
    load_directory(deps, ORGS, STAFF, date(2026, 1, 1), date(2026, 12, 6))
    assert len(deps.accounts.items) == 2
