"""Besöksappen, the staff app (``/visits/personal/app``), in-process over moto: its page (with the
form that works without JavaScript), its day and events as JSON for its script (session cookie and
the X-CSRF-Token header), its manifest, files and service worker, the first load's weight, and who
may reach it: the provider's staff only, their own provider's clients only, nobody logged out, an
ended account at once."""
from __future__ import annotations

import gzip
import json
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.entrypoints.web.visits.section import visits_config
from tests.integration.visits.test_deviation_pages import VisitsBrowser
from tests.integration.web.helpers import text
from tests.support.people import new_pnr
from tests.support.staff_login import staff_principal, visits_session

APP = "/personal/app"
JSON = {"Content-Type": "application/json"}


def as_(provider, role="provider_staff", user_id="anna", provider_id=None):
    claims = {"provider_id": provider_id or provider.id} if role.startswith("provider") else {}
    who = staff_principal(role, user_id=user_id if role.startswith("provider") else None, **claims)
    return VisitsBrowser(provider.visits, cookie=visits_session(who))


def get_json(b, path):
    r = b.es.request("GET", path, headers=b._headers())
    return r, (r.json if r.headers.get("content-type", "").startswith("application/json") else None)


def post_events(b, events, csrf):
    headers = b._headers({**JSON, **({"X-CSRF-Token": csrf} if csrf else {})})
    return b.es.request("POST", f"{APP}/handelser", headers=headers, raw=json.dumps({"events": events}).encode())


def event(provider, kind, client, at, receipt=None, **extra):
    return {"event_id": str(uuid.uuid4()), "type": kind, "provider_id": provider.id, "client": client,
            "device_time": at.isoformat(), "receipt": receipt or {"method": "manual", "manual_reason": "technical_fault"},
            **extra}


def today_at(hour):
    """Today at ``hour`` UTC, but never in the future (the processor refuses a future device time)."""
    now = datetime.now(timezone.utc)
    return min(now.replace(hour=hour, minute=0, second=0, microsecond=0), now - timedelta(hours=1))


class TestTheDay:
    def test_staff_get_their_providers_clients_with_tags_and_preselected_insatser_and_their_own_visits(self,
                                                                                                     provider):
        # GIVEN two clients of the provider, one of another provider, and anna's visit of today
        pnr, tag = provider.new_client()
        other, _ = provider.new_client()
        from services.visits.bootstrap import deps
        from services.visits.domain.model import Device
        now = datetime.now(timezone.utc)
        stranger = new_pnr(1935)
        deps().devices.put_device(Device(device_id=f"T-{uuid.uuid4().hex[:8]}", kind="nfc", provider_id="prov-x",
                                         client=stranger, status="bound", ordered_at=now, bound_at=now))
        start = today_at(5)
        provider.post([provider.event("arrival", pnr, tag, start),
                       provider.event("departure", pnr, tag, start + timedelta(minutes=3))])
        provider.deliver()
        # WHEN anna's app asks for the day
        b = as_(provider)
        r, day = get_json(b, f"{APP}/dag")
        # THEN her provider's clients (not the stranger), the tag, the default insats, her visit, the CSRF token
        assert r.status == 200 and r.headers["cache-control"] == "no-store"
        assert sorted(c["client"] for c in day["clients"]) == sorted([pnr, other])
        mine = next(c for c in day["clients"] if c["client"] == pnr)
        assert mine["devices"] == [{"id": tag, "kind": "nfc"}] and mine["insatser"] == ["personlig_omsorg"]
        assert mine["label"] == pnr[:8] + "-****"
        assert [v["client"] for v in day["visits"]] == [pnr] and day["visits"][0]["end"] is not None
        assert day["csrf"] and day["user"] == "anna" and day["provider"] == provider.id
        assert "technical_fault" in day["reasons"] and "tillsyn_service" not in day["insatser"]
        # AND bo's day holds none of anna's visits
        _, bos = get_json(as_(provider, user_id="bo"), f"{APP}/dag")
        assert bos["visits"] == [] and bos["csrf"] != day["csrf"]

    def test_the_servers_warnings_come_in_plain_swedish_with_what_to_do(self, provider):
        # GIVEN anna's arrival read from the tag of another of the provider's clients (rejected)
        pnr, _ = provider.new_client()
        _, other_tag = provider.new_client()
        provider.post([provider.event("arrival", pnr, other_tag, today_at(4))])
        provider.deliver()
        # WHEN her app asks for the day, and the page is shown without JavaScript
        b = as_(provider)
        _, day = get_json(b, f"{APP}/dag")
        # THEN the warning says what happened and what to do, the client masked
        (warning,) = day["warnings"]
        assert "inte kopplat till den här klienten" in warning["what"] and "samordnaren" in warning["todo"]
        assert warning["client"] == pnr[:8] + "-****"
        page = text(b.get(APP))
        assert "Att rätta" in page and "inte kopplat till den här klienten" in page
        # AND bo has none
        _, bos = get_json(as_(provider, user_id="bo"), f"{APP}/dag")
        assert bos["warnings"] == []

    def test_the_page_shows_the_day_and_the_form_without_javascript(self, provider):
        pnr, _ = provider.new_client()
        b = as_(provider)
        r = b.get(APP)
        assert r.status == 200 and r.headers["cache-control"] == "no-store"
        page = r.body.decode()
        assert pnr[:8] + "-****" in page and f'value="{pnr}"' in page  # the form's choice; shown masked
        assert 'rel="manifest"' in page and "manifest-src 'self'" in r.headers["content-security-policy"]
        assert "<script>" not in page and "Mina registreringar" in page and "Du har inga registrerade besök" in text(r)


class TestSending:
    def test_the_scripts_events_reach_the_visits_exactly_once_however_often_they_are_sent(self, provider):
        # GIVEN anna's arrival and departure (with an insats) for her provider's client
        pnr, tag = provider.new_client()
        b = as_(provider)
        _, day = get_json(b, f"{APP}/dag")
        start = today_at(6)
        arrival = [event(provider, "arrival", pnr, start, {"method": "nfc", "device_id": tag})]
        departure = [event(provider, "insats", pnr, start + timedelta(minutes=20), {"method": "nfc", "device_id": tag},
                           insats="dusch"),
                     event(provider, "departure", pnr, start + timedelta(minutes=20), {"method": "nfc", "device_id": tag})]
        # WHEN the departure comes first and each batch is sent twice
        for batch in (departure, arrival, departure, arrival):
            r = post_events(b, batch, day["csrf"])
            assert r.status == 202, r.body
        provider.deliver()
        # THEN one visit of 20 minutes with the insats, anna's
        (visit,) = provider.month_visits(pnr, start)
        assert visit["staff_id"] == "anna" and visit["insatser"] == ["dusch"] and visit["receipt_methods"]
        assert (datetime.fromisoformat(visit["ended_at"]) - datetime.fromisoformat(visit["started_at"])) == \
            timedelta(minutes=20)

    def test_another_providers_client_is_refused_and_nothing_is_queued(self, provider):
        pnr, _ = provider.new_client()
        b = as_(provider)
        _, day = get_json(b, f"{APP}/dag")
        stranger = new_pnr(1935)
        r = post_events(b, [event(provider, "arrival", pnr, today_at(7)),
                            event(provider, "arrival", stranger, today_at(7))], day["csrf"])
        assert r.status == 403 and r.json["text"] == "Klienten hör inte till din utförare."
        assert [d["falt"] for d in r.json["detaljer"]] == ["events.1.client"]
        assert provider.deliver() == []  # nothing reached the queue
        # AND another provider's id in the event is refused (the API's own check)
        r = post_events(b, [{**event(provider, "arrival", pnr, today_at(7)), "provider_id": "prov-x"}], day["csrf"])
        assert r.status == 422 and provider.deliver() == []

    def test_without_the_csrf_header_or_with_another_sessions_token_nothing_is_taken(self, provider):
        pnr, _ = provider.new_client()
        b = as_(provider)
        _, bos = get_json(as_(provider, user_id="bo"), f"{APP}/dag")
        for token in (None, "fel", bos["csrf"]):
            r = post_events(b, [event(provider, "arrival", pnr, today_at(7))], token)
            assert r.status == 403 and r.json["fel"] == "csrf"
        assert provider.deliver() == []

    def test_bad_json_is_a_422_in_swedish_and_nothing_is_taken(self, provider):
        b = as_(provider)
        _, day = get_json(b, f"{APP}/dag")
        r = b.es.request("POST", f"{APP}/handelser", headers=b._headers({**JSON, "X-CSRF-Token": day["csrf"]}),
                         raw=b"{not json")
        assert r.status == 422 and r.json["text"] == "Händelsen gick inte att använda."
        r = post_events(b, [{"event_id": "x"}], day["csrf"])
        assert r.status == 422 and r.json["detaljer"]
        assert provider.deliver() == []


class TestTheFormWithoutJavaScript:
    def test_a_manual_arrival_and_a_tag_departure_make_one_visit(self, provider):
        pnr, tag = provider.new_client()
        b = as_(provider)
        b.get(APP)
        r = b.post(f"{APP}/registrera", {"klient": pnr, "handelse": "ankomst", "orsak": "technical_fault"})
        assert r.status == 303 and r.headers["location"] == "/visits/personal/app"
        r = b.get(APP)
        assert "Ankomsten är registrerad" in text(r)
        r = b.post(f"{APP}/registrera", [("klient", pnr), ("handelse", "avfard"), ("tagg", tag),
                                         ("insatser", "dusch"), ("insatser", "inkop")])
        assert r.status == 303
        provider.deliver()
        (visit,) = provider.month_visits(pnr, datetime.now(timezone.utc))
        assert sorted(visit["insatser"]) == ["dusch", "inkop"] and visit["ended_at"]
        assert sorted(visit["receipt_methods"]) == ["manual", "nfc"]

    def test_the_second_person_of_a_double_staffed_visit_registers_arrival_and_departure(self, provider):
        pnr, tag = provider.new_client()
        anna, bo = as_(provider), as_(provider, user_id="bo")
        for b in (anna, bo):
            b.get(APP)
        assert anna.post(f"{APP}/registrera", {"klient": pnr, "handelse": "ankomst", "tagg": tag}).status == 303
        r = bo.post(f"{APP}/registrera", {"klient": pnr, "handelse": "ankomst", "tagg": tag, "andra": "ja"})
        assert r.status == 303
        assert anna.post(f"{APP}/registrera", [("klient", pnr), ("handelse", "avfard"), ("tagg", tag),
                                               ("insatser", "dusch")]).status == 303
        assert bo.post(f"{APP}/registrera", [("klient", pnr), ("handelse", "avfard"), ("tagg", tag),
                                             ("insatser", "dusch")]).status == 303
        provider.deliver()
        visits = {v["staff_id"]: v for v in provider.month_visits(pnr, datetime.now(timezone.utc))}
        assert set(visits) == {"anna", "bo"} and all(v["double_staffing"] for v in visits.values())
        assert visits["bo"]["partner_visit_id"] == visits["anna"]["visit_id"]

    def test_bad_input_is_a_422_with_the_errors_named_and_nothing_sent(self, provider):
        pnr, tag = provider.new_client()
        other, other_tag = provider.new_client()
        b = as_(provider)
        b.get(APP)
        r = b.post(f"{APP}/registrera", {"klient": "", "handelse": ""})
        assert r.status == 422
        page = r.body.decode()
        for field in ("#f-klient", "#f-handelse", "#f-orsak"):
            assert f'href="{field}"' in page
        assert text(r).startswith("Fel:") or "Fel: Besöksappen" in page
        # a tag of another client: named in plain Swedish, with what to do
        r = b.post(f"{APP}/registrera", {"klient": pnr, "handelse": "ankomst", "tagg": other_tag})
        assert r.status == 422 and "Taggen hör inte till den klienten" in text(r)
        r = b.post(f"{APP}/registrera", {"klient": pnr, "handelse": "avfard", "orsak": "technical_fault"})
        assert r.status == 422 and "Välj de insatser du har gjort" in text(r)
        assert provider.deliver() == []


class TestWhoMay:
    @pytest.mark.parametrize("role", ["case_worker", "provider_manager", "citizen", "auditor"])
    def test_anyone_but_the_providers_staff_is_refused(self, provider, role):
        pnr, _ = provider.new_client()
        b = as_(provider, role)
        r = b.get(APP)
        assert r.status == 403 and "Du har inte behörighet" in text(r)
        r, body = get_json(b, f"{APP}/dag")
        assert r.status == 403 and body["fel"] == "behorighet" and pnr not in r.body.decode()
        r = post_events(b, [event(provider, "arrival", pnr, today_at(7))], b.csrf)
        assert r.status in (403,) and provider.deliver() == []
        r = b.post(f"{APP}/registrera", {"klient": pnr, "handelse": "ankomst", "orsak": "technical_fault"})
        assert r.status == 403 and provider.deliver() == []

    def test_a_coordinator_who_performs_visits_may_use_it(self, provider):
        r, body = get_json(as_(provider, "provider_coordinator", "cora"), f"{APP}/dag")
        assert r.status == 200 and body["user"] == "cora"

    def test_nobody_logged_in_is_sent_to_the_login_and_the_script_gets_401(self, provider):
        b = VisitsBrowser(provider.visits)
        r = b.get(APP)
        assert r.status in (302, 303) and r.headers["location"].startswith("/visits/personal/logga-in?")
        r, body = get_json(b, f"{APP}/dag")
        assert r.status == 401 and body["fel"] == "inloggning"
        r = post_events(b, [{"x": 1}], "x")
        assert r.status == 401

    @pytest.mark.parametrize("renewal_due_in", [-1, 50], ids=["renewal-due", "renewal-not-yet-due"])
    def test_an_ended_account_sends_nothing_more_at_once(self, provider, renewal_due_in):
        """GIVEN anna's app session, its next renewal due or not yet WHEN the identity service refuses
        the login (the coordinator ended the account of a lost phone) THEN the events answer 401 at
        once, nothing reaches the queue and the session is gone."""
        from services.entrypoints.web.oidc import TokenRefused
        from services.visits.bootstrap import deps

        pnr, _ = provider.new_client()
        b = as_(provider)
        _, day = get_json(b, f"{APP}/dag")
        sessions = deps().sessions
        session = sessions.get(b.cookie)
        session.refresh_token = "rt"
        session.renew_at = datetime.now(timezone.utc) + timedelta(seconds=renewal_due_in)
        sessions.put(session)

        def refuse(url, form):
            raise TokenRefused("the account is ended")

        deps().token_endpoint = refuse
        try:
            r = post_events(b, [event(provider, "arrival", pnr, today_at(7))], day["csrf"])
            assert r.status == 401 and provider.deliver() == []
            assert sessions.get(session.session_id) is None
        finally:
            deps().token_endpoint = None

    def test_the_staff_entry_links_to_the_app(self):
        from services.auth.principal import Role
        from services.entrypoints.web.personal.views import SECTION_LINKS

        assert SECTION_LINKS[Role.PROVIDER_STAFF][0]["href"] == "/visits/personal/app"
        assert SECTION_LINKS[Role.PROVIDER_STAFF][0]["text"] == "Besöksappen"


class TestInstallable:
    def test_manifest_worker_and_shell_are_served_and_the_shell_holds_nothing_personal(self, provider):
        pnr, _ = provider.new_client()
        b = as_(provider)
        r = b.get(f"{APP}/manifest.webmanifest")
        manifest = json.loads(r.body)
        assert r.status == 200 and r.headers["content-type"] == "application/manifest+json"
        assert manifest["start_url"] == manifest["scope"] == "/visits/personal/app"
        assert manifest["display"] == "standalone" and manifest["lang"] == "sv" and manifest["icons"]
        r = b.get("/personal/app-sw.js")
        worker = r.body.decode()
        assert r.status == 200 and r.headers["content-type"].startswith("text/javascript")
        assert '"/visits/personal/app/skal"' in worker and "__VERSION__" not in worker
        assert "/dag" not in worker  # the day is never kept by the worker
        r = b.get(f"{APP}/skal")
        assert r.status == 200 and pnr not in r.body.decode() and 'name="csrf" value=""' in r.body.decode()
        assert b.get(f"{APP}/filer/..%2Fstaffapp.py").status == 404 and b.get(f"{APP}/filer/nope.js").status == 404

    def test_the_first_load_is_under_100_kb_compressed(self, provider):
        """The app's page and everything it loads at first (styles, script, icon, manifest) and the
        worker, each gzip-compressed as the gateway sends them."""
        provider.new_client()
        b = as_(provider)
        page = b.get(APP)
        found = re.findall(r'(?:href|src)="(/visits/[^"]+)"', page.body.decode())
        assets = sorted({p for p in found if "/filer/" in p or "/web/static/" in p or p.endswith(".webmanifest")})
        assert len(assets) == 5, assets  # app.css, staffapp.css, staffapp.js, the icon, the manifest
        sizes = {"page": len(gzip.compress(page.body))}
        for path in [*assets, "/visits/personal/app-sw.js"]:
            r = b.get(path.removeprefix(visits_config().app_prefix))
            assert r.status == 200, path
            sizes[path] = len(gzip.compress(r.body))
        total = sum(sizes.values())
        print(f"\nBesöksappen, first load compressed: {total} bytes {sizes}")
        assert total < 100_000
