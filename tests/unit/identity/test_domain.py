"""The directory's rules: the default end date, validity, roles per kind of organisation, reach."""
from datetime import date

import pytest

from services.auth.principal import Role
from services.identity.domain import scope
from services.identity.domain.model import default_extension, default_valid_to, next_term_date, roles_refusal
from tests.unit.identity.support import admin, municipal_admin


@pytest.mark.parametrize("today,expected", [
    ("2026-01-01", "2026-02-15"), ("2026-02-01", "2026-02-15"),  # exactly 14 days away: kept
    ("2026-02-02", "2026-09-15"),  # 13 days away: skipped to the next one
    ("2026-02-15", "2026-09-15"), ("2026-09-01", "2026-09-15"), ("2026-09-02", "2027-02-15"),
    ("2026-12-31", "2027-02-15"),
])
def test_the_default_end_date_is_the_next_15_february_or_15_september_at_least_14_days_away(today, expected):
    assert default_valid_to(date.fromisoformat(today)) == date.fromisoformat(expected)


def test_an_extension_moves_to_the_term_date_after_the_current_end_or_from_today_when_it_passed():
    today = date(2026, 12, 6)
    assert default_extension(date(2027, 2, 15), today) == date(2027, 9, 15)
    assert default_extension(date(2026, 12, 10), today) == date(2027, 2, 15)
    assert default_extension(date(2026, 9, 15), today) == date(2027, 2, 15)
    assert next_term_date(date(2026, 9, 15)) == date(2027, 2, 15)


@pytest.mark.parametrize("kind,roles,ok", [
    ("provider", [Role.PROVIDER_STAFF], True),
    ("provider", [Role.PROVIDER_COORDINATOR, Role.ORGANISATION_ADMIN], True),
    ("provider", [Role.CASE_WORKER], False),
    ("provider", [Role.MUNICIPAL_ADMIN], False),
    ("municipal_unit", [Role.CASE_WORKER, Role.AUDITOR], True),
    ("municipal_unit", [Role.MUNICIPAL_ADMIN, Role.ORGANISATION_ADMIN], True),
    ("municipal_unit", [Role.PROVIDER_STAFF], False),
    ("municipal_unit", [Role.CITIZEN], False),
    ("municipal_unit", [], False),
    ("municipal_unit", [Role.AUDITOR, Role.AUDITOR], False),
])
def test_roles_follow_the_kind_of_organisation_and_are_staff_roles_only(kind, roles, ok):
    assert (roles_refusal(kind, roles) is None) == ok


def test_an_organisations_admin_reaches_its_own_organisation_only_and_never_a_municipal_admin():
    who = admin("prov-omsorg")
    assert scope.reaches(who, "prov-omsorg", "provider", [Role.PROVIDER_STAFF])
    assert not scope.reaches(who, "prov-annan", "provider", [Role.PROVIDER_STAFF])
    it = admin("enhet-it")
    assert not scope.reaches(it, "enhet-it", "municipal_unit", [Role.MUNICIPAL_ADMIN])
    assert scope.grant_refusal(it, [Role.MUNICIPAL_ADMIN]) is not None


def test_the_municipal_admin_reaches_municipal_units_and_providers_admins_only():
    who = municipal_admin()
    assert scope.reaches(who, "enhet-bistand", "municipal_unit", [Role.CASE_WORKER])
    assert scope.reaches(who, "prov-omsorg", "provider", [Role.ORGANISATION_ADMIN])
    assert not scope.reaches(who, "prov-omsorg", "provider", [Role.PROVIDER_STAFF])
    assert not scope.reaches(who, "prov-omsorg", "provider", [Role.ORGANISATION_ADMIN, Role.PROVIDER_COORDINATOR])
