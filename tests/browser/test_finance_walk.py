"""GIVEN the local stack, a real Chromium and a provider's month two months ago (its lock date passed
on the local clock) that billing has built from the events it consumes (decisions and approved
visits put on billing's inbox queue, as the event bus delivers them) WHEN finance (demo Fia Ekström,
ekonomi-fia) logs in for real at /personal by the development broker, opens Ekonomi, picks the month,
opens the provider's preliminary basis, makes it final, looks at its versions and reconciles the
provider's invoice with one line that differs, then approves October's contact-person payouts (a
report a case worker approved through the API) and downloads the payroll file, pays a report approved
after that in a supplementary round (omgång 2) and downloads its file, classifies a client
rural and previews a new rule version THEN the basis is final version 1, the reconciliation flags that
one line with the due date, the payout month is locked with who approved it and the file has the
person's rows (fee taxable, allowance not), round 2's file has the late report's person only, and
every page passes axe-core at WCAG 2.1 AA (screenshots kept)."""
from __future__ import annotations

import re
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import boto3
import pytest

from tests.browser.conftest import STACKS, api, dev_token
from tests.support.local_stack import call
from tests.support.people import new_pnr
from tests.unit.billing.events import decision, visit_changed

pytestmark = pytest.mark.browser
PAYOUT_MONTH = "2026-10"  # a month that is over, with a contact person's approved report


def two_months_ago(today: date) -> tuple[int, int]:
    first = today.replace(day=1)
    earlier = (first - timedelta(days=1)).replace(day=1) - timedelta(days=1)
    return earlier.year, earlier.month


def billed_month(base: str) -> tuple[str, str, dict]:
    """A new provider with two clients' approved visits two months ago, sent to billing's inbox queue;
    waits until billing's API shows its basis: (provider, month, the basis as the API answers)."""
    from services.billing.adapters.dynamo import DynamoBillingStore
    from tests.support.stack import REGION

    stack = STACKS[base]
    endpoint = f"http://127.0.0.1:{stack.moto_port}"
    keys = {"endpoint_url": endpoint, "region_name": REGION, "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing"}
    year, mm = two_months_ago(datetime.now(timezone.utc).date())
    month, provider = f"{year:04d}-{mm:02d}", f"prov-walk-{uuid.uuid4().hex[:6]}"
    DynamoBillingStore(boto3.resource("dynamodb", **keys).Table("insats-billing")).put_provider(
        provider, "Hemtjänst Söder AB")
    old, young = new_pnr(1936), new_pnr(1980)
    start = datetime(year, mm, 3, 8, tzinfo=timezone.utc)
    decided = datetime(year - 1, 1, 1, tzinfo=timezone.utc)
    events = [decision(old, 1800, date(year - 1, 1, 1), decided=decided),
              decision(young, 1200, date(year - 1, 1, 1), decided=decided)]
    for day, (client, minutes) in enumerate([(old, 60), (old, 45), (young, 30), (young, 50)]):
        events.append(visit_changed(f"walk-{provider}-{day}", client, provider=provider, minutes=minutes,
                                    start=start + timedelta(days=day), year=year, month=mm))
    sqs = boto3.client("sqs", **keys)
    url = sqs.get_queue_url(QueueName="insats-billing-inbox")["QueueUrl"]
    for e in events:  # in order: the decisions first
        sqs.send_message(QueueUrl=url, MessageBody=e.model_dump_json())
    token = dev_token(base, role="finance", user_id="walk-ekonomi")
    for _ in range(60):  # the stack's queue pump hands the events to billing's consumer
        status, body = api(base, "GET", f"/billing/invoice-basis?provider_id={provider}&month={month}", None, token)
        if status == 200 and body["totals"]["performed_minutes"] == 185:
            return provider, month, body
        time.sleep(0.5)
    raise AssertionError(f"billing never built the basis: {status} {body}")


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
        status, payouts = api(base, "GET", f"/billing/payouts?month={PAYOUT_MONTH}", None, finance)
        if status == 200 and any(p["contact_person"] == kp for p in payouts["lines"]):
            return kp
        time.sleep(0.5)
    raise AssertionError(f"billing never received the approved report: {status} {payouts}")


def kronor(ore: int) -> str:
    return f"{ore // 100},{ore % 100:02d}"


def test_finance_makes_a_basis_final_reconciles_an_invoice_and_pays_the_contact_persons(walk, web):
    provider, month, basis = billed_month(web)
    kp = an_approved_report(web)
    w = walk(width=1280)
    page = w.page
    # the real login: the staff entry, Insats' authorization server, the broker's person picker
    w.goto("/personal/logga-in")
    w.check("broker")
    page.get_by_label(re.compile("Fia Ekström")).check()
    page.get_by_role("button", name="Logga in").click()
    w.check("personal-start")
    page.get_by_role("link", name="Ekonomi").click()
    page.wait_for_url("**/billing/personal/fakturaunderlag", wait_until="load")
    w.check("fakturaunderlag-manaden")
    # the month two months ago: its lock date has passed
    page.get_by_label("Månad (ÅÅÅÅ-MM)").fill(month)
    page.get_by_role("button", name="Visa månaden").click()
    page.wait_for_url(f"**manad={month}", wait_until="load")
    w.check("fakturaunderlag-forra")
    assert "Spärrdatum har passerat" in page.content()
    page.get_by_role("link", name="Hemtjänst Söder AB").click()
    page.wait_for_url(f"**/fakturaunderlag/{provider}/{month}", wait_until="load")
    w.check("preliminart-underlag")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == f"Fakturaunderlag Hemtjänst Söder AB ({provider}) {month}"
    assert "Preliminärt" in page.locator("dl").inner_text()
    # made final
    page.get_by_role("button", name="Gör slutligt").click()
    page.wait_for_url(f"**/fakturaunderlag/{provider}/{month}", wait_until="load")
    w.check("slutligt-underlag")
    assert "Slutligt, version 1" in page.locator("dl").inner_text()
    assert f"Underlaget för {month} är slutligt, version 1." in page.content()
    page.get_by_role("link", name="Versioner", exact=True).click()
    w.check("versioner")
    assert "Ingen skillnad mellan version 1 och som det ser ut nu." in page.content()
    page.go_back()
    # the provider's invoice: the first client as billed, the second 15 minutes and 117 kr more
    page.get_by_role("link", name="Stäm av mot utförarens faktura").click()
    w.check("avstamning-formular")
    first, second = basis["lines"]
    for i, line in enumerate((first, second)):
        minutes = line["billable_minutes"] + line["absence_minutes"] + (15 if i else 0)
        ore = line["amount_ore"] + (11700 if i else 0)
        assert page.locator(f"#klient-{i}").input_value() == line["client"]
        page.locator(f"#timmar-{i}").fill(f"{minutes / 60:.2f}".replace(".", ","))
        page.locator(f"#belopp-{i}").fill(kronor(ore))
    page.get_by_label("Dag fakturan kom in").first.fill(f"{datetime.now(timezone.utc).date().isoformat()}")
    page.get_by_role("button", name="Stäm av", exact=True).click()
    page.wait_for_load_state("load")
    w.check("avstamning-resultat")
    assert "1 rad skiljer sig" in page.locator("#utfall").inner_text()
    flagged = page.locator("#avstamning tbody tr", has_text="Skiljer sig")
    assert flagged.count() == 1 and second["client"] in flagged.inner_text()
    what = flagged.inner_text()
    assert "Tiden skiljer sig: +0,25" in what and "Beloppet skiljer sig: +117,00" in what
    assert "Förfallodag" in page.content()
    assert any(c["name"] == "insats_billing" for c in page.context.cookies())

    # the month's contact-person payouts, approved for payment, and their export for payroll
    w.goto(f"/billing/personal/utbetalningar?manad={PAYOUT_MONTH}")
    w.check("utbetalningar")
    assert f"{kp[:8]}-{kp[8:]}" in page.content() and "Ej attesterad" in page.content()
    page.get_by_role("button", name=f"Attestera {PAYOUT_MONTH} för utbetalning").click()
    w.check("utbetalningar-attesterad")
    assert "Attesterad för utbetalning" in page.content() and "Fia Ekström" in page.content()

    with page.expect_download() as caught:
        page.get_by_role("link", name="Ladda ner lönefilen för omgång 1 (CSV)").click()
    download = caught.value
    assert download.suggested_filename == f"lonefil-kontaktpersoner-{PAYOUT_MONTH}.csv"
    rows = [line.split(";") for line in open(download.path(), encoding="utf-8").read().splitlines()]
    assert rows[0][:3] == ["Personnummer", "Period", "Löneart"]
    mine = {r[2]: r for r in rows[1:] if r[0] == kp}
    assert (mine["KP-ARVODE"][1], mine["KP-ARVODE"][7], mine["KP-ARVODE"][8]) == (PAYOUT_MONTH, "1480,00", "Ja")
    assert (mine["KP-OMKOST"][7], mine["KP-OMKOST"][8]) == ("493,33", "Nej")
    assert mine["KP-ARVODE"][11] == "Fia Ekström"

    # a report the case worker approves after the month's approval: paid by a supplementary round
    late = an_approved_report(web)
    w.goto(f"/billing/personal/utbetalningar?manad={PAYOUT_MONTH}")
    w.check("utbetalningar-ej-utbetalda")
    assert "Ej utbetalda – godkända efter attesten" in page.content() and f"{late[:8]}-{late[8:]}" in page.content()
    page.get_by_role("button", name="Godkänn tilläggsutbetalning").click()
    w.check("utbetalningar-tillaggsutbetalning")
    assert "Omgång 2: tilläggsutbetalning" in page.content()
    with page.expect_download() as caught:
        page.get_by_role("link", name="Ladda ner lönefilen för omgång 2 (CSV)").click()
    assert caught.value.suggested_filename == f"lonefil-kontaktpersoner-{PAYOUT_MONTH}-omgang-2.csv"
    rows = [line.split(";") for line in open(caught.value.path(), encoding="utf-8").read().splitlines()[1:]]
    assert {r[0] for r in rows} == {late} and {r[2] for r in rows} == {"KP-ARVODE", "KP-OMKOST"}

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
