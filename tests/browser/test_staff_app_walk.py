"""GIVEN the local stack, a real Chromium at 360 px and two new clients of Omsorg AB (each a bound
tag) WHEN Anna Andersson, the provider's staff, logs in for real at /personal (the development
broker), opens Besöksappen from the staff entry, goes offline (the browser's offline mode) and
registers two visits — one by hand with a reason, one through an NFC reading (Web NFC cannot run in
a test browser: the page is given a stand-in ``NDEFReader`` that reads the client's tag) — reloads
the app while still offline (the service worker serves the shell, the queue survives and is
counted), and goes online THEN the visits appear through the API exactly once; and the same again
with every send answered into the void once (the server took it, the answer was lost, the app sent
it again): still exactly once. Then "Logga ut" with a registration not yet sent warns first; the
session ends meanwhile (as after the idle time): the app says so and keeps the registration, which is
sent after the next login; the logout then clears the phone's store. Chromium finds the app
installable. Axe-core at WCAG 2.1 AA on every view at 360 px, screenshots kept.

And: with the network down, the service worker serves the app's shell (no login needed: the shell
holds nothing personal)."""
from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import api, dev_token
from tests.browser.test_provider_walk import PROVIDER, _visits_table
from tests.support.people import new_pnr

pytestmark = pytest.mark.browser

APP = "/visits/personal/app"
FAKE_NFC = """
window.__nfcTag = null;
window.NDEFReader = class {
  scan() {
    setTimeout(() => {
      if (this.onreading && window.__nfcTag) {
        this.onreading({ serialNumber: window.__nfcTag, message: { records: [] } });
      }
    }, 50);
    return Promise.resolve();
  }
};
"""


def new_clients(base: str, n: int) -> list[tuple[str, str]]:
    from services.visits.adapters.devices import DynamoDevices
    from services.visits.domain.model import Device

    table = _visits_table(base)
    now = datetime.now(timezone.utc)
    made = []
    for _ in range(n):
        pnr, tag = new_pnr(1934), f"TAG-APP-{uuid.uuid4().hex[:8]}"
        DynamoDevices(table).put_device(Device(device_id=tag, kind="nfc", provider_id=PROVIDER, client=pnr,
                                               status="bound", ordered_at=now, bound_at=now))
        made.append((pnr, tag))
    return made


def visits_of(base: str, token: str, pnr: str, count: int) -> list[dict]:
    """The client's visits this month through the API, once ``count`` have ended (or what there is)."""
    month = datetime.now(timezone.utc).astimezone().strftime("%Y-%m")
    found: list[dict] = []
    for _ in range(60):  # the stack's queue pump hands the events to the processor
        status, found = api(base, "GET", f"/visits/visits?month={month}&client={pnr}", None, token)
        if status == 200 and len(found) >= count and all(v["ended_at"] for v in found):
            break
        time.sleep(0.5)
    return found


def pending_text(page) -> str:
    return page.locator("#status").inner_text()


def two_visits(w, manual: tuple[str, str], nfc: tuple[str, str], label: str) -> None:
    """Offline: a manual visit with a reason and an NFC visit, arrival and departure each."""
    page = w.page
    # by hand: the client's "utan tagg", a reason, Registrera ankomst
    client = page.locator("details.app-client", has_text=manual[1])
    client.locator("summary").click()
    client.get_by_label("Orsak till manuell kvittering").select_option("technical_fault")
    client.get_by_role("button", name="Registrera ankomst").click()
    card = page.locator(".app-open")
    card.locator("summary").click()
    w.check(f"{label}-pagaende")
    card.get_by_label("Orsak till manuell kvittering").select_option("technical_fault")
    card.get_by_role("button", name="Registrera avfärd").click()
    # by NFC: two taps of "Läs tagg" (arrival, then departure with the preselected insats)
    page.evaluate("tag => { window.__nfcTag = tag; }", nfc[1])
    page.get_by_role("button", name="Läs tagg").click()
    page.locator(".app-open", has_text=nfc[1]).wait_for()
    assert page.locator(".app-open input[value='personlig_omsorg']").is_checked()
    page.get_by_role("button", name="Läs tagg").click()
    page.locator(".app-open").wait_for(state="detached")
    expect(page.locator("#status")).to_contain_text("4 registreringar väntar")


def test_staff_register_two_visits_offline_and_each_reaches_the_server_once(walk, web):
    (manual, nfc, manual2, nfc2) = new_clients(web, 4)
    w = walk(width=360)
    page, context = w.page, w.context
    context.add_init_script(FAKE_NFC)
    w.goto("/personal/logga-in")
    page.get_by_label(re.compile("Anna Andersson")).check()
    page.get_by_role("button", name="Logga in").click()
    w.check("personal-start")
    page.get_by_role("link", name="Besöksappen").click()
    expect(page.locator("#status")).to_contain_text("Ansluten")
    assert page.locator("#utan-skript").is_hidden()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    w.check("app-idag")
    # installable: Chromium finds nothing missing (manifest, icon, worker); a test browser's context is
    # always private ("in-incognito"), which no page can change
    errors = context.new_cdp_session(page).send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == [], errors

    # offline: two visits, kept on the phone
    context.set_offline(True)
    expect(page.locator("#status")).to_contain_text("Ingen anslutning")
    two_visits(w, manual, nfc, "offline")
    w.check("offline-fyra-vantar")
    # the app reloaded while offline: the worker's shell, the queue from the phone's store
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.locator("#status")).to_contain_text("4 registreringar väntar")
    assert page.locator("#registreringar li").count() == 4
    w.check("offline-omladdad")

    # online: sent, each visit once
    context.set_offline(False)
    expect(page.locator("#status")).to_contain_text("Allt är skickat", timeout=30_000)
    w.check("skickat")
    token = dev_token(web, role="provider_coordinator", user_id="coord-cilla", provider_id=PROVIDER)
    for pnr, _ in (manual, nfc):
        (visit,) = visits_of(web, token, pnr, 1)
        assert visit["staff_id"] == "staff-anna" and visit["ended_at"]
    assert visits_of(web, token, manual[0], 1)[0]["receipt_methods"] == ["manual"]
    assert visits_of(web, token, nfc[0], 1)[0]["insatser"] == ["personlig_omsorg"]

    # a flaky network: every send reaches the server, its answer is lost once, the app sends again;
    # and the first send of all meets a throttled gateway (429): kept and sent again, never "refused"
    answered: set[str] = set()
    sends: list[str] = []
    network = {"up": True, "throttled": False}

    def lose_first_answer(route):
        body = route.request.post_data or ""
        if not network["up"]:  # the phone is offline: nothing leaves it
            route.abort("internetdisconnected")
            return
        sends.append(body)
        if not network["throttled"]:
            network["throttled"] = True
            route.fulfill(status=429, content_type="application/problem+json", headers={"Retry-After": "1"},
                          body='{"title": "Too Many Requests", "status": 429}')
            return
        if body in answered:
            route.continue_()
            return
        route.fetch()  # the server takes it ...
        answered.add(body)
        route.abort("failed")  # ... and the answer never comes back

    context.route("**/personal/app/handelser", lose_first_answer)
    network["up"] = False
    context.set_offline(True)
    two_visits(w, manual2, nfc2, "andra")
    network["up"] = True
    context.set_offline(False)
    expect(page.locator("#status")).to_contain_text("Allt är skickat", timeout=60_000)
    # each of the four registrations sent twice, the throttled one three times
    assert len(sends) == 9 and len(set(sends)) == 4
    for pnr, _ in (manual2, nfc2):
        (visit,) = visits_of(web, token, pnr, 1)
        assert visit["staff_id"] == "staff-anna"
    context.unroute("**/personal/app/handelser")

    # Logga ut with a registration not yet sent: warned first; once sent, the phone's store is cleared
    context.set_offline(True)
    client = page.locator("details.app-client", has_text=manual[1])
    client.locator("summary").click()
    client.get_by_role("button", name="Registrera ankomst").click()
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("alert")).to_contain_text("1 registrering har inte skickats")
    w.check("utloggning-varnar")
    page.get_by_role("button", name="Stanna kvar").click()
    # the session ends meanwhile (as after the idle time): the registration waits, and is sent after the login
    from services.entrypoints.web.adapters.sessions import SessionRepository

    cookie = next(c["value"] for c in context.cookies() if c["name"] == "insats_visits")
    SessionRepository(_visits_table(web)).delete(cookie)
    context.set_offline(False)
    expect(page.locator("#app")).to_contain_text("Du är utloggad", timeout=30_000)
    expect(page.locator("#status")).to_contain_text("1 registrering väntar")
    w.check("sessionen-slut")
    page.get_by_role("link", name="Logga in igen").click()
    page.wait_for_url(re.compile(r"/visits/personal/app$|/dev/oidc/"))
    if "/dev/oidc/" in page.url:  # the identity service's login ended too: the broker again
        page.get_by_label(re.compile("Anna Andersson")).check()
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(re.compile(r"/visits/personal/app$"))
    expect(page.locator("#status")).to_contain_text("Allt är skickat", timeout=30_000)

    # Mina registreringar, from the app's menu
    page.get_by_role("link", name="Mina registreringar", exact=True).click()
    w.check("mina-registreringar")
    assert page.get_by_role("heading", level=1).inner_text() == "Mina registreringar"
    page.go_back()
    expect(page.locator("#status")).to_contain_text("Allt är skickat")
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("heading", name="Du är utloggad").wait_for()
    w.check("utloggad")
    stored = page.evaluate("""() => new Promise(done => {
      const req = indexedDB.open("insats-besok", 1);
      req.onsuccess = () => {
        const t = req.result.transaction(["day", "actions"]);
        const day = t.objectStore("day").count(), actions = t.objectStore("actions").count();
        t.oncomplete = () => done([day.result, actions.result]);
      };
    })""")
    assert stored == [0, 0]


def test_the_service_worker_serves_the_shell_with_the_network_down(walk, web):
    w = walk(width=360)
    page, context = w.page, w.context
    w.goto(APP + "/skal")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    context.set_offline(True)
    response = page.goto(w.base + APP)
    assert response is not None and response.from_service_worker and response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Idag"
    expect(page.locator("#app")).to_contain_text("Appen behöver nät")
    assert "Appen behöver nät" in page.locator("#app").inner_text()
    w.check("skal-utan-nat")
    context.set_offline(False)
