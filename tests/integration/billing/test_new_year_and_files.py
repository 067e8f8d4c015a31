"""Issue 20 items 2, 4 and 7 over HTTP and SQS against the moto server: January 2027 is billed
and paid (preliminary, with the figure's year) instead of 404; reconciliation takes the CSV's
decimal comma; the CSV and PDF are Swedish and name the provider; classification accepts only
the client's own terminations."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.support.pdf import pdf_text
from tests.integration.billing.helpers import feed
from tests.support.people import new_pnr
from tests.unit.billing.events import absence_registered, decision, report_approved, visit_changed

T = datetime(2027, 1, 4, 8, tzinfo=timezone.utc)


def a_provider_month(billing, year=2027, month=1):
    provider, client = f"prov-{uuid.uuid4().hex[:8]}", new_pnr(1940)
    start = datetime(year, month, 4, 8, tzinfo=timezone.utc)
    feed(billing, decision(client, 3040, date(2025, 1, 1)),
         visit_changed("v1-" + provider, client, provider=provider, minutes=60, start=start, year=year, month=month),
         visit_changed("v2-" + provider, client, provider=provider, minutes=45, start=start + timedelta(days=1),
                       year=year, month=month))
    return provider, client


# -- item 2 ---------------------------------------------------------------------------------

def test_january_2027_is_billed_with_the_last_known_rates_marked_preliminary(billing, finance):
    provider, client = a_provider_month(billing)
    r = billing.get(f"/invoice-basis?provider_id={provider}&month=2027-01", token=finance)
    assert r.status == 200, r.json
    assert r.json["rule_pack"]["version"] == "2026.2" and r.json["totals"]["billable_minutes"] == 105
    assert [(m["figure_year"], m["year"]) for m in r.json["preliminary_amounts"]] == [(2026, 2027)]
    assert r.json["preliminary_amounts"][0]["text"].startswith("preliminärt belopp")
    csv = billing.get(f"/invoice-basis/{provider}/2027-01/csv", token=finance).body.decode("utf-8-sig").splitlines()
    assert csv[0].split(";")[-1] == "Preliminärt belopp" and csv[1].split(";")[-1].endswith("2026")
    pdf = billing.get(f"/invoice-basis/{provider}/2027-01/pdf", token=finance, headers={"Accept": "application/pdf"})
    assert pdf.status == 200 and "Preliminärt belopp" in pdf_text(pdf.body)


def test_january_2027_payouts_use_2026s_prisbasbelopp_marked_preliminary(billing, finance):
    person = new_pnr(1975)
    feed(billing, report_approved(f"case-{uuid.uuid4().hex[:6]}", person, km=40, year=2027, month=1,
                                  assignment="as-" + person))
    r = billing.get("/payouts?month=2027-01", token=finance)
    assert r.status == 200, r.json
    (mine,) = [p for p in r.json["lines"] if p["contact_person"] == person]
    assert (mine["fee_ore"], mine["mileage_ore"]) == (148_000, 10_000)
    assert (r.json["prisbasbelopp_ore"], r.json["prisbasbelopp_year"]) == (5_920_000, 2026)
    assert {(m["figure"], m["figure_year"]) for m in r.json["preliminary_amounts"]} == \
        {("prisbasbelopp", 2026), ("milersättning", 2025)}
    csv = billing.get("/payouts/2027-01/csv", token=finance).body.decode("utf-8-sig").splitlines()
    assert csv[0].endswith(";Preliminärt belopp") and "prisbasbelopp 2026" in csv[1]


# -- item 4 ---------------------------------------------------------------------------------

def test_reconciliation_takes_a_decimal_comma_and_names_a_bad_line(billing, finance):
    provider, client = a_provider_month(billing, 2025, 5)
    basis = billing.get(f"/invoice-basis?provider_id={provider}&month=2025-05", token=finance).json
    url = f"/invoice-basis/{provider}/2025-05/reconciliation"
    claim = {"received_on": "2025-06-10", "lines": [{"client": client, "hours": "1,75",
                                                     "amount_ore": basis["totals"]["amount_ore"]}]}
    r = billing.post(url, claim, token=finance)
    assert r.status == 200 and r.json["matches"], r.json
    claim["lines"][0]["hours"] = "1.75"
    assert billing.post(url, claim, token=finance).json["matches"]
    claim["lines"] = [claim["lines"][0], {**claim["lines"][0], "hours": "1,7,5"}]
    bad = billing.post(url, claim, token=finance)
    assert bad.status == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in bad.json["errors"]] == ["lines.1.hours"]


def test_the_files_are_swedish_and_the_pdf_names_the_provider_in_local_time(billing, finance):
    from services.billing.bootstrap import deps
    from services.billing.usecases.provider_register import load

    provider, _ = a_provider_month(billing, 2025, 5)
    load(deps().store, [{"provider_id": provider, "name": "Omsorg Åkesson AB"}])
    basis = billing.get(f"/invoice-basis?provider_id={provider}&month=2025-05", token=finance).json
    assert basis["provider_name"] == "Omsorg Åkesson AB"
    csv = billing.get(f"/invoice-basis/{provider}/2025-05/csv", token=finance).body.decode("utf-8-sig")
    assert csv.splitlines()[1].split(";")[2] == "preliminärt" and "preliminary" not in csv
    pdf = billing.get(f"/invoice-basis/{provider}/2025-05/pdf", token=finance, headers={"Accept": "application/pdf"})
    text = pdf_text(pdf.body)
    computed = datetime.fromisoformat(basis["computed_at"])
    from services.domain.calendar import swedish_local

    assert f"utförare Omsorg Åkesson AB ({provider})" in text
    assert f"Beräknat {swedish_local(computed)}" in text and computed.isoformat(timespec="minutes") not in text


# -- item 7 ---------------------------------------------------------------------------------

def test_classification_accepts_only_the_clients_own_terminations(billing, finance):
    from services.billing.bootstrap import deps

    provider, client = a_provider_month(billing, 2025, 5)
    _, other = a_provider_month(billing, 2025, 5)
    feed(billing, absence_registered("t-" + provider, client, date(2025, 5, 26), kind="terminated", provider=provider),
         absence_registered("h-" + provider, client, date(2025, 5, 10), kind="hospital", provider=provider),
         absence_registered("o-" + provider, other, date(2025, 5, 26), kind="terminated", provider=provider))
    url = f"/clients/{client}/classification"
    before = deps().store.client(client).profile
    for bad, field in [("9999-99-99", "mismanaged_terminations.0"), ("hello", "mismanaged_terminations.0"),
                       ("h-" + provider, "mismanaged_terminations.0"), ("o-" + provider, "mismanaged_terminations.0"),
                       ("\u202e" * 10, "mismanaged_terminations.0")]:
        r = billing.put(url, {"area": "rural", "mismanaged_terminations": [bad]}, token=finance)
        assert r.status == 422 and r.headers["content-type"].startswith("application/problem+json"), (bad, r.json)
        assert [e["field"] for e in r.json["errors"]] == [field], (bad, r.json)
        assert deps().store.client(client).profile == before
    r = billing.put(url, {"mismanaged_terminations": ["t-" + provider]}, token=finance)
    assert r.status == 200 and r.json["mismanaged_terminations"] == ["t-" + provider]


def test_the_demo_seed_names_the_demo_provider_in_billings_register(aws):
    from infra.local.demo import _seed_billing, people
    from services.billing.bootstrap import deps

    home_care = people()["home_care"]
    assert _seed_billing(home_care) == ["provider name"] * len(home_care["providers"])
    for provider in home_care["providers"]:
        assert deps().store.provider_name(provider["provider_id"]) == provider["name"]


def test_the_demo_seed_makes_the_demo_contact_person_one_by_an_assignment(aws):
    """GIVEN the demo seed WHEN Kari (a contact person in people.json) logs in as a citizen, as every
    e-ID login is THEN her assignment is there, so the contact person's reports are open to her;
    seeding twice leaves one assignment."""
    from infra.local.demo import _seed_assignments, people
    from services.eservices.bootstrap import deps
    from services.eservices.usecases.submissions import is_contact_person
    from services.auth.principal import Principal, Role

    data = people()
    register = {p["personnummer"]: p for p in data["population_register"]}
    kari = data["contact_assignments"][0]["contact_person"]
    assert _seed_assignments(data["contact_assignments"], register) == ["contact assignment"]
    seeded = [a.assignment_id for a in deps().casework.assignments.of_contact_person(kari)]  # others' tests' too
    assert _seed_assignments(data["contact_assignments"], register) == ["contact assignment"]
    assert [a.assignment_id for a in deps().casework.assignments.of_contact_person(kari)] == seeded
    assert is_contact_person(deps(), Principal(subject=kari, role=Role.CITIZEN, personnummer=kari))
