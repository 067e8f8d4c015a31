"""GIVEN the local stack and a real Chromium, and a provider whose staff member registered two
overlapping visits at two clients WHEN the provider's coordinator opens "Att åtgärda", opens the
first visit's overlap, saves without a reason, then with "Tiden kontrollerad och stämmer" THEN both
pages pass axe-core at WCAG 2.1 AA (the error state too), and the visit is gone from the list."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from tests.browser.conftest import STACKS, api, dev_token
from tests.support.people import new_pnr
from tests.support.staff_login import stack_visits_cookie, staff_principal

pytestmark = pytest.mark.browser


def two_overlapping_visits(base: str) -> tuple[str, list[str]]:
    """(provider, the two visits' ids in time order) of anna's overlapping visits yesterday morning."""
    from services.visits.adapters.devices import DynamoDevices
    from services.visits.adapters.grants import DynamoGrants
    from services.visits.adapters.staff import DynamoStaffRegistry
    from services.visits.domain.model import Device
    from tests.support.stack import REGION

    stack = STACKS[base]
    table = boto3.resource("dynamodb", endpoint_url=f"http://127.0.0.1:{stack.moto_port}", region_name=REGION,
                           aws_access_key_id="testing", aws_secret_access_key="testing").Table("insats-visits")
    provider, staff, now = f"prov-{uuid.uuid4().hex[:6]}", "anna", datetime.now(timezone.utc)
    DynamoStaffRegistry(table).add_staff(provider, staff)
    morning = now.replace(hour=6, minute=0, second=0, microsecond=0) - timedelta(days=1)
    token = dev_token(base, role="provider_staff", user_id=staff, provider_id=provider)
    events, clients = [], []
    for n in range(2):
        pnr, tag = new_pnr(1934), f"TAG-{uuid.uuid4().hex[:8]}"
        clients.append(pnr)
        DynamoDevices(table).put_device(Device(device_id=tag, kind="nfc", provider_id=provider, client=pnr,
                                               status="bound", ordered_at=now, bound_at=now))
        DynamoGrants(table).put_granted({"decision_id": str(uuid.uuid4()), "client": pnr, "insats": "hemtjanst",
                                         "outcome": "granted", "granted_minutes_per_month": 100_000,
                                         "valid_from": "2000-01-01", "valid_to": None,
                                         "decided_at": "2000-01-01T00:00:00+00:00"})
        start = morning + timedelta(minutes=15 * n)
        events += [{"event_id": str(uuid.uuid4()), "type": kind, "staff_id": staff, "provider_id": provider,
                    "client": pnr, "device_time": at.isoformat(), "receipt": {"method": "nfc", "device_id": tag}}
                   for kind, at in (("arrival", start), ("departure", start + timedelta(minutes=30)))]
    status, body = api(base, "POST", "/visits/visit-events", {"events": events}, token)
    assert status == 202, body
    month = morning.astimezone(timezone(timedelta(hours=1))).strftime("%Y-%m")
    ids = []
    for pnr in clients:
        for _ in range(60):  # the stack's queue pump hands the events to the processor
            status, visits = api(base, "GET", f"/visits/visits?month={month}&client={pnr}", None, token)
            if status == 200 and visits and visits[0]["ended_at"]:
                ids.append(visits[0]["visit_id"])
                break
            time.sleep(0.5)
        else:
            raise AssertionError("the visit was never processed")
    return provider, ids


def test_a_coordinator_resolves_an_overlap_with_a_reason(walk, web):
    provider, (first, second) = two_overlapping_visits(web)
    who = staff_principal("provider_coordinator", name="Cora Samordnare", user_id="cora", provider_id=provider)
    w = walk(width=1280)
    page = w.page
    stack = STACKS[web]
    w.context.add_cookies([stack_visits_cookie(f"http://127.0.0.1:{stack.moto_port}", who, web)])
    w.goto("/visits/personal/att-atgarda")
    w.check("att-atgarda")
    assert page.get_by_role("heading", level=1).inner_text() == "Att åtgärda"
    assert page.locator("text=Måste åtgärdas").count() >= 2
    page.locator(f'a[href="/visits/personal/att-atgarda/{first}/overlap"]').click()
    page.wait_for_url(f"**/att-atgarda/{first}/overlap")
    w.check("atgarda-overlapp")
    page.get_by_role("button", name="Spara åtgärd").click()
    w.check("atgarda-fel")
    assert "Välj en orsak i listan." in page.content()
    page.get_by_label("Tiden kontrollerad och stämmer").check()
    page.get_by_role("button", name="Spara åtgärd").click()
    page.wait_for_url("**/visits/personal/att-atgarda?manad=*")
    w.check("atgardat")
    assert "åtgärdat" in page.content()
    assert page.locator(f'a[href="/visits/personal/att-atgarda/{first}/overlap"]').count() == 0
    assert page.locator(f'a[href="/visits/personal/att-atgarda/{second}/overlap"]').count() == 1
    w.assert_headers()
