"""Case work's use cases over in-memory repositories: intake, decisions, messages, assignments,
relatives' approvals, report approval, the inbox and the audit trail. No moto, no HTTP: each
test runs in milliseconds; the moto tier (tests/integration/casework) covers the adapters."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from services.auth.principal import Role
from services.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.domain.files import StoredFile
from services.domain.results import FileResult, Redirect
from services.domain.calendar import stockholm_date
from services.eservices.usecases import mypages
from services.eservices.domain.cases import Case, Document
from services.eservices.casework.usecases import assignments, audit, decisions, inbox, intake, messages, messaging
from services.eservices.casework.usecases import relatives, report_approval
from services.eservices.casework.adapters.repositories import SHARDS
from services.eservices.casework.domain.audit import AuditRecord
from services.eservices.casework.models.assignments import AssignmentChange, AssignmentRequest
from services.eservices.casework.models.audit import AuditQuery
from services.eservices.casework.models.decisions import DecisionRequest
from services.eservices.casework.models.inbox import InboxQuery
from services.eservices.casework.models.intake import IntakeRequest, RegistrationRequest
from services.eservices.casework.models.messaging import MessagingSettingsRequest
from services.eservices.casework.models.relatives import ApprovalRequest
from services.eservices.casework.models.messages import Reply, StaffNewMessage, UploadRequest
from services.eservices.casework.domain.messaging import MessagingSettings
from services.eservices.casework.adapters.repositories import AuditRepository, MessagingRepository
from services.eservices.casework.models.report_approval import ReportApprovalRequest
from services.eservices.domain.people import RegisteredPerson
from tests.support.fakes.casework import CaseworkDeps, casework_deps, person, staff
from tests.support.pdf import pdf_text
from tests.support.people import new_pnr

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
TODAY = date(2026, 3, 10)
INTAKE = {"intake_type": "ansokan_sol", "organisation": "Testenhet", "from_whom": "den_enskilde"}
HOME_CARE = {"insats": "hemtjanst", "outcome": "granted", "granted_minutes_per_month": 1200,
             "valid_from": TODAY.isoformat(), "valid_to": (TODAY + timedelta(days=365)).isoformat()}


def application(deps: CaseworkDeps, pnr: str | None = None, *, status: str = "submitted",
                submitted_at: datetime | None = None, category: str = "Äldreomsorg") -> Case:
    pnr = pnr or new_pnr()
    case = Case(case_id=f"c-{pnr}-{len(deps.cases.items)}", case_number=f"2026-{len(deps.cases.items) + 1:06d}",
                form_id="support-application", title="Ansökan om stöd", category=category, owner=pnr,
                submitted_by=pnr, submitted_at=submitted_at or NOW - timedelta(days=1), status=status,
                answers={"ansokan": {"area": "sol_aldre", "sol_insats": "hemtjanst", "need": "Städning"},
                         "om_dig": {"personnummer": pnr, "first_name": "Test", "last_name": "Testsson",
                                    "confirm": True}},
                documents=[Document(document_id="pdf-1", kind="submission_pdf", key=f"cases/{pnr}/a.pdf",
                                    filename="Ansökan.pdf", created_at=NOW)])
    return deps.cases.add_now(case)


def taken_in(deps: CaseworkDeps, cw=None) -> Case:
    case = application(deps)
    intake.take_in(deps, cw or staff(), case.case_id, IntakeRequest(**INTAKE))
    return deps.cases.get(case.case_id)


@pytest.fixture
def deps() -> CaseworkDeps:
    return casework_deps(NOW)


class TestIntake:
    def test_taking_in_moves_the_case_on_audits_and_tells_the_citizen(self, deps):
        # GIVEN a submitted application
        case = application(deps)
        # WHEN a case worker takes it in
        view = intake.take_in(deps, staff("hl-7"), case.case_id, IntakeRequest(**INTAKE))
        # THEN it is in progress with the intake, audited as a change, and the status is published
        assert view.status == "in_progress" and deps.cases.get(case.case_id).intake.case_worker_id == "hl-7"
        assert deps.audit.actions_on(case.owner) == ["intake.create"]
        assert [e["status"] for e in deps.events("case.status_changed")] == ["in_progress"]
        assert deps.events("notification.requested")

    def test_a_case_changed_meanwhile_stores_neither_the_intake_nor_its_audit_record(self, deps):
        # GIVEN a case that someone changes between the read and the write
        case = application(deps)
        real_get = deps.cases.get

        def stale_get(case_id):
            found = real_get(case_id)
            deps.cases.replace_now(found, expected_version=found.version)  # someone else's write
            return found
        deps.cases.get = stale_get
        # WHEN the intake is written THEN 409, and nothing of it is stored or published
        with pytest.raises(Conflict):
            intake.take_in(deps, staff(), case.case_id, IntakeRequest(**INTAKE))
        assert real_get(case.case_id).status == "submitted"
        assert deps.audit.records == [] and deps.publisher.published == []

    def test_taken_in_twice_is_a_conflict(self, deps):
        case = taken_in(deps)
        with pytest.raises(Conflict):
            intake.take_in(deps, staff(), case.case_id, IntakeRequest(**INTAKE))


PHONE_CALL = {"intake_type": "ansokan_sol", "organisation": "Testenhet", "from_whom": "narstaende",
              "channel": "telefon", "first_name": "Annika", "last_name": "Test", "area": "sol_aldre",
              "sol_insats": "hemtjanst", "need": "Dottern ringde: behöver hjälp med dusch och städning"}


class TestRegisterFromAnotherChannel:
    def test_a_phone_application_becomes_a_case_taken_in_at_once_that_can_be_decided(self):
        # GIVEN a person in the register, whose daughter phones in an application for home care
        pnr = new_pnr()
        deps = casework_deps(NOW, RegisteredPerson(personnummer=pnr, first_name="Annika Maria", last_name="Test"))
        # WHEN the case worker registers it
        view = intake.register(deps, staff("hl-7"), RegistrationRequest(**PHONE_CALL, personnummer=pnr))
        # THEN a numbered case about that person is under investigation, taken in by the caller,
        # with how it came and from whom in Swedish
        case = deps.cases.get(view.case_id)
        assert (case.owner, case.status, case.case_number) == (pnr, "in_progress", "2026-000001")
        assert [h.status for h in case.history] == ["received", "in_progress"]
        assert (case.intake.channel, case.intake.channel_label, case.intake.from_whom_label,
                case.intake.case_worker_id) == ("telefon", "Telefon", "Anhörig / närstående", "hl-7")
        assert case.answers["ansokan"]["need"].startswith("Dottern ringde")
        assert (case.category, case.applicant_name) == ("Hemtjänst insatser", "Test, Annika Maria")
        # AND it is audited, published and the person alerted, like an e-application's intake
        assert deps.audit.actions_on(pnr) == ["intake.create"]
        assert [e["status"] for e in deps.events("case.status_changed")] == ["in_progress"]
        assert deps.events("notification.requested")
        # AND home care can be decided on it
        decisions.decide(deps, staff("hl-7"), case.case_id, DecisionRequest(decisions=[HOME_CARE]))
        assert [d["insats"] for d in deps.events("decision.published")] == ["hemtjanst"]

    def test_a_letter_asking_for_lss_registers_the_insatser_requested(self):
        pnr = new_pnr()  # not in the register: the typed name is kept
        deps = casework_deps(NOW)
        body = {**PHONE_CALL, "channel": "brev", "from_whom": "god_man", "area": "lss", "sol_insats": None,
                "intake_type": "begaran_lss", "lss_insatser": ["kontaktperson"], "personnummer": pnr}
        view = intake.register(deps, staff(), RegistrationRequest(**body))
        case = deps.cases.get(view.case_id)
        assert decisions.decidable(case) == frozenset({"kontaktperson"})
        assert (case.intake.channel_label, case.intake.from_whom_label) == ("Brev", "God man / förvaltare")

    @pytest.mark.parametrize("change,field", [
        ({"channel": "e_ansokan"}, "channel"),  # an e-application is taken in from the inbox
        ({"channel": "fax"}, "channel"),
        ({"from_whom": "granne"}, "from_whom"),
        ({"sol_insats": None}, "sol_insats"),
        ({"need": ""}, "need"),
        ({"personnummer": "19121212121"}, "personnummer"),
    ])
    def test_a_bad_registration_names_the_field(self, change, field):
        with pytest.raises(ValidationError) as err:
            RegistrationRequest(**{**PHONE_CALL, "personnummer": new_pnr(), **change})
        assert [e["loc"][0] for e in err.value.errors()] == [field]

    def test_a_name_unlike_the_registers_or_a_type_unlike_the_area_stores_nothing(self):
        pnr = new_pnr()
        deps = casework_deps(NOW, RegisteredPerson(personnummer=pnr, first_name="Annika", last_name="Test"))
        for change, field in (({"last_name": "Andersson"}, "last_name"), ({"intake_type": "begaran_lss",
                                                                            "lss_insatser": ["kontaktperson"]},
                                                                           "intake_type")):
            with pytest.raises(ValidationFailed) as err:
                intake.register(deps, staff(), RegistrationRequest(**{**PHONE_CALL, "personnummer": pnr, **change}))
            assert [e.field for e in err.value.errors] == [field]
        assert deps.cases.items == {} and deps.audit.records == [] and deps.publisher.published == []

    def test_an_e_application_is_taken_in_as_an_e_application(self, deps):
        case = application(deps)
        with pytest.raises(ValidationFailed) as err:
            intake.take_in(deps, staff(), case.case_id, IntakeRequest(**{**INTAKE, "channel": "telefon"}))
        assert [e.field for e in err.value.errors] == ["channel"]
        assert deps.cases.get(case.case_id).status == "submitted"


class TestDecide:
    def test_a_grant_is_stored_with_its_letter_and_published(self, deps):
        # GIVEN an application taken in
        case = taken_in(deps)
        # WHEN home care is granted
        view = decisions.decide(deps, staff(), case.case_id, DecisionRequest(decisions=[HOME_CARE]))
        # THEN the case is decided, the letter stored, the decision published with its granted time
        assert view.status == "decided"
        letter = deps.cases.get(case.case_id).documents[-1]
        assert deps.documents.get(letter.key).startswith(b"%PDF")
        published = deps.events("decision.published")
        assert [(d["insats"], d["granted_minutes_per_month"]) for d in published] == [("hemtjanst", 1200)]
        assert "decision.create" in deps.audit.actions_on(case.owner)

    def test_the_published_decision_names_the_cases_case_worker_whose_follow_up_it_is(self, deps):
        # GIVEN an application taken in by hl-7 WHEN a stand-in (hl-8) decides
        case = taken_in(deps, staff("hl-7"))
        decisions.decide(deps, staff("hl-8"), case.case_id, DecisionRequest(decisions=[HOME_CARE]))
        # THEN the decision names the case's case worker: the report shows them this client's rows
        assert [d["case_worker_id"] for d in deps.events("decision.published")] == ["hl-7"]

    def test_a_second_grant_in_the_same_dates_is_a_conflict_and_leaves_no_letter(self, deps):
        case = taken_in(deps)
        decisions.decide(deps, staff(), case.case_id, DecisionRequest(decisions=[HOME_CARE]))
        files = dict(deps.documents.objects)
        with pytest.raises(Conflict):
            decisions.decide(deps, staff(), case.case_id, DecisionRequest(decisions=[HOME_CARE]))
        assert deps.documents.objects == files

    @pytest.mark.parametrize("decided_at,sfs,cited", [
        # 23:30 in Stockholm on the last day of the old law, and half an hour into the new one
        (datetime(2025, 6, 30, 21, 30, tzinfo=timezone.utc), "2001:453", "socialtjänstlagen (2001:453) 4 kap. 1 §"),
        (datetime(2025, 6, 30, 22, 30, tzinfo=timezone.utc), "2025:400", "socialtjänstlagen (2025:400)"),
    ])
    def test_the_letter_and_the_views_cite_the_law_in_force_on_the_decision_date(self, decided_at, sfs, cited):
        # GIVEN an application taken in, and a case worker deciding at ``decided_at``
        deps = casework_deps(decided_at)
        case = application(deps, submitted_at=decided_at - timedelta(days=3))
        intake.take_in(deps, staff(), case.case_id, IntakeRequest(**INTAKE))
        day = stockholm_date(decided_at).isoformat()
        # WHEN home care is granted
        decisions.decide(deps, staff(), case.case_id, DecisionRequest(decisions=[
            {**HOME_CARE, "valid_from": day, "valid_to": None}]))
        # THEN the letter cites the law of that day, and so do the stored decision, the case
        # worker's view, the citizen's view and the event
        stored = deps.cases.get(case.case_id)
        [decision] = stored.decisions
        letter = pdf_text(deps.documents.get(stored.documents[-1].key)).replace("\n", " ")
        assert f"Beviljas enligt {cited}." in letter
        [other] = {"2001:453", "2025:400"} - {sfs}
        assert other not in letter
        assert decision.law_sfs == sfs
        assert inbox.staff_view(deps, staff(), stored).decisions[0]["law_reference"] == cited
        assert mypages.decision_view(decision.model_dump(mode="json"), case.case_id).law_reference == cited
        assert [(e["law"], e["law_sfs"]) for e in deps.events("decision.published")] == [("SoL", sfs)]

    def test_the_granted_time_is_shown_per_insats_in_the_letter_and_to_the_citizen(self, deps):
        # GIVEN an application taken in
        case = taken_in(deps)
        # WHEN home care is granted as 10 hours, broken down per home-care insats
        grant = {**HOME_CARE, "granted_minutes_per_month": 600,
                 "granted": [{"insats": "personlig_omsorg", "minutes_per_month": 450},
                             {"insats": "service", "minutes_per_month": 150}]}
        decisions.decide(deps, staff(), case.case_id, DecisionRequest(decisions=[grant]))
        # THEN the decision keeps the breakdown with its Swedish labels
        stored = deps.cases.get(case.case_id)
        [decision] = stored.decisions
        assert [(g.insats, g.insats_label, g.minutes_per_month) for g in decision.granted] == [
            ("personlig_omsorg", "Personlig omsorg", 450), ("service", "Serviceinsatser", 150)]
        # AND the letter shows the total and each insats' time
        letter = pdf_text(deps.documents.get(stored.documents[-1].key))
        assert "Beviljad tid: 10 timmar per månad" in letter
        assert "Personlig omsorg: 7 timmar 30 minuter per månad" in letter
        assert "Serviceinsatser: 2 timmar 30 minuter per månad" in letter
        # AND the citizen's view (Mina sidor, /my/cases) lists the same lines
        view = mypages.decision_view(decision.model_dump(mode="json"), case.case_id)
        assert view.granted_minutes_per_month == 600
        assert [(g.insats, g.label, g.minutes_per_month) for g in view.granted] == [
            ("personlig_omsorg", "Personlig omsorg", 450), ("service", "Serviceinsatser", 150)]

    def test_deciding_before_intake_is_refused(self, deps):
        case = application(deps)
        with pytest.raises(Conflict):
            decisions.decide(deps, staff(), case.case_id, DecisionRequest(decisions=[HOME_CARE]))


class TestCaseFiles:
    def test_a_case_document_is_a_file_result_and_its_read_is_audited(self, deps):
        # GIVEN a decided case with its letter
        case = taken_in(deps)
        decisions.decide(deps, staff(), case.case_id, DecisionRequest(decisions=[HOME_CARE]))
        letter = deps.cases.get(case.case_id).documents[-1]
        # WHEN the case worker asks for it THEN a file (bytes or a link: the HTTP layer chooses)
        found = inbox.case_file(deps, staff(), case.case_id, letter.document_id)
        assert found == StoredFile(key=letter.key, filename=letter.filename, content_type="application/pdf")
        assert "case.document.read" in deps.audit.actions_on(case.owner)

    def test_a_protected_persons_documents_are_refused_to_other_case_workers(self, deps):
        pnr = new_pnr()
        deps.register.people[pnr] = RegisteredPerson(personnummer=pnr, first_name="Sam", last_name="Skyddad",
                                                     protected_identity=True)
        case = application(deps, pnr)
        intake.take_in(deps, staff("hl-own"), case.case_id, IntakeRequest(**INTAKE))
        # WHEN another case worker asks for the application's PDF THEN 403, and nothing was read
        with pytest.raises(Forbidden):
            inbox.case_file(deps, staff("hl-other"), case.case_id, "pdf-1")
        assert "case.document.read" not in deps.audit.actions_on(pnr)
        assert inbox.case_file(deps, staff("hl-own"), case.case_id, "pdf-1").key == f"cases/{pnr}/a.pdf"


class TestInbox:
    def test_a_status_filter_reads_only_that_status_and_pages_by_cursor(self, deps):
        # GIVEN three new applications and one taken in
        for hours in (1, 2, 3):
            application(deps, submitted_at=NOW - timedelta(hours=hours))
        taken_in(deps)
        # WHEN the new ones are listed two at a time
        first = inbox.list_inbox(deps, staff(), InboxQuery(status="new", limit=2))
        second = inbox.list_inbox(deps, staff(), InboxQuery(status="new", limit=2, cursor=first.next_cursor))
        # THEN the status partition is asked for, newest first, and the second page ends the list
        assert deps.casework.inbox.statuses_read == ["submitted", "submitted"]
        assert [r.status for r in first.items + second.items] == ["new"] * 3
        assert first.items[0].submitted_at > first.items[1].submitted_at > second.items[0].submitted_at
        assert second.next_cursor is None
        # AND each page's people are audited in one batch
        assert deps.audit.batches[-2:] == [2, 1]


class TestAudit:
    def test_a_days_records_spread_over_every_shard(self):
        pk = {AuditRepository.item(_record(f"id-{i}"))["pk"] for i in range(200)}
        assert pk == {f"AUDIT#2026-03-10#{s}" for s in range(SHARDS)}

    def test_a_list_read_writes_its_records_in_one_batch(self, deps):
        people = [new_pnr() for _ in range(30)]
        audit.trail(deps).read(staff(), "inbox.list", people, resource="inbox")
        assert deps.audit.batches == [30]
        assert len({r.request_id for r in deps.audit.records}) == 1

    def test_a_search_is_paged_with_an_opaque_cursor(self, deps):
        pnr = new_pnr()
        for _ in range(3):
            audit.trail(deps).read(staff(), "case.read", [pnr])
            deps.clock.now += timedelta(seconds=1)
        query = AuditQuery.model_validate({"person": pnr, "from": "2026-03-10", "to": "2026-03-10", "limit": 2})
        first = audit.search_records(deps, staff(role=Role.AUDITOR), query)
        rest = audit.search_records(deps, staff(role=Role.AUDITOR),
                                    query.model_copy(update={"cursor": first.next_cursor}))
        # THEN two, then what follows them: the third read and the first search's own record
        assert len(first.items) == 2 and first.next_cursor and rest.next_cursor is None
        reads = [r for r in first.items + rest.items if r.action == "case.read"]
        assert len({r.audit_id for r in reads}) == 3
        assert [r.action for r in rest.items] == ["case.read", "audit.search"]

    def test_a_csv_export_is_a_file(self, deps):
        query = AuditQuery.model_validate({"from": "2026-03-10", "to": "2026-03-10", "format": "csv"})
        found = audit.search_records(deps, staff(role=Role.AUDITOR), query)
        assert isinstance(found, FileResult) and found.content_type.startswith("text/csv")
        assert found.filename == "audit-2026-03-10-2026-03-10.csv"


def _record(audit_id: str) -> AuditRecord:
    return AuditRecord(audit_id=audit_id, at=NOW, actor="case_worker:x", actor_role="case_worker", action="case.read",
                       kind="read", purpose="p", request_id="r")


def _enable(deps: CaseworkDeps, pnr: str, first: str = "Test", last: str = "Testsson", enabled: bool = True):
    return messaging.set_settings(deps, staff(), MessagingSettingsRequest(citizen=pnr, first_name=first,
                                                                                last_name=last, enabled=enabled))


class TestMessaging:
    def test_settings_are_versioned_and_audited_and_tell_notify(self, deps):
        pnr = new_pnr()
        _enable(deps, pnr)
        _enable(deps, pnr, enabled=False)
        assert deps.casework.messaging.get(pnr).version == 2
        assert deps.audit.actions_on(pnr) == ["messaging.change", "messaging.change"]
        assert len(deps.events("contact_preferences.changed")) == 2

    def test_the_search_finds_by_the_start_of_a_first_name_or_surname_and_never_a_protected_person(self, deps):
        annika, sam = new_pnr(), new_pnr()
        deps.register.people[sam] = RegisteredPerson(personnummer=sam, first_name="Sam", last_name="Skyddad",
                                                     protected_identity=True)
        _enable(deps, annika, "Annika", "Berg")
        _enable(deps, sam, "Sam", "Skyddad")
        assert [c.citizen for c in messaging.search_citizens(deps, staff(), "ann")] == [annika]
        assert [c.citizen for c in messaging.search_citizens(deps, staff(), "berg")] == [annika]
        assert messaging.search_citizens(deps, staff(), "sam") == []
        assert "messaging.read" in deps.audit.actions_on(annika)

    def test_the_stored_item_carries_sorted_name_keys_only_while_on(self):
        on = MessagingSettings(citizen=new_pnr(), first_name="Åsa", last_name="Öberg", enabled=True,
                               changed_by="x", changed_at=NOW)
        keys = MessagingRepository(None).indexes(on)
        assert keys["gsi2sk"].startswith("öberg åsa#") and keys["gsi1sk"].startswith("åsa öberg#")
        assert MessagingRepository(None).indexes(on.model_copy(update={"enabled": False})) == {}


class TestMessages:
    def test_a_case_worker_writes_the_citizen_reads_and_the_thread_is_marked_read(self, deps):
        # GIVEN a citizen with messaging on
        pnr = new_pnr()
        _enable(deps, pnr)
        # WHEN a case worker writes and the citizen reads
        thread = messages.staff_new_thread(deps, staff("hl-1"), StaffNewMessage(
            citizen=pnr, subject="Hej", body="Välkommen", read_receipt=True))
        seen = messages.read_thread(deps, person(pnr), messages.person_sender(deps, person(pnr)),
                                    thread.thread_id)
        # THEN the citizen sees it, it is read, the case worker's view shows the receipt
        assert [m.body for m in seen.messages] == ["Välkommen"]
        mine = messages.read_thread(deps, staff("hl-1"), messages.staff_sender(staff("hl-1")),
                                    thread.thread_id)
        assert mine.messages[0].read_at == NOW and mine.unread == 0
        assert [e["to_party"] for e in deps.events("message.sent")] == ["citizen"]
        assert {"message.send", "message.read"} <= set(deps.audit.actions_on(pnr))

    def test_writing_to_a_citizen_without_messaging_stores_nothing(self, deps):
        pnr = new_pnr()
        with pytest.raises(Conflict):
            messages.staff_new_thread(deps, staff(), StaffNewMessage(citizen=pnr, subject="Hej", body="x"))
        assert deps.casework.threads.all() == [] and deps.publisher.published == []

    def test_messaging_switched_off_while_sending_refuses_the_message(self, deps):
        pnr = new_pnr()
        _enable(deps, pnr)
        thread = messages.staff_new_thread(deps, staff(), StaffNewMessage(citizen=pnr, subject="Hej", body="1"))
        stores = deps.casework
        real_require = stores.messaging.require_enabled

        def switched_off_meanwhile(uow, citizen):
            real_require(uow, citizen)
            off = stores.messaging.get(citizen)
            stores.messaging.replace_now(off.model_copy(update={"enabled": False}), expected_version=off.version)
        stores.messaging.require_enabled = switched_off_meanwhile
        with pytest.raises(Conflict):
            messages.reply(deps, staff(), messages.staff_sender(staff()), thread.thread_id,
                           Reply(body="2"))
        assert len(stores.messages.of_thread(thread.thread_id)) == 1

    def test_an_upload_is_attached_once_and_downloaded_by_a_redirect(self, deps):
        pnr = new_pnr()
        _enable(deps, pnr)
        sender = messages.staff_sender(staff())
        ticket = messages.start_upload(deps, staff(), sender, UploadRequest(filename="a.pdf",
                                                                                 content_type="application/pdf"))
        deps.documents.put(f"uploads/{ticket.upload_id}", b"%PDF-1.4", "application/pdf")
        thread = messages.staff_new_thread(deps, staff(), StaffNewMessage(
            citizen=pnr, subject="Bilaga", body="Se bilaga", attachments=[ticket.upload_id]))
        with pytest.raises(ValidationFailed) as used:
            messages.reply(deps, staff(), sender, thread.thread_id, Reply(body="igen",
                                                                               attachments=[ticket.upload_id]))
        assert used.value.errors[0].field == "attachments.0"
        m = thread.messages[0]
        found = messages.attachment(deps, staff(), sender, thread.thread_id, m.message_id, ticket.upload_id)
        assert isinstance(found, Redirect) and "messages/attachments/" in found.location

    def test_a_message_is_marked_as_entered_in_the_journal_once_by_its_case_worker(self, deps):
        # GIVEN a thread of hl-1's with a message
        pnr = new_pnr()
        _enable(deps, pnr)
        thread = messages.staff_new_thread(deps, staff("hl-1"), StaffNewMessage(citizen=pnr, subject="s", body="b"))
        m = thread.messages[0]
        # WHEN another case worker marks it THEN 404, as if there were no thread
        with pytest.raises(NotFound):
            messages.mark_journaled(deps, staff("hl-2"), thread.thread_id, m.message_id)
        # WHEN hl-1 marks it THEN it is journaled, audited; a second time is a conflict
        view = messages.mark_journaled(deps, staff("hl-1"), thread.thread_id, m.message_id)
        assert view.messages[0].journaled_at is not None
        assert "message.journal" in [r.action for r in deps.audit.records]
        with pytest.raises(Conflict):
            messages.mark_journaled(deps, staff("hl-1"), thread.thread_id, m.message_id)
        with pytest.raises(NotFound):
            messages.mark_journaled(deps, staff("hl-1"), thread.thread_id, "no-such")

    def test_someone_elses_thread_is_not_found(self, deps):
        pnr = new_pnr()
        _enable(deps, pnr)
        thread = messages.staff_new_thread(deps, staff("hl-1"), StaffNewMessage(citizen=pnr, subject="s",
                                                                                      body="b"))
        with pytest.raises(NotFound):
            messages.read_thread(deps, staff("hl-2"), messages.staff_sender(staff("hl-2")),
                                 thread.thread_id)
        other = new_pnr()
        with pytest.raises(NotFound):
            messages.read_thread(deps, person(other), messages.person_sender(deps, person(other)),
                                 thread.thread_id)

    def test_the_journal_export_is_a_pdf_file(self, deps):
        pnr = new_pnr()
        _enable(deps, pnr)
        thread = messages.staff_new_thread(deps, staff(), StaffNewMessage(citizen=pnr, subject="s", body="b"))
        found = messages.export_thread(deps, staff(), thread.thread_id)
        assert isinstance(found, StoredFile) and deps.documents.get(found.key).startswith(b"%PDF")
        assert "thread.export" in deps.audit.actions_on(pnr)


def _assignment(cp: str, client: str, **changes) -> AssignmentRequest:
    return AssignmentRequest(**{"kind": "kontaktperson", "contact_person": cp, "contact_person_first_name": "Kim",
                                "contact_person_last_name": "Kontakt", "client": client,
                                "client_first_name": "Kalle", "client_last_name": "Klient",
                                "sessions_per_month": 4, "monthly_fee_ore": 150000, "expense_allowance_ore": 50000,
                                "valid_from": date(2026, 1, 1).isoformat(), **changes})


class TestAssignments:
    def test_register_change_and_end_each_publish_the_terms(self, deps):
        cp, client = new_pnr(), new_pnr()
        a = assignments.register(deps, staff(), _assignment(cp, client))
        changed = assignments.change(deps, staff(), a.assignment_id,
                                     AssignmentChange(version=1, monthly_fee_ore=175000))
        ended = assignments.end(deps, staff(), a.assignment_id)
        assert (changed.version, ended.version, ended.valid_to) == (2, 3, TODAY)
        assert [e["monthly_fee_ore"] for e in deps.events("assignment.registered")] == [150000, 175000, 175000]
        assert deps.audit.actions_on(client).count("assignment.change") == 1

    def test_an_overlapping_assignment_and_a_stale_version_are_conflicts(self, deps):
        cp, client = new_pnr(), new_pnr()
        a = assignments.register(deps, staff(), _assignment(cp, client))
        with pytest.raises(Conflict):
            assignments.register(deps, staff(), _assignment(cp, client, valid_from="2026-02-01"))
        assignments.change(deps, staff(), a.assignment_id, AssignmentChange(version=1, sessions_per_month=2))
        with pytest.raises(Conflict):
            assignments.change(deps, staff(), a.assignment_id, AssignmentChange(version=1, sessions_per_month=3))
        assert deps.casework.assignments.get(a.assignment_id).sessions_per_month == 2


def _approval(citizen: str, relative: str, **changes) -> ApprovalRequest:
    return ApprovalRequest.model_validate({
        "citizen": {"personnummer": citizen, "first_name": "Cecilia", "last_name": "Citizen"},
        "relative": {"personnummer": relative, "first_name": "Rut", "last_name": "Relativ"},
        "valid_from": TODAY.isoformat(), "consent_recorded": True, **changes})


class TestRelativesApproval:
    def test_an_approval_lets_the_relative_act_and_ending_it_stops_that(self, deps):
        citizen, relative = new_pnr(), new_pnr()
        made = relatives.approve(deps, staff(), _approval(citizen, relative))
        assert made.active_today and deps.approvals.active_approval(citizen, relative, TODAY)
        relatives.end(deps, staff(), made.approval_id)
        assert deps.approvals.active_approval(citizen, relative, TODAY) is None
        assert [e["template"] for e in deps.events("notification.requested")] == ["relative.approved",
                                                                                  "relative.ended"]
        assert deps.audit.actions_on(citizen) == ["relative.create", "relative.end"]

    def test_an_overlapping_approval_is_a_conflict(self, deps):
        citizen, relative = new_pnr(), new_pnr()
        relatives.approve(deps, staff(), _approval(citizen, relative))
        with pytest.raises(Conflict):
            relatives.approve(deps, staff(), _approval(citizen, relative))
        assert len(deps.approvals.all()) == 1


class TestReportApproval:
    def _report(self, deps: CaseworkDeps, cp: str, first: str = "Kalle", last: str = "Klient") -> Case:
        return deps.cases.add_now(Case(
            case_id=f"r-{cp}", case_number="2026-000900", form_id="contact-monthly-report", title="Månadsrapport",
            category="Kontaktperson", owner=cp, submitted_by=cp, submitted_at=NOW,
            answers={"rapportering": {"year": 2026, "month": 2, "client_first_name": first,
                                      "client_last_name": last}}))

    def test_a_monthly_report_is_approved_once_against_the_reporters_assignment(self, deps):
        cp, client = new_pnr(), new_pnr()
        a = assignments.register(deps, staff(), _assignment(cp, client))
        report = self._report(deps, cp)
        approved = report_approval.approve(deps, staff(), report.case_id,
                                           ReportApprovalRequest(assignment_id=a.assignment_id))
        assert (approved.kind, approved.fee_ore, approved.year, approved.month) == ("monthly", 150000, 2026, 2)
        assert [e["case_id"] for e in deps.events("contact_report.approved")] == [report.case_id]
        with pytest.raises(Conflict):
            report_approval.approve(deps, staff(), report.case_id,
                                    ReportApprovalRequest(assignment_id=a.assignment_id))
        assert len(deps.events("contact_report.approved")) == 1

    def test_a_report_about_someone_else_than_the_assignments_client_is_refused_naming_both(self, deps):
        # GIVEN the reporter's assignment for Kalle Klient and a report naming "Någon Annan"
        cp = new_pnr()
        a = assignments.register(deps, staff(), _assignment(cp, new_pnr()))
        report = self._report(deps, cp, "Någon", "Annan")
        # WHEN a case worker approves it against that assignment
        with pytest.raises(ValidationFailed) as bad:
            report_approval.approve(deps, staff(), report.case_id, ReportApprovalRequest(assignment_id=a.assignment_id))
        # THEN 422 on assignment_id naming the report's fields and both names; nothing approved or paid
        (error,) = bad.value.errors
        assert error.field == "assignment_id"
        assert error.detail == ("the report is about Någon Annan (answers.rapportering.client_first_name, "
                                "answers.rapportering.client_last_name), but the assignment's client is Kalle Klient")
        assert deps.casework.report_approvals.all() == [] and deps.events("contact_report.approved") == []
        assert deps.cases.get(report.case_id).status == "submitted"

    def test_only_the_differing_name_is_named_and_a_protected_clients_name_is_not_shown(self, deps):
        cp, client = new_pnr(), new_pnr()
        deps.register.people[client] = RegisteredPerson(personnummer=client, first_name="Kalle Johan",
                                                        last_name="Klient", protected_identity=True)
        a = assignments.register(deps, staff(), _assignment(cp, client))
        report = self._report(deps, cp, "Kalle", "Annan")
        with pytest.raises(ValidationFailed) as bad:
            report_approval.approve(deps, staff(), report.case_id, ReportApprovalRequest(assignment_id=a.assignment_id))
        assert bad.value.errors[0].detail == ("the report is about Kalle Annan (answers.rapportering.client_last_name), "
                                              "but the assignment's client has protected identity (the name is not "
                                              "shown)")

    @pytest.mark.parametrize("first, last", [("kalle", "KLIENT"), ("  Johan ", "Klient "), ("Kalle  Johan", "klient")])
    def test_the_clients_name_matches_whatever_its_case_spacing_and_which_given_name(self, deps, first, last):
        cp = new_pnr()
        a = assignments.register(deps, staff(), _assignment(cp, new_pnr(), client_first_name="Kalle Johan"))
        report = self._report(deps, cp, first, last)
        approved = report_approval.approve(deps, staff(), report.case_id,
                                           ReportApprovalRequest(assignment_id=a.assignment_id))
        assert approved.assignment_id == a.assignment_id

    def test_an_approved_report_is_closed_with_its_history_the_event_and_a_notice_that_names_nothing(self, deps):
        # GIVEN a submitted report ("Ny" in the inbox, "Inskickad" on Mina sidor)
        cp = new_pnr()
        a = assignments.register(deps, staff(), _assignment(cp, new_pnr()))
        report = self._report(deps, cp)
        deps.publisher.published.clear()
        # WHEN it is approved
        report_approval.approve(deps, staff("hl-9"), report.case_id,
                                ReportApprovalRequest(assignment_id=a.assignment_id))
        # THEN the case is closed, through received, in its history
        case = deps.cases.get(report.case_id)
        assert case.status == "closed"
        assert [(h.status, h.by) for h in case.history] == [("received", "case_worker:hl-9"),
                                                            ("closed", "case_worker:hl-9")]
        # and the change is published and the reporter told, as for any status change, with no personal data
        assert [(e["case_id"], e["status"]) for e in deps.events("case.status_changed")] == [(report.case_id,
                                                                                              "closed")]
        (notice,) = deps.events("notification.requested")
        assert (notice["template"], notice["recipient"]["ref"], notice["params"]) == ("case.status_changed", cp, {})

    def test_a_report_sent_back_closes_with_its_reason_pays_nothing_and_happens_once(self, deps):
        from services.eservices.casework.models.report_approval import ReportReturnRequest

        # GIVEN a submitted report
        cp = new_pnr()
        a = assignments.register(deps, staff(), _assignment(cp, new_pnr()))
        report = self._report(deps, cp)
        deps.publisher.published.clear()
        # WHEN it is sent back with a reason (spaces and line breaks folded)
        report_approval.send_back(deps, staff("hl-9"), report.case_id,
                                  ReportReturnRequest(reason="Fel  månad.\nSkicka en ny."))
        # THEN it is closed with the reason, nothing is approved (paid), the reporter is told
        case = deps.cases.get(report.case_id)
        assert case.status == "closed" and case.returned.reason == "Fel månad. Skicka en ny."
        assert case.returned.by == "case_worker:hl-9"
        assert deps.casework.report_approvals.all() == [] and deps.events("contact_report.approved") == []
        assert [e["status"] for e in deps.events("case.status_changed")] == ["closed"]
        # AND neither a second sending back nor an approval is possible
        with pytest.raises(Conflict):
            report_approval.send_back(deps, staff(), report.case_id, ReportReturnRequest(reason="Igen"))
        with pytest.raises(Conflict):
            report_approval.approve(deps, staff(), report.case_id, ReportApprovalRequest(assignment_id=a.assignment_id))

    def test_a_report_is_not_sent_back_without_a_plain_reason(self, deps):
        from services.eservices.casework.models.report_approval import ReportReturnRequest

        report = self._report(deps, new_pnr())
        with pytest.raises(ValidationFailed) as bad:
            report_approval.send_back(deps, staff(), report.case_id, ReportReturnRequest(reason="a\u202eb  "))
        assert bad.value.errors[0].field == "reason"
        assert deps.cases.get(report.case_id).status != "closed"

    def test_someone_elses_assignment_is_a_bad_field(self, deps):
        a = assignments.register(deps, staff(), _assignment(new_pnr(), new_pnr()))
        report = self._report(deps, new_pnr())
        with pytest.raises(ValidationFailed) as bad:
            report_approval.approve(deps, staff(), report.case_id,
                                    ReportApprovalRequest(assignment_id=a.assignment_id))
        assert bad.value.errors[0].field == "assignment_id"
        assert deps.casework.report_approvals.all() == []
