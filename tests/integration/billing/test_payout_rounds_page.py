"""Utbetalningar's supplementary rounds (tilläggsutbetalning), in-process over moto: reports the case
worker approved after the month's approval are listed as "Ej utbetalda – godkända efter attesten";
finance approves them as round 2 (what will be paid said beside the button), each round is shown with
who approved it and when, its totals and its own payroll file; a round approved twice is 409, nothing
new to pay 422 with an error summary, and neither stores anything. The ordering unit reads it all and
approves nothing; every other role 403; nobody a login."""
from __future__ import annotations

import re
import uuid

import pytest

from services.auth.principal import Role
from services.billing.bootstrap import deps
from tests.integration.billing.helpers import feed
from tests.integration.billing.test_money_pages import BillingBrowser, logged_in
from tests.integration.web.helpers import text
from tests.support.people import new_pnr
from tests.unit.billing.events import report_approved

PAGE = "/personal/utbetalningar?manad={month}"


def _case() -> str:
    return f"case-{uuid.uuid4().hex[:6]}"


def _approved_month(app_client, month: int, year: int = 2025):
    """A month of ``year`` approved (round 1) by finance, then one report approved late."""
    billing = app_client("billing")
    anna, bo = new_pnr(1970), new_pnr(1980)
    first, late = _case(), _case()
    feed(billing, report_approved(first, anna, km=10, year=year, month=month, assignment="as-a-" + anna))
    fia = logged_in(app_client)
    fia.get(PAGE.format(month=f"{year}-{month:02d}"))
    assert fia.post("/personal/utbetalningar/attestera", {"manad": f"{year}-{month:02d}"}).status == 303
    feed(billing, report_approved(late, bo, km=12, year=year, month=month, assignment="as-b-" + bo))
    return fia, anna, bo, first, late


def test_finance_pays_a_report_approved_after_the_month_in_round_2_with_its_own_payroll_file(app_client):
    """GIVEN 2025-04 approved and Bo's report approved late WHEN finance opens the month THEN the
    report is listed as not paid with "Godkänn tilläggsutbetalning" and what it will pay; WHEN finance
    approves THEN round 2 is shown with who and when, its total and its file
    (``…-omgang-2.csv``, only the late report); round 1's file is as it was."""
    fia, anna, bo, first, late = _approved_month(app_client, 4)
    month = "2025-04"
    round_1_file = fia.get(f"/personal/utbetalningar/{month}/lonefil").body
    page = fia.get(PAGE.format(month=month))
    body = text(page)
    assert page.status == 200 and "Ej utbetalda – godkända efter attesten" in body
    unpaid = re.search(r'id="ej-utbetalda-rapporter".*?</table>', page.body.decode(), re.S).group(0)
    assert late in unpaid and bo in unpaid and first not in unpaid
    # Bo's new assignment (terms of 2025, paid in 2025): fee 1 470 + allowance 490 + 12 km × 2,50 = 1 990 kr
    assert "betalas 1\u00a0990,00\u00a0kr ut till 1 uppdrag för 1 rapport" in page.body.decode()
    assert "Godkänn tilläggsutbetalning" in body and 'name="omgang" value="2"' in page.body.decode()
    assert fia.get(f"/personal/utbetalningar/{month}/omgang/2/lonefil").status == 404

    done = fia.post("/personal/utbetalningar/attestera", {"manad": month, "omgang": "2"})
    assert done.status == 303
    rounds = deps().store.payout_rounds(2025, 4)
    assert [r.round for r in rounds] == [1, 2] and rounds[1].approved_by_name == "Fia Ekström"
    assert sorted(c for line in rounds[1].payouts.lines for c in line.case_ids) == [late]

    page = fia.get(PAGE.format(month=month))
    body = text(page)
    assert "Omgång 1: månadens attest" in body and "Omgång 2: tilläggsutbetalning" in body
    assert "Summa 1\u00a0990,00\u00a0kr till 1 uppdrag" in page.body.decode()
    assert "Ej utbetalda" not in body and "Godkänn tilläggsutbetalning" not in body
    assert "Ladda ner lönefilen för omgång 2 (CSV)" in body
    f = fia.get(f"/personal/utbetalningar/{month}/omgang/2/lonefil")
    assert f.status == 200 and "lonefil-kontaktpersoner-2025-04-omgang-2.csv" in f.headers["content-disposition"]
    rows = [r.split(";") for r in f.body.decode("utf-8").splitlines()[1:]]
    assert {r[0] for r in rows} == {bo} and {r[10] for r in rows} == {late}
    assert all(r[13].startswith("tilläggsutbetalning, omgång 2") for r in rows)
    assert fia.get(f"/personal/utbetalningar/{month}/lonefil").body == round_1_file
    assert fia.get(f"/personal/utbetalningar/{month}/omgang/1/lonefil").body == round_1_file


def test_a_round_approved_twice_is_409_and_nothing_new_to_pay_is_422_with_an_error_summary(app_client):
    """GIVEN 2025-05 approved and a late report WHEN two finance officers each post round 2 THEN the
    first wins and the second is 409 in Swedish; WHEN round 3 is posted with nothing new THEN 422,
    the error summary links to the message; nothing more is stored either time."""
    fia, anna, bo, first, late = _approved_month(app_client, 5)
    month = "2025-05"
    frans = logged_in(app_client, name="Frans Lind")
    for b in (fia, frans):
        b.get(PAGE.format(month=month))  # both see the button for round 2
    assert fia.post("/personal/utbetalningar/attestera", {"manad": month, "omgang": "2"}).status == 303
    stored = deps().store.payout_rounds(2025, 5)
    again = frans.post("/personal/utbetalningar/attestera", {"manad": month, "omgang": "2"})
    assert again.status == 409 and "omgång 2 för 2025-05 är redan godkänd" in text(again)
    assert 'href="#tillagg-fel"' in again.body.decode() and 'id="tillagg-fel"' in again.body.decode()
    nothing = frans.post("/personal/utbetalningar/attestera", {"manad": month, "omgang": "3"})
    assert nothing.status == 422 and "inga rapporter godkända efter attesten" in text(nothing)
    assert 'href="#tillagg-fel"' in nothing.body.decode() and 'id="tillagg-fel"' in nothing.body.decode()
    bad = frans.post("/personal/utbetalningar/attestera", {"manad": month, "omgang": "två"})
    assert bad.status == 422 and "Ange omgången som ett heltal" in text(bad)
    assert deps().store.payout_rounds(2025, 5) == stored and len(stored) == 2


def test_the_ordering_unit_reads_the_rounds_and_the_unpaid_reports_but_has_no_button(app_client):
    """GIVEN 2025-06 approved and a late report WHEN the ordering unit opens the month THEN it sees
    the unpaid report and no button, and its post is refused (403), nothing stored; it reads round 1's file."""
    fia, anna, bo, first, late = _approved_month(app_client, 6)
    month = "2025-06"
    ola = logged_in(app_client, "ordering_unit", name="Ola Bergström")
    page = ola.get(PAGE.format(month=month))
    assert page.status == 200 and "Ej utbetalda – godkända efter attesten" in text(page) and late in text(page)
    assert "Godkänn tilläggsutbetalning" not in text(page)
    assert "Ekonomienheten godkänner tilläggsutbetalningen" in text(page)
    assert ola.post("/personal/utbetalningar/attestera", {"manad": month, "omgang": "2"}).status == 403
    assert len(deps().store.payout_rounds(2025, 6)) == 1
    assert ola.get(f"/personal/utbetalningar/{month}/lonefil").status == 200


@pytest.mark.parametrize("role", [str(r) for r in Role if str(r) not in ("finance", "ordering_unit")])
def test_every_other_role_is_refused_a_rounds_file_and_its_approval(app_client, role):
    b = logged_in(app_client, role)
    refused = b.get("/personal/utbetalningar/2025-04/omgang/2/lonefil")
    # the section's own refusal page (a route that did not exist would be the gateway's bare 403)
    assert refused.status == 403 and refused.headers["content-type"].startswith("text/html")
    assert b.post("/personal/utbetalningar/attestera", {"manad": "2025-08", "omgang": "2"}).status == 403
    assert deps().store.payout_rounds(2025, 8) == []


def test_anonymous_is_sent_to_log_in_from_a_rounds_file(app_client):
    r = BillingBrowser(app_client("billing")).get("/personal/utbetalningar/2025-04/omgang/2/lonefil")
    assert r.status in (302, 303) and "/personal/logga-in" in r.headers["location"]


def test_a_round_that_is_no_number_has_no_file(app_client):
    fia = logged_in(app_client)
    for path in ("/personal/utbetalningar/2025-04/omgang/x/lonefil", "/personal/utbetalningar/2025-04/omgang/0/lonefil",
                 "/personal/utbetalningar/2025-13/omgang/2/lonefil"):
        assert fia.get(path).status == 404, path
