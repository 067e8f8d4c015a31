"""The billing section's pages for paying (``/billing/personal``), in-process over moto:
Klassificering (a client's classification in force, its history, a change from a month with a
reason; bad input stores nothing), Utbetalningar (per person and assignment, the reports behind each
line, finance's approval for payment that locks the month, the payroll file of an approved month
only) and Regler (each pack with its period, version, source and figures; a new version validated,
previewed on the current month and only then stored). Who may: finance and the ordering unit read
every page; approving and storing rules is finance's alone; every other role 403; nobody a login."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

import pytest

from services.auth.principal import Role
from services.billing.bootstrap import deps
from services.entrypoints.web.billing.section import BILLING, billing_config
from tests.integration.billing.helpers import feed
from tests.integration.web.helpers import Browser, text
from tests.support.people import new_pnr
from tests.support.staff_login import staff_principal, staff_session
from tests.unit.billing.events import absence_registered, decision, report_approved

PAGES = ["/personal/klassificering", "/personal/utbetalningar?manad=2025-07", "/personal/regler"]


@dataclass
class BillingBrowser(Browser):
    def _headers(self, extra=None):
        headers = dict(extra or {})
        if self.cookie:
            headers["Cookie"] = f"{billing_config().cookie_name}={self.cookie}"
        return headers


def logged_in(app_client, role="finance", name="Fia Ekström"):
    who = staff_principal(role, name=name)
    return BillingBrowser(app_client("billing"), cookie=staff_session(deps().sessions, who, section=BILLING))


def form_of(r) -> str:
    return r.body.decode()


# -- who may ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [str(r) for r in Role])
def test_each_page_for_each_role(app_client, role):
    """GIVEN a session of the section for each role WHEN it opens each page THEN finance and the
    ordering unit get it, every other role 403 (the section admits none of them at the door either)."""
    b = logged_in(app_client, role)
    for path in PAGES:
        r = b.get(path)
        expected = 200 if role in ("finance", "ordering_unit") else 403
        assert r.status == expected, (role, path, r.status)
    if role in ("finance", "ordering_unit"):
        return
    # nor do they change anything or download the payroll file (CSRF passes: the refusal is the role's)
    assert b.get("/personal/utbetalningar/2025-07/lonefil").status == 403
    for path, form in (("/personal/klassificering", {"personnummer": new_pnr(1940), "omrade": "rural",
                                                     "fran": "2025-01", "motivering": "Försök"}),
                       ("/personal/utbetalningar/attestera", {"manad": "2025-03"}),
                       ("/personal/regler", {"kommun": "haninge", "version": "nej", "fran": "2035-01",
                                             "timersattning": "1", "glesbygd": "1", "betalningsvillkor": "30",
                                             "beslut": "Försök", "steg": "anvand"})):
        assert b.post(path, form).status == 403, (role, path)
    assert deps().store.payout_approval(2025, 3) is None


def test_anonymous_is_sent_to_log_in_from_every_page(app_client):
    b = BillingBrowser(app_client("billing"))
    for path in [*PAGES, "/personal/utbetalningar/2025-07/lonefil"]:
        r = b.get(path)
        assert r.status in (302, 303) and "/personal/logga-in" in r.headers["location"], (path, r.status)


def test_the_ordering_unit_reads_but_may_not_approve_payouts_or_store_rules(app_client):
    month = "2025-09"
    feed(app_client("billing"), report_approved(f"case-{uuid.uuid4().hex[:6]}", new_pnr(1970), year=2025, month=9,
                                                terms_year=2025))
    b = logged_in(app_client, "ordering_unit", name="Ola Bergström")
    page = b.get(f"/personal/utbetalningar?manad={month}")
    assert page.status == 200 and "Attestera 2025-09" not in text(page) and "Ekonomienheten attesterar" in text(page)
    assert b.post("/personal/utbetalningar/attestera", {"manad": month}).status == 403
    assert deps().store.payout_approval(2025, 9) is None
    rules = b.get("/personal/regler")
    assert rules.status == 200 and "Ny regelversion" not in text(rules)
    assert b.post("/personal/regler", {"kommun": "haninge", "version": "x1", "fran": "2035-01", "timersattning": "500",
                                       "glesbygd": "45", "betalningsvillkor": "30", "beslut": "KS 1/2035",
                                       "steg": "anvand"}).status == 403
    assert not [s for s in deps().store.stored_rule_packs("haninge") if s.pack.version == "x1"]


# -- klassificering --------------------------------------------------------------------------------

def test_a_client_is_found_by_personnummer_and_a_bad_one_is_a_swedish_error(app_client):
    b = logged_in(app_client)
    r = b.get("/personal/klassificering?personnummer=19400101-0000")
    assert r.status == 422 and "Det finns problem att rätta" in text(r) and "12 siffror" in text(r)
    client = new_pnr(1940)
    found = b.get(f"/personal/klassificering?personnummer={client}")
    assert found.status == 200 and "Klassificeringen har inte ändrats" in text(found)


def test_a_change_is_kept_in_the_history_and_the_basis_uses_the_one_in_force_for_the_month(app_client):
    """GIVEN a client with a termination and visits in 2025-05 and 2025-06 WHEN finance classifies them
    rural from 2025-06 with a reason THEN the history shows who, when, from when and why, May's basis
    has no rural minutes and June's has; a change without a reason or with an unknown termination
    is 422 and stores nothing; CSRF is required."""
    from tests.unit.billing.events import visit_changed
    from datetime import datetime, timezone

    billing = app_client("billing")
    provider, client = f"prov-{uuid.uuid4().hex[:8]}", new_pnr(1940)
    feed(billing, decision(client, 3040, date(2025, 1, 1)),
         visit_changed("m-" + provider, client, provider=provider, minutes=60,
                       start=datetime(2025, 5, 5, 8, tzinfo=timezone.utc), year=2025, month=5),
         visit_changed("j-" + provider, client, provider=provider, minutes=60,
                       start=datetime(2025, 6, 5, 8, tzinfo=timezone.utc), year=2025, month=6),
         absence_registered("t-" + provider, client, date(2025, 6, 20), kind="terminated", provider=provider))
    b = logged_in(app_client)
    page = b.get(f"/personal/klassificering?personnummer={client}")
    assert "Avslut t-" + provider in text(page)
    before = deps().store.client(client)

    bad = b.post("/personal/klassificering", {"personnummer": client, "omrade": "rural", "fran": "2025-6",
                                              "motivering": "", "felskott": "t-okänd"})
    assert bad.status == 422
    page_text = text(bad)
    assert "minst 3 tecken" in page_text and "ÅÅÅÅ-MM" in page_text and "avslutade uppdrag i listan" in page_text
    assert deps().store.client(client) == before
    assert b.post("/personal/klassificering", {"personnummer": client, "omrade": "rural", "fran": "2025-06",
                                               "motivering": "Glesbygd"}, csrf="fel").status == 400
    assert deps().store.client(client) == before

    done = b.post("/personal/klassificering", {"personnummer": client, "omrade": "rural", "fran": "2025-06",
                                               "felskott": "t-" + provider,
                                               "motivering": "Flyttat till Ornö enligt utförarens anmälan"})
    assert done.status == 303
    shown = b.get(done.headers["location"].removeprefix("/billing"))
    history = text(shown)
    assert "Klassificeringen är ändrad från 2025-06" in history
    assert "2025-06" in history and "Glesbygd" in history and "Fia Ekström" in history
    assert "Flyttat till Ornö enligt utförarens anmälan" in history
    assert "Område: Ingen (tätort) → Glesbygd" in history and f"Misskötta avslut: Inga → t-{provider}" in history
    from services.billing.usecases.invoice_basis import compute

    may, june = compute(deps(), provider, 2025, 5), compute(deps(), provider, 2025, 6)
    assert (may.lines[0].area, may.lines[0].rural_minutes) == ("standard", 0)
    assert (june.lines[0].area, june.lines[0].rural_minutes) == ("rural", 60)


# -- utbetalningar ---------------------------------------------------------------------------------

def test_payouts_per_person_with_the_reports_behind_approved_once_and_the_payroll_file(app_client):
    """GIVEN two approved reports of one person's assignment and one of another's in 2025-07 WHEN
    finance opens the month THEN each line's fee, allowance, km and mileage and the reports behind it,
    no payroll file before approval (404); approving stores who and when and locks it (a second
    approval 409); the payroll file has a row per person and löneart, taxable only for the fee."""
    billing = app_client("billing")
    anna, bo = new_pnr(1970), new_pnr(1980)
    c1, c2, c3 = (f"case-{uuid.uuid4().hex[:6]}" for _ in range(3))
    feed(billing, report_approved(c1, anna, km=10, year=2025, month=7, assignment="as-a-" + anna),
         report_approved(c2, anna, km=32, year=2025, month=7, assignment="as-a-" + anna, kind="time"),
         report_approved(c3, bo, km=0, year=2025, month=7, assignment="as-b-" + bo))
    b = logged_in(app_client)
    page = b.get("/personal/utbetalningar?manad=2025-07")
    assert page.status == 200
    body = text(page)
    assert anna in body and bo in body and c1 in body and c2 in body and "Ej attesterad" in body
    assert "1\u00a0470,00\u00a0kr" in form_of(page) and "105,00" in form_of(page)  # fee; 42 km × 2,50 kr
    assert "Lönefilens kolumner" in body and "Skattepliktig" in body
    assert b.get("/personal/utbetalningar/2025-07/lonefil").status == 404

    assert b.post("/personal/utbetalningar/attestera", {"manad": "2025-07"}).status == 303
    approved = deps().store.payout_approval(2025, 7)
    assert approved is not None and approved.approved_by_name == "Fia Ekström"
    assert {line.contact_person for line in approved.payouts.lines} >= {anna, bo}
    again = b.post("/personal/utbetalningar/attestera", {"manad": "2025-07"})
    assert again.status == 409 and "redan attesterade" in text(again)
    assert deps().store.payout_approval(2025, 7) == approved

    page = b.get("/personal/utbetalningar?manad=2025-07")
    assert "Attesterad för utbetalning" in text(page) and "Fia Ekström" in text(page)
    f = b.get("/personal/utbetalningar/2025-07/lonefil")
    assert f.status == 200 and f.headers["content-type"].startswith("text/csv")
    assert "lonefil-kontaktpersoner-2025-07.csv" in f.headers["content-disposition"]
    lines = f.body.decode("utf-8").splitlines()
    assert lines[0].startswith("Personnummer;Period;Löneart;Benämning;Antal;Enhet;À-pris (kr);Belopp (kr);Skattepliktig")
    rows = [line.split(";") for line in lines[1:]]
    annas = {r[2]: r for r in rows if r[0] == anna}
    assert set(annas) == {"KP-ARVODE", "KP-OMKOST", "KP-MILERS"}
    assert (annas["KP-ARVODE"][7], annas["KP-ARVODE"][8]) == ("1470,00", "Ja")
    assert (annas["KP-MILERS"][4], annas["KP-MILERS"][6], annas["KP-MILERS"][7], annas["KP-MILERS"][8]) == \
        ("42,0", "2,50", "105,00", "Nej")
    assert annas["KP-ARVODE"][10] == " ".join(sorted([c1, c2]))
    assert {r[2] for r in rows if r[0] == bo} == {"KP-ARVODE", "KP-OMKOST"}  # no km: no mileage row

    late = f"case-{uuid.uuid4().hex[:6]}"
    feed(billing, report_approved(late, bo, year=2025, month=7, assignment="as-late-" + bo))
    page = b.get("/personal/utbetalningar?manad=2025-07")
    assert "godkändes efter attesten" in text(page) and late in text(page)
    assert late not in b.get("/personal/utbetalningar/2025-07/lonefil").body.decode()


def test_a_month_not_over_or_without_reports_is_not_approved_and_a_bad_month_is_a_swedish_error(app_client):
    b = logged_in(app_client)
    assert b.get("/personal/utbetalningar?manad=2025-13").status == 422
    empty = b.get("/personal/utbetalningar?manad=2025-02")
    assert empty.status == 200 and "Inga godkända rapporter" in text(empty)
    refused = b.post("/personal/utbetalningar/attestera", {"manad": "2025-02"})
    assert refused.status == 422 and "inga godkända rapporter" in text(refused)
    future = b.post("/personal/utbetalningar/attestera", {"manad": "2099-01"})
    assert future.status == 422 and "inte slut" in text(future)
    assert deps().store.payout_approval(2025, 2) is None and deps().store.payout_approval(2099, 1) is None


# -- regler ----------------------------------------------------------------------------------------

def test_the_rules_in_force_with_period_version_source_and_figures(app_client):
    r = logged_in(app_client).get("/personal/regler")
    page = text(r)
    assert r.status == 200
    assert "Haninge kommun" in page and "Version 2026.2" in page and "haninge-2026-04.json" in page
    assert "497,00" in form_of(r) and "780201" in page and "333601" in page and "30 dagar" in page
    assert "Prisbasbelopp" in page and "59\u00a0200,00" in form_of(r)


def test_a_new_version_is_validated_previewed_on_the_current_month_and_only_then_stored(app_client):
    """GIVEN finance WHEN a new version is entered with bad figures THEN 422 in Swedish, nothing
    stored; WHEN a good one THEN a preview of the current month's basis per provider, nothing stored;
    WHEN 'Använd från' THEN stored once, listed with its source, and in force from its month."""
    b = logged_in(app_client)
    b.get("/personal/regler")
    version = f"t{uuid.uuid4().hex[:6]}"
    good = {"kommun": "haninge", "version": version, "fran": "2035-01", "till": "", "timersattning": "512,50",
            "glesbygd": "50", "betalningsvillkor": "30", "beslut": "KS 2034/77, 2034-11-20"}
    count = len(deps().store.stored_rule_packs("haninge"))
    bad = b.post("/personal/regler", {**good, "version": "2026.2", "fran": "2020-01", "timersattning": "mycket",
                                      "beslut": ""})
    assert bad.status == 422
    assert "i kronor" in text(bad) and "3–300 tecken" in text(bad)
    early = b.post("/personal/regler", {**good, "fran": "2020-01"})
    assert early.status == 422 and "tidigast från" in text(early)
    same = b.post("/personal/regler", {**good, "version": "2026.2"})
    assert same.status == 422 and "redan en regelversion" in text(same)
    backwards = b.post("/personal/regler", {**good, "till": "2034-06"})
    assert backwards.status == 422 and "före startmånaden" in text(backwards)
    assert len(deps().store.stored_rule_packs("haninge")) == count

    preview = b.post("/personal/regler", {**good, "steg": "granska"})
    assert preview.status == 200 and "Förhandsgranskning" in text(preview) and "Använd från 2035-01" in text(preview)
    assert "512,50" in form_of(preview)
    assert len(deps().store.stored_rule_packs("haninge")) == count

    stored = b.post("/personal/regler", {**good, "steg": "anvand"})
    assert stored.status == 303
    assert [s.pack.hourly_rate_ore for s in deps().store.stored_rule_packs("haninge")
            if s.pack.version == version] == [51250]
    assert deps().rules.for_month("haninge", 2035, 1).version == version
    assert deps().rules.for_month("haninge", 2026, 6).version == "2026.2"  # a month before keeps its pack
    listed = text(b.get("/personal/regler"))
    assert f"Version {version}" in listed and "Sparad i Insats av Fia Ekström" in listed
    again = b.post("/personal/regler", {**good, "steg": "anvand"})
    assert again.status == 422 and "redan en regelversion" in text(again)


def test_the_preview_shows_each_providers_basis_before_and_after(app_client, monkeypatch):
    """The current month's basis per provider under the pack in force and under the candidate."""
    from datetime import datetime, timezone

    from services.billing.usecases import rules as usecase
    from tests.unit.billing.events import visit_changed

    monkeypatch.setattr(usecase, "first_open_month", lambda _deps: (2026, 5))
    billing = app_client("billing")
    provider, client = f"prov-{uuid.uuid4().hex[:8]}", new_pnr(1940)
    feed(billing, decision(client, 3040, date(2025, 1, 1)),
         visit_changed("p-" + provider, client, provider=provider, minutes=60,
                       start=datetime(2026, 5, 5, 8, tzinfo=timezone.utc), year=2026, month=5))
    b = logged_in(app_client)
    b.get("/personal/regler")
    r = b.post("/personal/regler", {"kommun": "haninge", "version": f"p{uuid.uuid4().hex[:6]}", "fran": "2026-05",
                                    "till": "", "timersattning": "600", "glesbygd": "45", "betalningsvillkor": "30",
                                    "beslut": "KS förhandsgranskning", "steg": "granska"})
    assert r.status == 200
    row = re.search(rf"<th scope=\"row\">{provider}</th>(.*?)</tr>", form_of(r), re.S)
    assert row, "the provider's row"
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
    assert cells[1:] == ["497,00\u00a0kr", "600,00\u00a0kr", "103,00\u00a0kr"]
