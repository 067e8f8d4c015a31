"""The case workers' pages of a case, in-process over moto (``/eservices/personal``): the case
(identity bar, timeline, documents, decisions, messages, relatives, assignments), a decision with
the letter's preview before it is published, the messaging function and a message with an
attachment, relatives' approvals (honoured at once on the citizens' side) and a contact person's
report approved against its assignment; their errors (Swedish, nothing stored) and who may reach them."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from services.eservices.bootstrap import deps
from tests.integration.casework.helpers import INTAKE, actions_on, case_item, case_worker, enable_messaging
from tests.integration.eservices.helpers import application_answers, submitted_case
from tests.integration.web.helpers import login, text
from tests.integration.web.staff import staff
from tests.support.people import new_pnr

NOT_CASE_WORKERS = ("provider_coordinator", "provider_staff", "auditor", "ordering_unit", "citizen", "relative")


@pytest.fixture
def es(app_client):
    return app_client("eservices")


def taken_in_case(es, token, first="Annika", last="Test", sol_insats="hemtjanst"):
    """A citizen's application for home care, taken in (Koppla ansökan) by a case worker: (pnr, case_id, cw token)."""
    pnr = new_pnr()
    answers = application_answers(pnr, sol_insats=sol_insats) if sol_insats else application_answers(pnr)
    answers["om_dig"].update(first_name=first, last_name=last)
    receipt = submitted_case(es, token("citizen", personnummer=pnr), "support-application", answers, key=pnr)
    _, cw = case_worker(token)
    r = es.post(f"/cases/{receipt['case_id']}/intake", INTAKE, token=cw)
    assert r.status == 200, r.json
    return pnr, receipt["case_id"], cw


def errors_in_summary(r):
    body = r.body.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', body, re.S)
    assert summary, "no error summary"
    assert 'tabindex="-1"' in summary.group(0) and "autofocus" in summary.group(0)
    return re.findall(r'<a href="(#[^"]+)">', summary.group(0))


def ids_exist(r, anchors):
    body = r.body.decode()
    for a in anchors:
        assert f'id="{a[1:]}"' in body, a


class TestTheCase:
    def test_the_case_shows_the_person_timeline_documents_and_is_audited(self, es, token):
        pnr, case_id, _ = taken_in_case(es, token)
        b, who = staff(es)
        r = b.get(f"/personal/arenden/{case_id}")
        assert r.status == 200, r.body
        page = text(r)
        assert "Test, Annika" in page and pnr[:8] in page and "Ansökan" in page
        for heading in ("Händelser", "Dokument", "Beslut", "Meddelanden", "Godkända närstående", "Uppdrag"):
            assert heading in page
        assert "Meddelandefunktionen är inte aktiverad" in page  # a warning with its link
        assert "case.read" in actions_on(pnr)
        link = re.search(r'href="(/eservices/personal/arenden/[^"]+/dokument/[^"]+)"', r.body.decode())
        assert link, "the application's PDF is listed"
        d = b.get(link.group(1).removeprefix("/eservices"))
        assert d.status == 303 and "X-Amz" in d.headers["location"] or "Signature" in d.headers["location"]

    def test_a_case_that_does_not_exist_is_404(self, es):
        b, _ = staff(es)
        assert b.get("/personal/arenden/finns-inte").status == 404


class TestWhoMayReach:
    @pytest.mark.parametrize("role", NOT_CASE_WORKERS)
    def test_anyone_but_a_case_worker_gets_403_and_nothing_is_stored(self, es, token, role):
        pnr, case_id, _ = taken_in_case(es, token)
        b, _ = staff(es, role)
        for path in (f"/personal/arenden/{case_id}", f"/personal/arenden/{case_id}/beslut",
                     f"/personal/arenden/{case_id}/meddelandefunktion", f"/personal/arenden/{case_id}/meddelande",
                     "/personal/meddelanden", "/personal/meddelanden/nytt", "/personal/narstaende",
                     "/personal/narstaende/nytt",
                     f"/personal/arenden/{case_id}/rapport"):
            r = b.get(path)
            assert r.status == 403, (path, r.status)
            assert "Du har inte behörighet" in text(r)
        r = b.post(f"/personal/arenden/{case_id}/meddelandefunktion",
                   {"first_name": "Annika", "last_name": "Test", "enabled": "1"})
        assert r.status == 403 and deps().casework.messaging.find(pnr) is None
        r = b.post(f"/personal/arenden/{case_id}/beslut", {"hemtjanst.outcome": "refused",
                                                             "hemtjanst.from": date.today().isoformat(),
                                                             "step": "publicera"})
        assert r.status == 403 and case_item(case_id)["status"] != "decided"

    def test_a_post_without_the_csrf_token_is_refused(self, es, token):
        pnr, case_id, _ = taken_in_case(es, token)
        b, _ = staff(es)
        b.get(f"/personal/arenden/{case_id}/meddelandefunktion")
        r = b.post(f"/personal/arenden/{case_id}/meddelandefunktion",
                   {"first_name": "Annika", "last_name": "Test", "enabled": "1"}, csrf="fel")
        assert r.status == 400 and deps().casework.messaging.find(pnr) is None


def decision_form(**kw):
    today = date.today().isoformat()
    form = {"hemtjanst.outcome": "granted", "hemtjanst.minutes": "600", "hemtjanst.from": today,
            "hemtjanst.to": "", "hemtjanst.motivation": "Behov av stöd i vardagen.", "letter_text": ""}
    form.update(kw)
    return form


class TestDecision:
    def test_bad_input_gives_errors_that_take_focus_and_nothing_is_stored(self, es, token):
        _, case_id, _ = taken_in_case(es, token)
        b, _ = staff(es)
        r = b.get(f"/personal/arenden/{case_id}/beslut")
        assert r.status == 200 and "Hemtjänst" in text(r) and "socialtjänstlagen (2025:400)" in text(r)
        r = b.post(f"/personal/arenden/{case_id}/beslut",
                   {**decision_form(**{"hemtjanst.minutes": "", "hemtjanst.from": "igår"}), "step": "forhandsgranska"})
        assert r.status == 422
        anchors = errors_in_summary(r)
        ids_exist(r, anchors)
        assert "Skriv beviljad tid i minuter" in text(r) or "Skriv från-datum" in text(r)
        r = b.post(f"/personal/arenden/{case_id}/beslut", {"hemtjanst.outcome": "", "step": "forhandsgranska"})
        assert r.status == 422 and "Välj beslut för minst en insats" in text(r)
        assert case_item(case_id)["status"] == "in_progress"

    def test_the_letter_is_previewed_then_published(self, es, token):
        pnr, case_id, cw = taken_in_case(es, token)
        b, _ = staff(es)
        b.get(f"/personal/arenden/{case_id}/beslut")
        form = decision_form(**{"hemtjanst.part.personlig_omsorg": "400", "hemtjanst.part.service": "200",
                                "letter_text": "Välkommen att höra av dig."})
        preview = b.post(f"/personal/arenden/{case_id}/beslut", {**form, "step": "forhandsgranska"})
        assert preview.status == 200, text(preview)
        page = text(preview)
        assert "Förhandsgranska beslut" in page and "Beviljas enligt socialtjänstlagen (2025:400)" in page
        assert "Personlig omsorg: 6 timmar 40 minuter per månad" in page and "Publicera beslut" in page
        assert "Meddelandefunktionen är inte aktiverad" in page  # the warning
        assert case_item(case_id)["status"] == "in_progress"  # nothing stored by the preview
        hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', preview.body.decode())
        back = b.post(f"/personal/arenden/{case_id}/beslut", [*[(k, v) for k, v in hidden if k != "csrf"],
                                                               ("step", "andra")])
        assert back.status == 200 and 'value="400"' in back.body.decode()
        done = b.post(f"/personal/arenden/{case_id}/beslut", [*[(k, v) for k, v in hidden if k != "csrf"],
                                                               ("step", "publicera")])
        assert done.status == 303, text(done)
        assert case_item(case_id)["status"] == "decided"
        page = text(b.get(f"/personal/arenden/{case_id}"))
        assert "Beslutet i ärende" in page and "Beviljad" in page and "10 timmar" in page
        assert "Beslut " in page  # the letter under Dokument
        again = b.post(f"/personal/arenden/{case_id}/beslut", [*[(k, v) for k, v in hidden if k != "csrf"],
                                                                ("step", "publicera")])
        assert again.status == 409 and "redan beviljad" in text(again)

    def test_no_warning_when_messaging_is_on(self, es, token):
        pnr, case_id, cw = taken_in_case(es, token)
        enable_messaging(es, cw, pnr, first_name="Annika", last_name="Test")
        b, _ = staff(es)
        assert "Meddelandefunktionen är inte aktiverad" not in text(b.get(f"/personal/arenden/{case_id}/beslut"))


class TestMessaging:
    def test_activating_with_the_seeds_choices_and_its_errors(self, es, token):
        pnr, case_id, _ = taken_in_case(es, token)
        b, _ = staff(es)
        r = b.get(f"/personal/arenden/{case_id}/meddelandefunktion")
        assert r.status == 200
        for label in ("Lifecare Meddelande", "Avisering via SMS", "Avisering via e-post", "Telefon 1", "Telefon 2",
                      "E-post"):
            assert label in text(r)
        bad = b.post(f"/personal/arenden/{case_id}/meddelandefunktion",
                     {"first_name": "Annika", "last_name": "Test", "enabled": "1", "sms_alert": "1", "sms_phone": "2",
                      "phone1": "0701234567", "email_alert": "1", "email": ""})
        assert bad.status == 422
        ids_exist(bad, errors_in_summary(bad))
        assert "Välj vilken telefon" in text(bad) and "Skriv en e-postadress" in text(bad)
        assert deps().casework.messaging.find(pnr) is None
        ok = b.post(f"/personal/arenden/{case_id}/meddelandefunktion",
                    {"first_name": "Annika", "last_name": "Test", "enabled": "1", "sms_alert": "1", "sms_phone": "1",
                     "phone1": "0701234567", "email_alert": "1", "email": "annika@example.se"})
        assert ok.status == 303
        s = deps().casework.messaging.find(pnr)
        assert s.enabled and s.sms_alert and s.sms_phone == 1 and s.email == "annika@example.se"
        assert "Meddelandefunktionen är aktiverad" in text(b.get(f"/personal/arenden/{case_id}"))

    def test_a_message_needs_messaging_on_and_a_subject_and_text(self, es, token):
        pnr, case_id, cw = taken_in_case(es, token)
        b, _ = staff(es)
        r = b.get(f"/personal/arenden/{case_id}/meddelande")
        assert "inte aktiverad" in text(r)
        enable_messaging(es, cw, pnr, first_name="Annika", last_name="Test")
        b.get(f"/personal/arenden/{case_id}/meddelande")
        bad = b.post(f"/personal/arenden/{case_id}/meddelande", {"subject": "", "body": ""})
        assert bad.status == 422
        ids_exist(bad, errors_in_summary(bad))
        ok = b.post(f"/personal/arenden/{case_id}/meddelande",
                    {"subject": "Om ditt hembesök", "body": "Hej! Vi ses på tisdag.", "read_receipt": "1"})
        assert ok.status == 303
        assert "Om ditt hembesök" in text(b.get(f"/personal/arenden/{case_id}"))
        listing = b.get("/personal/meddelanden")
        assert "Om ditt hembesök" in text(listing) and f"{pnr[:8]}-{pnr[8:]}" in text(listing)

    def test_a_message_with_an_attachment_through_s3_without_javascript(self, es, token):
        from tests.integration.web.test_web_attachments import back_from_s3, post_to_s3

        pnr, case_id, cw = taken_in_case(es, token)
        enable_messaging(es, cw, pnr, first_name="Annika", last_name="Test")
        b, _ = staff(es)
        page = b.get(f"/personal/arenden/{case_id}/meddelande")
        back = back_from_s3(b, post_to_s3(page, "intyg.pdf", b"%PDF-1.4 intyg"))
        assert back.status == 303
        page = b.get(back.headers["location"].removeprefix("/eservices").split("#")[0])
        assert "intyg.pdf" in text(page)
        refused = back_from_s3(b, post_to_s3(page, "program.exe", b"MZ"))
        assert "bilagefel=typ" in refused.headers["location"]
        page = b.get(f"/personal/arenden/{case_id}/meddelande?bilagefel=typ")
        assert "Den filtypen kan inte skickas" in text(page)
        ok = b.post(f"/personal/arenden/{case_id}/meddelande", {"subject": "Intyget", "body": "Här är intyget."})
        assert ok.status == 303, text(ok)
        citizen = token("citizen", personnummer=pnr)
        (t,) = [t for t in es.get("/my/messages", token=citizen).json if t["subject"] == "Intyget"]
        full = es.get(f"/my/messages/threads/{t['thread_id']}", token=citizen).json
        assert [a["filename"] for a in full["messages"][0]["attachments"]] == ["intyg.pdf"]


def approval_form(citizen, relative, **kw):
    today = date.today()
    form = {"citizen_pnr": citizen, "citizen_first": "Annika", "citizen_last": "Test", "relative_pnr": relative,
            "relative_first": "Josefine", "relative_last": "Test", "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=364)).isoformat(), "note": "Samtycke muntligt 2026-12-01.",
            "consent": "1"}
    form.update(kw)
    return form


class TestRelatives:
    def test_the_form_suggests_one_year_and_bad_input_stores_nothing(self, es):
        b, _ = staff(es)
        r = b.get("/personal/narstaende/nytt")
        assert r.status == 200
        assert f'value="{date.today().isoformat()}"' in r.body.decode()
        citizen = new_pnr()
        bad = b.post("/personal/narstaende/nytt", approval_form(citizen, citizen, consent="", relative_first=""))
        assert bad.status == 422
        ids_exist(bad, errors_in_summary(bad))
        assert "Bekräfta att brukarens samtycke" in text(bad)
        assert deps().approvals.of_citizen(citizen) == []
        search = b.get("/personal/narstaende?brukare=123")
        assert search.status == 422 and "Skriv brukarens personnummer" in text(search)

    def test_names_are_checked_against_the_register_in_swedish_never_a_protected_persons(self, es):
        from tests.integration.eservices.helpers import ANNIKA, JOSEFINE, SAM

        b, _ = staff(es)
        b.get("/personal/narstaende/nytt")
        bad = b.post("/personal/narstaende/nytt", approval_form(ANNIKA, JOSEFINE, citizen_first="Anna",
                                                                relative_last="Fel"))
        assert bad.status == 422
        assert "Namnet stämmer inte med folkbokföringen, där personen heter" in text(bad)
        bad = b.post("/personal/narstaende/nytt", approval_form(SAM, JOSEFINE, citizen_first="Sam",
                                                                citizen_last="Fel"))
        assert bad.status == 422 and "Namnet stämmer inte med folkbokföringen." in text(bad)
        assert "Skyddad" not in text(bad).replace("Skyddad identitet", "")

    def test_an_approved_relative_acts_for_the_client_at_once_then_change_and_end(self, es, issuer):
        citizen, relative = new_pnr(), new_pnr()
        b, _ = staff(es)
        b.get("/personal/narstaende/nytt")
        r = b.post("/personal/narstaende/nytt", approval_form(citizen, relative))
        assert r.status == 303, text(r)
        listing = b.get(r.headers["location"].removeprefix("/eservices"))
        assert "Josefine Test" in text(listing) and "Gäller" in text(listing)
        # the citizens' side honours it at once
        rel, _, _ = login(es, issuer, role="relative", pnr=relative, name="Josefine Test")
        assert "Annika Test" in text(rel.get("/web/mina-sidor/fora-talan"))
        assert rel.post("/web/mina-sidor/fora-talan", {"acting_for": citizen}).status == 303
        assert "Du företräder Annika Test" in text(rel.get("/web/mina-sidor"))
        # change: a to-date before the from-date is refused, a later one kept
        change = re.search(r'href="/eservices(/personal/narstaende/[^"?]+)"', listing.body.decode()).group(1)
        b.get(change)
        bad = b.post(change, {"valid_from": date.today().isoformat(), "valid_to": "2001-01-01", "note": "x",
                              "version": "1"})
        assert bad.status == 422
        ids_exist(bad, errors_in_summary(bad))
        later = (date.today() + timedelta(days=400)).isoformat()
        ok = b.post(change, {"valid_from": date.today().isoformat(), "valid_to": later, "note": "Förlängt",
                             "version": "1"})
        assert ok.status == 303, text(ok)
        assert deps().approvals.of_citizen(citizen)[0].valid_to.isoformat() == later
        # end: from now on the relative acts for nobody
        b.get(change)
        assert b.post(change, {"action": "avsluta"}).status == 303
        page = text(rel.get("/web/mina-sidor"))
        assert "Du kan inte längre företräda Annika Test" in page


class TestReportApproval:
    def test_a_report_is_approved_against_its_assignment_showing_what_is_paid(self, es, token):
        from tests.integration.casework.test_report_approval import report_and_assignment

        _, cw = case_worker(token)
        kp, client, assignment_id, case_id = report_and_assignment(es, token, cw)
        b, _ = staff(es)
        r = b.get(f"/personal/arenden/{case_id}/rapport")
        assert r.status == 200, text(r)
        page = text(r)
        assert "Månadsrapport för 2026-10" in page and "1 480,00 kr" in page and "493,33 kr" in page
        bad = b.post(f"/personal/arenden/{case_id}/rapport", {"assignment_id": "nej"})
        assert bad.status == 422
        ids_exist(bad, errors_in_summary(bad))
        assert case_item(case_id)["status"] != "closed"
        ok = b.post(f"/personal/arenden/{case_id}/rapport", {"assignment_id": assignment_id})
        assert ok.status == 303
        assert case_item(case_id)["status"] == "closed"
        assert "redan godkänd" in text(b.get(f"/personal/arenden/{case_id}/rapport"))

    def test_a_report_sent_back_tells_the_contact_person_why_and_pays_nothing(self, es, token, issuer):
        """GIVEN a contact person's monthly report WHEN the case worker sends it back, first without a
        reason THEN an error and nothing stored; with one THEN the case closes unpaid, the page says it
        was sent back, and the contact person reads the reason on Mina sidor."""
        from tests.integration.casework.test_report_approval import report_and_assignment
        from tests.integration.web.helpers import login

        _, cw = case_worker(token)
        kp, client, assignment_id, case_id = report_and_assignment(es, token, cw)
        b, _ = staff(es)
        assert "Skicka tillbaka rapporten" in text(b.get(f"/personal/arenden/{case_id}/rapport"))
        bad = b.post(f"/personal/arenden/{case_id}/rapport/tillbaka", {"reason": " "})
        assert bad.status == 422
        ids_exist(bad, errors_in_summary(bad))
        assert case_item(case_id)["status"] != "closed"
        ok = b.post(f"/personal/arenden/{case_id}/rapport/tillbaka",
                    {"reason": "Du har angett fel månad. Skicka en ny rapport för oktober."})
        assert ok.status == 303, text(ok)
        stored = case_item(case_id)
        assert stored["status"] == "closed" and "fel månad" in stored["returned"]["reason"]
        assert "redan skickad tillbaka" in text(b.get(f"/personal/arenden/{case_id}/rapport"))
        assert b.post(f"/personal/arenden/{case_id}/rapport", {"assignment_id": assignment_id}).status == 409
        reporter, _, _ = login(es, issuer, role="citizen", pnr=kp)
        page = text(reporter.get(f"/web/mina-sidor/arenden/{case_id}"))
        assert "Rapporten har skickats tillbaka" in page and "fel månad" in page

    def test_an_application_is_not_a_report(self, es, token):
        _, case_id, _ = taken_in_case(es, token)
        b, _ = staff(es)
        assert b.get(f"/personal/arenden/{case_id}/rapport").status == 404


class TestIncomingMessages:
    def test_a_reply_is_shown_in_the_case_counted_on_att_gora_read_and_marked_journaled(self, es, token):
        pnr, case_id, cw = taken_in_case(es, token)
        enable_messaging(es, cw, pnr, first_name="Annika", last_name="Test")
        uid = f"hl-inkommande-{new_pnr()[-6:]}"
        b, _ = staff(es, user_id=uid)
        b.get(f"/personal/arenden/{case_id}/meddelande")
        assert b.post(f"/personal/arenden/{case_id}/meddelande", {"subject": "Frågor", "body": "Hur mår du?"}).status == 303
        citizen = token("citizen", personnummer=pnr)
        (t,) = es.get("/my/messages", token=citizen).json
        r = es.post(f"/my/messages/threads/{t['thread_id']}", {"body": "Bra, tack!"}, token=citizen)
        assert r.status == 201, r.json
        # counted on Att göra and shown in the case
        todo = text(b.get("/personal/att-gora"))
        assert re.search(r"1 Olästa meddelanden", todo), todo
        case_page = b.get(f"/personal/arenden/{case_id}")
        assert "1 oläst" in text(case_page)
        # read: the thread shows the client's message, and reading it clears the count
        thread = b.get(f"/personal/meddelanden/{t['thread_id']}")
        assert thread.status == 200 and "Från klienten" in text(thread) and "Bra, tack!" in text(thread)
        assert "1 oläst" not in text(b.get(f"/personal/arenden/{case_id}"))
        # marked as entered in the journal, once
        incoming = [m for m in deps().casework.messages.of_thread(t["thread_id"]) if m.from_party == "citizen"][0]
        r = b.post(f"/personal/meddelanden/{t['thread_id']}", {"action": "journalford", "message_id": incoming.message_id})
        assert r.status == 303
        page = text(b.get(f"/personal/meddelanden/{t['thread_id']}"))
        assert "Meddelandet är markerat som journalfört" in page and "Journalförd" in page, page
        stored = [m for m in deps().casework.messages.of_thread(t["thread_id"]) if m.from_party == "citizen"][0]
        assert stored.journaled_at is not None and stored.journaled_by == f"case_worker:{uid}"
        b.post(f"/personal/meddelanden/{t['thread_id']}", {"action": "journalford", "message_id": incoming.message_id})
        assert "redan markerat" in text(b.get(f"/personal/meddelanden/{t['thread_id']}"))
        assert "message.journal" in actions_on(pnr)
        # the thread as a PDF for the journal
        assert b.get(f"/personal/meddelanden/{t['thread_id']}/journal.pdf").status == 303
        # a reply: an empty one is an error, nothing sent
        before = len(deps().casework.messages.of_thread(t["thread_id"]))
        bad = b.post(f"/personal/meddelanden/{t['thread_id']}", {"body": ""})
        assert bad.status == 422
        ids_exist(bad, errors_in_summary(bad))
        assert len(deps().casework.messages.of_thread(t["thread_id"])) == before

    def test_another_case_workers_thread_is_404_and_other_roles_403(self, es, token):
        pnr, case_id, cw = taken_in_case(es, token)
        enable_messaging(es, cw, pnr, first_name="Annika", last_name="Test")
        b, _ = staff(es)
        b.get(f"/personal/arenden/{case_id}/meddelande")
        b.post(f"/personal/arenden/{case_id}/meddelande", {"subject": "Hej", "body": "Hej"})
        (t,) = es.get("/my/messages", token=token("citizen", personnummer=pnr)).json
        other, _ = staff(es)
        assert other.get(f"/personal/meddelanden/{t['thread_id']}").status == 404
        for role in NOT_CASE_WORKERS:
            nb, _ = staff(es, role)
            assert nb.get(f"/personal/meddelanden/{t['thread_id']}").status == 403


class TestProtectedIdentity:
    def test_only_the_assigned_case_worker_sees_the_name_and_nobody_an_address(self, es, token):
        from tests.integration.eservices.helpers import SAM

        answers = application_answers(SAM)
        answers["om_dig"].update(first_name="Sam", last_name="Skyddad", street="Hemlig gata 9")
        receipt = submitted_case(es, token("citizen", personnummer=SAM), "support-application", answers,
                                 key=f"sam-case-{new_pnr()}")
        uid, cw = case_worker(token)
        assert es.post(f"/cases/{receipt['case_id']}/intake", INTAKE, token=cw).status == 200
        other, _ = staff(es)
        r = other.get(f"/personal/arenden/{receipt['case_id']}")
        assert r.status == 200
        assert "Skyddad identitet" in text(r) and "Sam" not in text(r) and "Hemlig" not in text(r)
        link = re.search(r'href="/eservices(/personal/arenden/[^"]+/dokument/[^"]+)"', r.body.decode()).group(1)
        assert other.get(link).status == 403
        mine, _ = staff(es, user_id=uid)
        r = mine.get(f"/personal/arenden/{receipt['case_id']}")
        assert "Skyddad identitet" in text(r) and "Skyddad, Sam" in text(r) and "Hemlig" not in text(r)
        assert mine.get(link).status == 303
        settings = mine.get(f"/personal/arenden/{receipt['case_id']}/meddelandefunktion")
        assert "Hemlig" not in text(settings)


class TestNewMessageToAClient:
    def test_till_klient_finds_clients_with_messaging_on_with_the_personnummer_after_the_name(self, es, token):
        from tests.integration.web.test_web_attachments import back_from_s3, post_to_s3

        surname = "Klientsok" + new_pnr()[-4:]
        pnr, case_id, cw = taken_in_case(es, token, last=surname)
        off_pnr, _, _ = taken_in_case(es, token, last=surname + "x")  # messaging not on: never found
        enable_messaging(es, cw, pnr, first_name="Annika", last_name=surname)
        b, _ = staff(es)
        page = b.get("/personal/meddelanden/nytt")
        assert page.status == 200
        back = back_from_s3(b, post_to_s3(page, "underlag.pdf", b"%PDF-1.4 underlag"))
        assert back.status == 303
        found = b.get(f"/personal/meddelanden/nytt?klient={surname}")
        assert f"Annika {surname} {pnr[:8]}-{pnr[8:]}" in text(found) and f"{off_pnr[:8]}-{off_pnr[8:]}" not in text(found)
        assert "underlag.pdf" in text(found)
        bad = b.post("/personal/meddelanden/nytt", {"klient": surname, "citizen": off_pnr, "subject": "", "body": "x"})
        assert bad.status == 422
        ids_exist(bad, errors_in_summary(bad))
        assert "Sök fram klienten och välj" in text(bad) and "Skriv ett ämne" in text(bad)
        ok = b.post("/personal/meddelanden/nytt", {"klient": surname, "citizen": pnr, "subject": "Underlag",
                                                     "body": "Här är underlaget.", "read_receipt": "1"})
        assert ok.status == 303, text(ok)
        citizen = token("citizen", personnummer=pnr)
        (t,) = [t for t in es.get("/my/messages", token=citizen).json if t["subject"] == "Underlag"]
        full = es.get(f"/my/messages/threads/{t['thread_id']}", token=citizen).json
        assert [a["filename"] for a in full["messages"][0]["attachments"]] == ["underlag.pdf"]
        assert es.get("/my/messages", token=token("citizen", personnummer=off_pnr)).json == []
