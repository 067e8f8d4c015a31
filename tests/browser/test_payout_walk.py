"""GIVEN the local stack, a real Chromium and a contact person's October report that a case worker
approved through the API (the approval reaches billing through the queue) WHEN finance (demo Fia
Ekström, ekonomi-fia) logs in for real by the development broker, opens Utbetalningar for October,
approves the month for payment and downloads the payroll file, classifies a client rural (Klassificering)
and previews a new rule version on Regler (not stored)
THEN the month is locked with who approved it, the file has the person's rows (fee taxable,
allowance not), and every page passes axe-core at WCAG 2.1 AA."""
from __future__ import annotations

import re
import time
import uuid

import pytest

from tests.browser.conftest import api, dev_token
from tests.support.local_stack import call
from tests.support.people import new_pnr

pytestmark = pytest.mark.browser
MONTH = "2026-10"


def an_approved_report(base: str) -> str:
    """A contact person with an assignment, their October report submitted and approved by the case
    worker, as the e-services API takes it; waits until billing pays it. Returns the person."""
    kp, client = new_pnr(1975), new_pnr(1990)
    cw = dev_token(base, role="case_worker", user_id="hl-utbetalning", name="Marita Aronsson")
    assignment = {"kind": "kontaktperson", "contact_person": kp, "contact_person_first_name": "Kari",
                  "contact_person_last_name": "Kontakt", "client": client, "client_first_name": "Kim",
                  "client_last_name": "Klient", "sessions_per_month": 4, "monthly_fee_ore": 148_000,
                  "expense_allowance_ore": 49_333, "valid_from": "2026-09-01", "valid_to": "2026-12-31",
                  "note": "Bio och promenader"}
    status, a = api(base, "POST", "/eservices/assignments", assignment, cw)
    assert status == 201, a
    kp_tok = dev_token(base, role="contact_person", personnummer=kp)
    answers = {"rapportering": {"client_first_name": "Kim", "client_last_name": "Klient", "year": 2026, "month": 10,
                                "performed_all": "ja_alla", "activities": "Bio och fika"},
               "om_dig": {"personnummer": kp, "first_name": "Kari", "last_name": "Kontakt", "email": "kari@example.se",
                          "mobile": "+46701234567", "notify_email": True, "notify_sms": False, "confirm": True}}
    status, draft = api(base, "POST", "/eservices/drafts", {"form_id": "contact-monthly-report", "answers": answers},
                        kp_tok)
    assert status == 201, draft
    assert api(base, "POST", f"/eservices/drafts/{draft['draft_id']}/signature", None, kp_tok)[0] == 201
    status, receipt = call(base, "POST", f"/eservices/drafts/{draft['draft_id']}/submit", None, kp_tok, timeout=15,
                           headers={"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, receipt
    status, body = api(base, "POST", f"/eservices/cases/{receipt['case_id']}/report-approval",
                       {"assignment_id": a["assignment_id"]}, cw)
    assert status == 201, body
    finance = dev_token(base, role="finance", user_id="ekonomi-fia", name="Fia Ekström")
    for _ in range(60):  # the event travels the stack's queue to billing's consumer
        status, payouts = api(base, "GET", f"/billing/payouts?month={MONTH}", None, finance)
        if status == 200 and any(p["contact_person"] == kp for p in payouts["lines"]):
            return kp
        time.sleep(0.5)
    raise AssertionError(f"billing never received the approved report: {status} {payouts}")


def test_finance_approves_octobers_payouts_downloads_the_payroll_file_and_opens_the_rules(walk, web):
    kp = an_approved_report(web)
    w = walk(width=1280)
    page = w.page
    w.goto("/billing/personal")
    w.check("broker")
    page.get_by_label(re.compile("Fia Ekström")).check()
    page.get_by_role("button", name="Logga in").click()
    w.check("ekonomi-start")
    assert page.url.endswith("/billing/personal/start")

    w.goto(f"/billing/personal/utbetalningar?manad={MONTH}")
    w.check("utbetalningar")
    assert kp in page.content() and "Ej attesterad" in page.content()
    page.get_by_role("button", name=f"Attestera {MONTH} för utbetalning").click()
    w.check("utbetalningar-attesterad")
    assert "Attesterad för utbetalning" in page.content() and "Fia Ekström" in page.content()

    with page.expect_download() as caught:
        page.get_by_role("link", name="Ladda ner lönefilen (CSV)").click()
    download = caught.value
    assert download.suggested_filename == f"lonefil-kontaktpersoner-{MONTH}.csv"
    rows = [line.split(";") for line in open(download.path(), encoding="utf-8").read().splitlines()]
    assert rows[0][:3] == ["Personnummer", "Period", "Löneart"]
    mine = {r[2]: r for r in rows[1:] if r[0] == kp}
    assert (mine["KP-ARVODE"][1], mine["KP-ARVODE"][7], mine["KP-ARVODE"][8]) == (MONTH, "1480,00", "Ja")
    assert (mine["KP-OMKOST"][7], mine["KP-OMKOST"][8]) == ("493,33", "Nej")
    assert mine["KP-ARVODE"][11] == "Fia Ekström"

    page.get_by_role("link", name="Klassificering").click()
    w.check("klassificering")
    page.get_by_label("Klientens personnummer").fill(new_pnr(1940))
    page.get_by_role("button", name="Visa klient").click()
    w.check("klassificering-klient")
    page.get_by_label("Glesbygd").check()
    page.get_by_label("Motivering").fill("Bor i glesbygd enligt utförarens anmälan")
    page.get_by_role("button", name="Spara ändringen").click()
    w.check("klassificering-historik")
    assert "Område: Ingen (tätort) → Glesbygd" in page.content() and "Fia Ekström" in page.content()

    page.get_by_role("link", name="Regler").click()
    w.check("regler")
    assert page.get_by_role("heading", level=1).inner_text() == "Regler"
    assert "Haninge kommun" in page.content()
    page.get_by_label("Version", exact=True).fill("2027.1")
    page.get_by_label("Gäller från månad").fill("2027-01")
    page.get_by_label("Timersättning (kr per timme)").fill("512,50")
    page.get_by_label("Beslut som versionen bygger på").fill("KS 2026/123, 2026-11-20")
    page.get_by_role("button", name=re.compile("Granska mot")).click()
    w.check("regler-forhandsgranskning")
    assert "Förhandsgranskning: version 2027.1" in page.content()
    assert page.get_by_role("button", name="Använd från 2027-01").is_visible()
    w.assert_headers()
