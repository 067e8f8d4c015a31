"""The citizen web in-process over moto: login with OIDC and PKCE, server-side sessions with a
safe cookie, CSRF on every form, the session's end keeping answers, escaping, security headers,
and who may see what."""
from __future__ import annotations

import re
import urllib.parse
from datetime import timedelta

import pytest

from services.eservices.bootstrap import deps
from services.entrypoints.web.adapters.sessions import SessionRepository
from services.eservices.adapters.table import eservices_table
from tests.integration.web.helpers import Browser, inner, login, text

MARKUP = "<script>alert('x')</script>\"'><img src=x onerror=alert(1)>"


@pytest.fixture
def es(app_client):
    return app_client("eservices")


def start(b, form_id="contact-monthly-report"):
    b.get(f"/web/tjanster/{form_id}")
    r = b.post(f"/web/tjanster/{form_id}/starta", {})
    assert r.status == 303, r.body
    return inner(r.headers["location"])


class TestLogin:
    def test_pkce_login_gives_a_new_session_id_in_a_safe_cookie(self, es, issuer):
        """GIVEN the authorize redirect WHEN the code comes back THEN the id token is verified, the
        login's session id is replaced, and the cookie is HttpOnly, SameSite and holds only an id."""
        b = Browser(es)
        r = b.get("/web/logga-in?next=/eservices/web/mina-sidor")
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.headers["location"]).query))
        assert query["code_challenge_method"] == "S256" and query["response_type"] == "code"
        assert query["redirect_uri"].endswith("/eservices/web/logga-in/klar")
        login_cookie = b.cookie
        b, _, r = login(es, issuer, browser=b)
        assert r.status == 303 and r.headers["location"] == "/eservices/web/mina-sidor"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
        assert re.fullmatch(r"[A-Za-z0-9_\-]{40,}", b.cookie) and b.cookie != login_cookie
        stale = Browser(es, cookie=login_cookie).get("/web/mina-sidor")
        assert stale.status == 303 and "/logga-in" in stale.headers["location"]
        assert b.get("/web/mina-sidor").status == 200

    def test_a_wrong_state_or_a_replayed_code_is_refused(self, es, issuer):
        b, _, r = login(es, issuer)
        assert r.status == 303
        again = Browser(es)
        r = again.get("/web/logga-in")
        r = again.get("/web/logga-in/klar?code=whatever&state=not-the-state")
        assert r.status == 401 and "Du behöver logga in" in text(r)
        assert again.get("/web/mina-sidor").status == 303

    def _begun(self, es, issuer):
        """A login begun at the e-services: the browser, the authorize request's query, the server."""
        from tests.support.fake_authorization import DevAuthorizationServer
        from tests.support.people import new_pnr

        b = Browser(es)
        r = b.get("/web/logga-in?next=/eservices/web/mina-sidor")
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.headers["location"]).query))
        citizen = {"role": "citizen", "personnummer": new_pnr(), "label": "Test Person"}
        return b, query, DevAuthorizationServer(issuer, [citizen], {})

    def test_a_real_code_under_another_logins_state_is_never_exchanged(self, es, issuer):
        """GIVEN a login begun in this browser and a code the authorization server really issued for it
        WHEN the callback carries another login's state THEN the code is never exchanged, the answer
        is 401 and nobody is logged in (the state check, not the token endpoint, refuses it)."""
        b, query, server = self._begun(es, issuer)
        status, headers, _ = server.approve({**query, "person": "0"})
        assert status == 302
        exchanged = []
        deps().token_endpoint = lambda url, form: exchanged.append(form) or server.token(form)[1]
        callback = urllib.parse.urlsplit(headers["Location"])
        forged = urllib.parse.urlencode({**dict(urllib.parse.parse_qsl(callback.query)), "state": "another-logins"})
        r = b.get(inner(callback.path) + "?" + forged)
        assert r.status == 401 and "Du behöver logga in" in text(r)
        assert exchanged == []
        assert b.get("/web/mina-sidor").status == 303

    def test_an_id_token_with_another_logins_nonce_is_refused(self, es, issuer):
        """GIVEN a login begun in this browser WHEN the code it gets back was issued with another
        login's nonce (so the ID token carries that nonce) THEN 401 and nobody is logged in."""
        b, query, server = self._begun(es, issuer)
        status, headers, _ = server.approve({**query, "nonce": "another-logins-nonce", "person": "0"})
        assert status == 302
        exchanged = []
        deps().token_endpoint = lambda url, form: exchanged.append(form) or server.token(form)[1]
        callback = urllib.parse.urlsplit(headers["Location"])
        r = b.get(inner(callback.path) + "?" + callback.query)
        assert len(exchanged) == 1  # the code was good: the ID token's nonce is what refuses it
        assert r.status == 401 and "Du behöver logga in" in text(r)
        assert b.get("/web/mina-sidor").status == 303

    def test_next_never_leaves_the_site(self, es, issuer):
        b, _, r = login(es, issuer, next_path="https://evil.example/phish")
        assert r.headers["location"] == "/eservices/web"

    def test_a_next_with_letters_outside_ascii_comes_back_percent_encoded(self, es, issuer):
        """GIVEN a login whose next= names a page with å ä ö (decoded by the gateway) WHEN the login
        completes THEN the answer is a 303 whose Location is ASCII: the same page, percent-encoded."""
        b, _, r = login(es, issuer, next_path="/eservices/web/mina-sidor?sök=åäö")
        assert r.status == 303
        assert r.headers["location"] == "/eservices/web/mina-sidor?s%C3%B6k=%C3%A5%C3%A4%C3%B6"
        assert r.headers["location"].isascii()

    @pytest.mark.parametrize("bad", ["/eservices/web/mina-sidor\x85", "/eservices/web/\u202emina-sidor",
                                     "/eservices/web/mina-sidor\x7f", "/eservices/web/\u200bmina-sidor",
                                     "/eservices/web/../../billing/x", "/eservices/web/./mina-sidor"])
    def test_a_next_with_control_characters_or_dot_segments_goes_home(self, es, issuer, bad):
        """GIVEN next= with a control, format (bidi, zero-width) character or a dot segment WHEN the
        login completes THEN the person lands on the web's home page: 303 to /eservices/web."""
        b, _, r = login(es, issuer, next_path=bad)
        assert r.status == 303 and r.headers["location"] == "/eservices/web"

    def test_a_login_begun_by_another_site_does_not_log_the_person_out(self, es, issuer):
        """GIVEN a logged-in citizen WHEN another site sends them to GET /logga-in THEN they are still
        logged in with the same session; only a new login that completes replaces it."""
        b, pnr, _ = login(es, issuer)
        before = b.cookie
        r = b.get("/web/logga-in?next=/eservices/web/mina-sidor")
        assert r.status == 302 and "/identity/authorize" in r.headers["location"]
        assert b.cookie == before
        assert b.get("/web/mina-sidor").status == 200
        # the login they never finished is cancelled: still logged in
        r = b.get("/web/logga-in/klar?error=access_denied&state=x")
        assert r.status == 401
        assert b.get("/web/mina-sidor").status == 200 and b.cookie == before
        # a login that does complete gives a new session and ends the old one
        b, other, r = login(es, issuer, browser=b)
        assert r.status == 303 and b.cookie != before
        assert SessionRepository(eservices_table()).get(before) is None
        assert Browser(es, cookie=before).get("/web/mina-sidor").status == 303
        assert b.get("/web/mina-sidor").status == 200

    def test_pages_with_personal_data_need_a_login(self, es):
        for path in ("/web/mina-sidor", "/web/mina-sidor/uppgifter", "/web/mina-sidor/meddelanden"):
            r = Browser(es).get(path)
            assert r.status == 303
            assert r.headers["location"].startswith("/eservices/web/logga-in?next=%2Feservices" + urllib.parse.quote(path, safe=""))

    def test_logout_ends_the_session(self, es, issuer):
        b, _, _ = login(es, issuer)
        b.get("/web/mina-sidor")
        old = b.cookie
        r = b.post("/web/logga-ut", {})
        assert r.status == 303 and "Max-Age=0" in r.headers["set-cookie"]
        assert SessionRepository(eservices_table()).get(old) is None
        assert Browser(es, cookie=old).get("/web/mina-sidor").status == 303


class TestCsrfAndHeaders:
    def test_a_post_without_the_token_changes_nothing(self, es, issuer):
        b, _, _ = login(es, issuer)
        step = start(b)
        b.get(step)
        for token in (False, "forged-token"):
            r = b.post(step, {"client_first_name": "Forged", "action": "save"}, csrf=token)
            assert r.status == 400 and "Något blev fel" in text(r)
        assert "Forged" not in text(b.get(step))
        # and with the token it is saved
        assert b.post(step, {"client_first_name": "Kim", "action": "save"}).status == 303
        assert 'value="Kim"' in b.get(step).body.decode()

    def test_every_page_has_the_security_headers(self, es, issuer):
        b, _, _ = login(es, issuer)
        step = start(b)
        for path in ("/web", "/web/tillganglighet", "/web/tjanster/contact-monthly-report", "/web/mina-sidor", step,
                     "/web/mina-sidor/uppgifter", "/web/tjanster/no-such-service"):
            r = b.get(path)
            policy = r.headers.get("content-security-policy", "")
            assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
            assert "unsafe-inline" not in policy, path
            assert r.headers["x-content-type-options"] == "nosniff", path
            assert r.headers["cache-control"] == "no-store", path  # logged in: nothing is cached
        anonymous = Browser(es).get("/web")
        assert anonymous.headers["cache-control"] == "no-cache"
        assert b"<script>" not in anonymous.body and b" on" not in re.sub(rb"<[^>]*>", b"", anonymous.body)[:0]


# Steps where markup in every text field cannot all be saved, and why.
REFUSED_WITH_MARKUP = {
    ("contact-time-report", "tidrapport"): "a row with only text has no date nor hours, both required",
    ("support-application", "om_dig"): "a postal code is at most 10 characters",
}


class TestEscaping:
    @pytest.mark.parametrize("form_id", ["contact-monthly-report", "contact-time-report", "support-application"])
    def test_markup_in_every_text_field_comes_back_inert(self, es, issuer, form_id):
        """GIVEN markup typed into every text field WHEN the step and the preview are shown THEN it is
        text: never a tag or an attribute of ours."""
        from services.eservices.domain.forms import get_form

        role = "citizen" if form_id == "support-application" else "contact_person"
        b, _, _ = login(es, issuer, role=role)
        form = get_form(form_id)
        step_path = start(b, form_id)
        draft_base = step_path.rsplit("/", 1)[0]
        typed = 0
        for step in form.steps:
            b.get(f"{draft_base}/{step.id}")
            pairs = [("action", "save")]
            for f in step.fields:
                if f.kind in ("text", "textarea"):
                    pairs.append((f.name, MARKUP))
                    typed += 1
                if f.kind == "rows":
                    pairs.append((f"{f.name}.count", "1"))
                    for c in f.columns:
                        if c.kind in ("text", "textarea"):
                            pairs.append((f"{f.name}.0.{c.name}", MARKUP))
                            typed += 1
            pairs += {"rapportering": [("performed_all", "nej_nagra")],
                      "ansokan": [("area", "sol_aldre")]}.get(step.id, [])
            r = b.post(f"{draft_base}/{step.id}", pairs)
            # saved (303) unless the markup breaks a field's own rule: then shown again with the error (422)
            assert r.status == (422 if (form_id, step.id) in REFUSED_WITH_MARKUP else 303), r.body
            page = b.get(f"{draft_base}/{step.id}").body.decode()
            assert "<script>alert" not in page and "<img src=x" not in page
            assert "&lt;script&gt;alert(" in page
        assert typed >= 3
        preview = b.get(draft_base.rsplit("/", 1)[0] + "/granska").body.decode()
        assert "<script>alert" not in preview and "<img src=x" not in preview
        assert preview.count("&lt;img src=x onerror=alert(1)&gt;") >= 2


class TestSessionEnd:
    def test_answers_posted_after_the_end_are_kept_for_the_same_person(self, es, issuer):
        """GIVEN a session that ended while a step was being filled in WHEN the step is posted THEN
        the person is asked to log in again, and after it the answers are in the draft."""
        b, pnr, _ = login(es, issuer)
        step = start(b)
        b.get(step)
        token = b.csrf
        sessions = SessionRepository(eservices_table())
        s = sessions.get(b.cookie)
        s.idle_expires_at = s.idle_expires_at - timedelta(hours=2)
        sessions.put(s)
        r = b.post(step, {"client_first_name": "Sparad", "client_last_name": "Efter", "action": "save"}, csrf=token)
        assert r.status == 200 and "Du har loggats ut" in text(r) and "sparat" in text(r)
        assert sessions.get(s.session_id) is None
        b2, _, r = login(es, issuer, pnr=pnr, browser=b)
        assert r.status == 303 and inner(r.headers["location"]) == step
        page = b.get(step)
        assert 'value="Sparad"' in page.body.decode() and "Dina svar är sparade" in text(page)

    def test_another_person_logging_in_does_not_get_them(self, es, issuer):
        b, pnr, _ = login(es, issuer)
        step = start(b)
        b.get(step)
        sessions = SessionRepository(eservices_table())
        s = sessions.get(b.cookie)
        s.idle_expires_at = s.idle_expires_at - timedelta(hours=2)
        sessions.put(s)
        b.post(step, {"client_first_name": "Hemlig", "action": "save"}, csrf=b.csrf)
        _, _, r = login(es, issuer, browser=b)  # someone else at the same browser
        assert inner(r.headers["location"]) == "/web/mina-sidor"
        b3, _, _ = login(es, issuer, pnr=pnr)
        assert "Hemlig" not in text(b3.get(step))


class TestWhoSeesWhat:
    def test_someone_elses_draft_and_case_are_not_found(self, es, issuer):
        owner, _, _ = login(es, issuer)
        step = start(owner)
        other, _, _ = login(es, issuer)
        r = other.get(step)
        assert r.status == 404 and "Sidan finns inte" in text(r)
        r = other.post(step, {"client_first_name": "Intrång", "action": "save"})
        assert r.status == 404
        assert "Intrång" not in text(owner.get(step))

    def test_a_citizen_without_an_assignment_may_not_start_a_contact_persons_report(self, es, issuer):
        b, _, _ = login(es, issuer, role="citizen")
        page = b.get("/web/tjanster/contact-monthly-report")
        assert "till för dig som har ett uppdrag som kontaktperson" in text(page)
        assert "Starta e-tjänsten" not in text(page)
        assert b.post("/web/tjanster/contact-monthly-report/starta", {}).status == 403

    def test_protected_identity_shows_no_address_anywhere(self, es, issuer):
        b, _, _ = login(es, issuer, role="citizen", pnr="199012241585", name="Sam Skyddad")
        step = start(b, "support-application")
        about = step.rsplit("/", 1)[0] + "/om_dig"
        page = text(b.get(about))
        assert "Hemlig adress" not in page and "Gatuadress" not in page and "skyddade personuppgifter" in page
        assert "Hemlig adress" not in text(b.get("/web/mina-sidor/uppgifter"))
        assert "Adressen visas inte" in text(b.get("/web/mina-sidor/uppgifter"))
        assert "Hemlig" not in text(b.get(step.rsplit("/", 2)[0] + "/granska"))


class TestRelatives:
    @pytest.mark.parametrize("role", ["citizen", "relative"])  # a login is a citizen: the approval decides
    def test_a_relative_acts_only_inside_the_approval(self, es, issuer, role):
        """GIVEN an approval in force WHEN the relative (logged in as citizen, as every e-ID login is,
        or with the old role) picks the citizen THEN Mina sidor is the citizen's; WHEN the approval
        ends during the session THEN they act for themselves again."""
        from datetime import datetime, timezone

        from services.eservices.domain.relatives import RelativeApproval
        from tests.support.people import new_pnr

        citizen, relative = new_pnr(), new_pnr()
        today = datetime.now(timezone.utc).date()
        approval = RelativeApproval(citizen=citizen, citizen_first_name="Cecilia", citizen_last_name="Citizen",
                                    relative=relative, relative_first_name="Rut", relative_last_name="Relativ",
                                    valid_from=today - timedelta(days=1), valid_to=today + timedelta(days=30),
                                    created_by="test", created_at=datetime.now(timezone.utc))
        repo = deps().approvals
        repo.put(approval)
        b, _, _ = login(es, issuer, role=role, pnr=relative, name="Rut Relativ")
        page = b.get("/web/mina-sidor/fora-talan")
        assert "Cecilia Citizen" in text(page)
        assert b.post("/web/mina-sidor/fora-talan", {"acting_for": new_pnr()}).status == 404  # no approval
        assert b.post("/web/mina-sidor/fora-talan", {"acting_for": citizen}).status == 303
        assert "Du företräder Cecilia Citizen" in text(b.get("/web/mina-sidor"))
        repo.put(approval.model_copy(update={"valid_to": today - timedelta(days=1)}))
        page = b.get("/web/mina-sidor")
        assert page.status == 200
        assert "Du kan inte längre företräda Cecilia Citizen" in text(page)
        assert "Du företräder" not in text(b.get("/web/mina-sidor"))


def test_the_in_process_refusal_for_a_relative_starting_an_application(es, issuer):
    """GIVEN a relative acting for a citizen WHEN they post "Starta" for an application anyway THEN 403:
    only the person who will receive the support applies (the use case decides, the page agrees)."""
    from datetime import datetime, timezone

    from services.eservices.domain.relatives import RelativeApproval
    from tests.support.people import new_pnr

    citizen, relative = new_pnr(), new_pnr()
    now = datetime.now(timezone.utc)
    deps().approvals.put(RelativeApproval(
        citizen=citizen, citizen_first_name="C", citizen_last_name="C", relative=relative, relative_first_name="R",
        relative_last_name="R", valid_from=now.date() - timedelta(days=1), created_by="test", created_at=now))
    b, _, _ = login(es, issuer, role="relative", pnr=relative)
    b.get("/web/mina-sidor/fora-talan")
    b.post("/web/mina-sidor/fora-talan", {"acting_for": citizen})
    page = b.get("/web/tjanster/support-application")
    assert "Starta e-tjänsten" not in text(page) and "görs av den som ska ha stödet" in text(page)
    assert b.post("/web/tjanster/support-application/starta", {}).status == 403


def test_an_upload_ticket_needs_the_csrf_token_and_an_allowed_type(es, issuer):
    """GIVEN a logged-in person WHEN the page's script asks for an attachment ticket THEN only with
    the CSRF token and for an allowed file type (refused in Swedish), and the ticket is S3's."""
    import json

    b, _, _ = login(es, issuer, role="citizen")
    b.get("/web/mina-sidor")
    assert b.post("/web/mina-sidor/bilagor", {"filename": "a.pdf", "content_type": "application/pdf"},
                  csrf=False).status == 400
    r = b.post("/web/mina-sidor/bilagor", {"filename": "a.exe", "content_type": "application/x-msdownload"})
    assert r.status == 422 and "filtypen" in json.loads(r.body)["error"]
    r = b.post("/web/mina-sidor/bilagor", {"filename": "intyg.pdf", "content_type": "application/pdf"})
    ticket = json.loads(r.body)
    assert r.status == 201 and ticket["max_bytes"] == 16 * 1024 * 1024 and ticket["fields"]["key"]
    assert r.headers["cache-control"] == "no-store"


def test_a_citizen_writes_about_a_case_taken_in_and_gets_swedish_errors(es, issuer, token):
    """GIVEN a case taken in by a case worker and messaging on WHEN the citizen writes from the case
    page THEN a thread starts; without a subject THEN "Skriv en rubrik" and nothing is sent."""
    from tests.integration.casework.helpers import INTAKE, case_worker, enable_messaging
    from tests.integration.eservices.helpers import application_answers, submitted_case

    b, pnr, _ = login(es, issuer, role="citizen")
    receipt = submitted_case(es, token("citizen", personnummer=pnr), "support-application", application_answers(pnr))
    case = f"/web/mina-sidor/arenden/{receipt['case_id']}"
    assert "Skriv till din handläggare" not in text(b.get(case))  # nobody has taken it in yet
    _, cw = case_worker(token)
    assert es.post(f"/cases/{receipt['case_id']}/intake", INTAKE, token=cw).status == 200
    enable_messaging(es, cw, pnr)
    assert "Skriv till din handläggare" in text(b.get(case))
    r = b.post(case + "/meddelande", {"subject": "", "body": "Hej"})
    assert r.status == 422 and "Skriv en rubrik" in text(r)
    assert "<title>Fel: " in r.body.decode()
    assert "Inga meddelanden om det här ärendet" in text(b.get(case))
    r = b.post(case + "/meddelande", {"subject": "Fråga om beslutet", "body": "När kommer beslutet?"})
    assert r.status == 303
    thread = b.get(inner(r.headers["location"]))
    assert "När kommer beslutet?" in text(thread) and "Ditt meddelande är skickat" in text(thread)


def test_a_signing_in_progress_is_collected_before_submit(es, issuer):
    """GIVEN an e-ID provider where signing completes on another device WHEN "Signera och skicka in"
    THEN a page waits for it, and "Skicka in" submits once the signing is complete."""
    from services.eservices.domain.drafts import Signature

    class OtherDevice:
        def start(self, personnummer, text, digest, now):
            return Signature(order_ref="o-1", status="pending", digest=digest)

        def collect(self, signature, now):
            return signature.model_copy(update={"status": "complete", "signed_at": now})

    b, pnr, _ = login(es, issuer)
    step = start(b)
    draft = step.split("/")[3]
    b.get(step)
    b.post(step, {"client_first_name": "Kim", "client_last_name": "K", "year": "2026", "month": "10",
                  "performed_all": "ja_alla", "activities": "Bio", "shown": "activities"})
    about = step.rsplit("/", 1)[0] + "/om_dig"
    b.get(about)
    assert b.post(about, {"personnummer": pnr, "first_name": "T", "last_name": "P", "confirm": "true"}).status == 303
    saved, deps().signer = deps().signer, OtherDevice()
    try:
        b.get(f"/web/utkast/{draft}/granska")
        r = b.post(f"/web/utkast/{draft}/signera", {})
        assert r.status == 303 and r.headers["location"].endswith(f"/utkast/{draft}/signering")
        r = b.post(f"/web/utkast/{draft}/signering", {})
        assert r.status == 303 and "/kvittens" in r.headers["location"]
    finally:
        deps().signer = saved
    assert "Ditt ärende är nu inskickat" in text(b.get(inner(r.headers["location"])))
