"""The staff login's decision: refusals with their reasons, one principal per role, the audit."""
from datetime import date, datetime, timezone

import pytest

from services.auth.principal import Role
from services.identity.domain.errors import LoginRefused
from services.identity.usecases.login import account_valid, acr_sufficient, staff_login
from tests.unit.identity.support import account, directory

LOA2, LOA3, LOA4 = (f"http://id.elegnamnden.se/loa/1.0/loa{n}" for n in (2, 3, 4))
TODAY = date(2026, 12, 6)


def test_a_valid_account_logs_in_with_one_principal_per_role():
    # GIVEN a coordinator who is also the provider's administrator
    deps = directory()
    a = account(deps, "cilla", "prov-omsorg", Role.PROVIDER_COORDINATOR, Role.ORGANISATION_ADMIN)
    # WHEN she logs in at the two-factor level
    login = staff_login(deps, a.personnummer, LOA3, TODAY)
    # THEN she may act as either role, for her provider, and the login is audited
    assert [p.role for p in login.principals] == [Role.PROVIDER_COORDINATOR, Role.ORGANISATION_ADMIN]
    assert {(p.subject, p.user_id, p.organisation_id, p.provider_id, p.name) for p in login.principals} == {
        ("cilla", "u-cilla", "prov-omsorg", "prov-omsorg", "Namn cilla")}
    assert all(p.personnummer is None for p in login.principals)
    [audited] = deps.audit.of("login")
    assert audited.account_id == "cilla" and audited.personnummer == a.personnummer


def test_a_municipal_units_staff_carry_their_organisation_and_no_provider():
    deps = directory()
    a = account(deps, "marita", "enhet-bistand", Role.CASE_WORKER)
    [p] = staff_login(deps, a.personnummer, LOA4, TODAY).principals
    assert (p.role, p.organisation_id, p.provider_id) == (Role.CASE_WORKER, "enhet-bistand", None)


@pytest.mark.parametrize("case,reason,words", [
    ("unknown", "unknown_staff", "inget konto"),
    ("ended_by_date", "account_ended", "gäller inte längre"),
    ("ended_by_admin", "account_ended", "gäller inte längre"),
    ("not_yet", "not_yet_valid", "gäller från 1 januari 2027"),
    ("loa2", "acr_too_low", "tvåfaktorsinloggning"),
    ("no_acr", "acr_too_low", "tvåfaktorsinloggning"),
    ("unknown_acr", "acr_too_low", "tvåfaktorsinloggning"),
])
def test_each_refusal_says_why_in_swedish_is_audited_and_logs_nobody_in(case, reason, words):
    deps = directory()
    ended = datetime(2026, 12, 1, tzinfo=timezone.utc)
    a = {
        "unknown": None,
        "ended_by_date": lambda: account(deps, "x", "enhet-bistand", Role.CASE_WORKER, valid_to=date(2026, 12, 5)),
        "ended_by_admin": lambda: account(deps, "x", "enhet-bistand", Role.CASE_WORKER, ended_at=ended),
        "not_yet": lambda: account(deps, "x", "enhet-bistand", Role.CASE_WORKER, valid_from=date(2027, 1, 1)),
        "loa2": lambda: account(deps, "x", "enhet-bistand", Role.CASE_WORKER),
        "no_acr": lambda: account(deps, "x", "enhet-bistand", Role.CASE_WORKER),
        "unknown_acr": lambda: account(deps, "x", "enhet-bistand", Role.CASE_WORKER),
    }[case]
    pnr = a().personnummer if a else "198503212444"
    acr = {"loa2": LOA2, "no_acr": None, "unknown_acr": "urn:something:else"}.get(case, LOA3)
    with pytest.raises(LoginRefused) as refused:
        staff_login(deps, pnr, acr, TODAY)
    assert refused.value.reason == reason and words in refused.value.message
    [audited] = deps.audit.of("login_refused")
    assert audited.reason == reason and audited.personnummer == pnr
    assert deps.audit.of("login") == []


def test_the_required_level_comes_from_configuration_and_a_higher_level_passes():
    assert acr_sufficient(LOA4, LOA3) and acr_sufficient(LOA3, LOA3) and not acr_sufficient(LOA2, LOA3)
    deps = directory(staff_acr=LOA4)
    a = account(deps, "x", "enhet-bistand", Role.CASE_WORKER)
    with pytest.raises(LoginRefused):
        staff_login(deps, a.personnummer, LOA3, TODAY)


def test_an_account_is_valid_for_the_sessions_check_until_it_ends():
    deps = directory()
    account(deps, "x", "enhet-bistand", Role.CASE_WORKER, valid_to=date(2026, 12, 6))
    account(deps, "y", "enhet-bistand", Role.CASE_WORKER, ended_at=datetime(2026, 12, 6, tzinfo=timezone.utc))
    assert account_valid(deps, "x", TODAY) and not account_valid(deps, "x", date(2026, 12, 7))
    assert not account_valid(deps, "y", TODAY) and not account_valid(deps, "nobody", TODAY)


def test_the_log_lines_of_a_login_and_a_refusal_name_the_person_masked_only(caplog):
    deps = directory()
    a = account(deps, "x", "enhet-bistand", Role.CASE_WORKER)
    staff_login(deps, a.personnummer, LOA3, TODAY)
    with pytest.raises(LoginRefused):
        staff_login(deps, a.personnummer, LOA2, TODAY)
    out = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records if r.name == "identity")
    assert "staff_login" in out and "staff_login_refused" in out and "acr_too_low" in out
    assert f"{a.personnummer[:8]}-****" in out and a.personnummer not in out  # the record itself, before the formatter


def test_a_persons_login_by_e_id_is_in_the_audit_trail_like_a_staff_login(caplog):
    """GIVEN a citizen's verified e-ID (no account: not in the directory) WHEN the login is recorded
    THEN the trail has a login entry with the personnummer and the role, and the log line is masked."""
    from services.domain.personnummer import Personnummer
    from services.identity.usecases.login import record_login
    from services.auth.principal import Principal

    deps = directory()
    pnr = "196004042047"
    record_login(deps, Principal(subject="annika", role=Role.CITIZEN, personnummer=Personnummer(pnr), name="Annika"))
    [audited] = deps.audit.of("login")
    assert audited.personnummer == pnr and audited.account_id is None
    assert audited.details == {"role": "citizen"}
    out = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records if r.name == "identity")
    assert "person_login" in out and pnr not in out
