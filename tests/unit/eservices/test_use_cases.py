"""The citizen's use cases over in-memory repositories: draft → preview → sign → submit →
receipt, drafts (merge, clear, conflict), relatives acting for a citizen, Mina sidor and the
draft retention sweep. No moto: each test runs in milliseconds."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

import pytest

from services.auth.principal import Role
from services.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.eservices.usecases import mypages, retention, submissions
from services.eservices.domain.people import Profile
from services.eservices.domain.relatives import RelativeApproval
from services.eservices.schemas import UpdateProfile
from tests.integration.eservices.helpers import application_answers, monthly_answers
from tests.support.fakes.eservices import acting_as, eservices_deps, person
from tests.support.people import new_pnr

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def deps():
    return eservices_deps(NOW)


def submitted(deps, pnr, form_id="support-application", answers=None, key="k1", role=Role.CITIZEN):
    me = acting_as(deps, pnr, role)
    view = submissions.start_draft(deps, me, form_id, answers or application_answers(pnr))
    submissions.sign_draft(deps, me, view.draft_id)
    return view, submissions.submit_draft(deps, me, view.draft_id, key)


# -- submit -----------------------------------------------------------------------------

def test_a_signed_draft_becomes_one_case_with_its_pdf_and_events(deps):
    pnr = new_pnr()
    me, key = acting_as(deps, pnr), "once"
    # GIVEN a complete draft, previewed and signed
    view = submissions.start_draft(deps, me, "support-application", application_answers(pnr))
    assert view.missing == []
    preview = submissions.preview_draft(deps, me, view.draft_id)
    assert preview.ready_to_sign and not preview.signed
    assert submissions.sign_draft(deps, me, view.draft_id).status == "complete"
    # WHEN it is submitted
    receipt = submissions.submit_draft(deps, me, view.draft_id, key)
    # THEN one case exists with a readable number, its PDF is stored, the draft is closed,
    # and the submission was told once
    case = deps.cases.get(receipt.case_id)
    assert receipt.case_number == f"{NOW.year}-000001" and case.owner == pnr
    pdf = next(d for d in case.documents if d.kind == "submission_pdf")
    assert deps.documents.get(pdf.key).startswith(b"%PDF")
    assert deps.drafts.get(pnr, view.draft_id).status == "submitted"
    assert len(deps.publisher.of_type("submission.received")) == 1


def test_a_replayed_submit_answers_the_same_receipt_and_stores_nothing_new(deps):
    pnr = new_pnr()
    view, first = submitted(deps, pnr, key="same")
    again = submissions.submit_draft(deps, acting_as(deps, pnr), view.draft_id, "same")
    assert again.case_id == first.case_id
    assert len(deps.cases.all()) == 1 and len(deps.publisher.of_type("submission.received")) == 1


def test_an_unsigned_draft_is_refused_and_nothing_is_stored(deps):
    pnr = new_pnr()
    me, key = acting_as(deps, pnr), "k"
    view = submissions.start_draft(deps, me, "support-application", application_answers(pnr))
    with pytest.raises(Conflict, match="Skriv under"):
        submissions.submit_draft(deps, me, view.draft_id, key)
    assert deps.cases.all() == [] and deps.documents.objects == {}


def test_a_submit_without_an_idempotency_key_names_the_header(deps):
    pnr = new_pnr()
    view = submissions.start_draft(deps, acting_as(deps, pnr), "support-application", application_answers(pnr))
    with pytest.raises(ValidationFailed) as refused:
        submissions.submit_draft(deps, acting_as(deps, pnr), view.draft_id, None)
    assert refused.value.errors[0].field == "Idempotency-Key"


def test_an_idempotency_key_used_for_another_draft_is_refused(deps):
    pnr = new_pnr()
    submitted(deps, pnr, key="shared")
    me, key = acting_as(deps, pnr), "shared"
    other = submissions.start_draft(deps, me, "support-application", application_answers(pnr))
    submissions.sign_draft(deps, me, other.draft_id)
    with pytest.raises(Conflict, match="redan använts"):
        submissions.submit_draft(deps, me, other.draft_id, key)
    assert len(deps.cases.all()) == 1


def test_a_submit_that_loses_the_race_removes_its_pdf_and_answers_the_winner(deps):
    pnr = new_pnr()
    me, key = acting_as(deps, pnr), "loser"
    view = submissions.start_draft(deps, me, "support-application", application_answers(pnr))
    submissions.sign_draft(deps, me, view.draft_id)
    won = []
    base_uow = deps.unit_of_work

    class RivalFirst:
        def __init__(self):
            self.uow = base_uow()

        def __getattr__(self, name):
            return getattr(self.uow, name)

        def commit(self, *args, **kwargs):
            won.append(submissions.submit_draft(deps, acting_as(deps, pnr), view.draft_id, "winner"))
            return self.uow.commit(*args, **kwargs)

    racing = dataclasses.replace(deps, unit_of_work=RivalFirst)
    receipt = submissions.submit_draft(racing, me, view.draft_id, key)
    assert receipt.case_id == won[0].case_id
    assert list(deps.documents.objects) == [f"cases/{receipt.case_id}/submission.pdf"]


def with_assignment(deps, contact_person):
    """``deps`` with case work's repositories in memory, holding an assignment of ``contact_person``."""
    from services.eservices.casework.domain.assignments import Assignment
    from tests.support.fakes.casework import fake_stores

    deps = dataclasses.replace(deps, casework=fake_stores(deps.cases))
    deps.casework.assignments.put_now(Assignment(
        assignment_id="a1", kind="kontaktperson", contact_person=contact_person, contact_person_first_name="Kari",
        contact_person_last_name="Kontakt", client=new_pnr(), client_first_name="Kim", client_last_name="Klient",
        sessions_per_month=4, monthly_fee_ore=150000, expense_allowance_ore=40000, valid_from=date(2026, 1, 1),
        created_by="test", created_at=NOW))
    return deps


def test_a_contact_person_report_keeps_their_contact_choices_and_tells_notify(deps):
    pnr = new_pnr()
    deps = with_assignment(deps, pnr)
    submitted(deps, pnr, "contact-monthly-report", monthly_answers(pnr))
    assert deps.profiles.get(pnr).email == "kari@example.se"
    assert len(deps.publisher.of_type("contact_preferences.changed")) == 1


# -- drafts -----------------------------------------------------------------------------

def test_a_save_merges_field_by_field_and_an_empty_value_clears(deps):
    pnr = new_pnr()
    me = acting_as(deps, pnr)
    view = submissions.start_draft(deps, me, "support-application", application_answers(pnr))
    # WHEN one field of a step is sent, and another sent empty
    saved = submissions.save_draft(deps, me, view.draft_id, {"ansokan": {"need": "Mat", "sol_insats": None}},
                                   view.version)
    # THEN the field sent changed, the one sent empty is gone, and the others are kept
    assert saved.answers["ansokan"]["need"] == "Mat"
    assert "sol_insats" not in saved.answers["ansokan"]
    assert saved.answers["ansokan"]["area"] == "sol_aldre"
    assert saved.version == view.version + 1


def test_a_save_at_a_stale_version_conflicts_in_swedish_and_keeps_the_newer(deps):
    pnr = new_pnr()
    me = acting_as(deps, pnr)
    view = submissions.start_draft(deps, me, "support-application", application_answers(pnr))
    submissions.save_draft(deps, me, view.draft_id, {"ansokan": {"need": "Först"}}, view.version)
    with pytest.raises(Conflict, match="ändrats någon annanstans"):
        submissions.save_draft(deps, me, view.draft_id, {"ansokan": {"need": "Sen"}}, view.version)
    assert deps.drafts.get(pnr, view.draft_id).answers["ansokan"]["need"] == "Först"


def test_a_change_voids_the_signature(deps):
    pnr = new_pnr()
    me = acting_as(deps, pnr)
    view = submissions.start_draft(deps, me, "support-application", application_answers(pnr))
    submissions.sign_draft(deps, me, view.draft_id)
    signed = submissions.get_draft(deps, me, view.draft_id)
    assert signed.signed
    changed = submissions.save_draft(deps, me, view.draft_id, {"ansokan": {"need": "Annat"}}, signed.version)
    assert not changed.signed


def test_a_discarded_draft_is_gone_and_someone_elses_draft_is_not_found(deps):
    pnr = new_pnr()
    view = submissions.start_draft(deps, acting_as(deps, pnr), "support-application", {})
    with pytest.raises(NotFound, match="Utkastet finns inte"):
        submissions.get_draft(deps, acting_as(deps, new_pnr()), view.draft_id)
    submissions.discard_draft(deps, acting_as(deps, pnr), view.draft_id)
    assert submissions.list_drafts(deps, acting_as(deps, pnr)) == []


def test_a_draft_is_prefilled_from_the_profile(deps):
    pnr = new_pnr()
    deps = with_assignment(deps, pnr)
    deps.profiles.put(pnr, Profile(email="me@example.se", notify_email=True))
    view = submissions.start_draft(deps, acting_as(deps, pnr), "contact-monthly-report", {})
    assert view.answers["om_dig"]["email"] == "me@example.se"


# -- relatives --------------------------------------------------------------------------

def approval(citizen, relative, valid_from=date(2026, 11, 1), valid_to=None):
    return RelativeApproval(citizen=citizen, citizen_first_name="C", citizen_last_name="C", relative=relative,
                            relative_first_name="R", relative_last_name="R", valid_from=valid_from,
                            valid_to=valid_to, created_by="test", created_at=NOW)


def test_a_relative_with_an_approval_in_force_reads_the_citizens_cases_and_is_audited(deps):
    citizen, relative = new_pnr(), new_pnr()
    _, receipt = submitted(deps, citizen)
    deps.approvals.put(approval(citizen, relative))
    cases = mypages.my_cases(deps, acting_as(deps, relative, Role.RELATIVE, acting_for=citizen))
    assert [c.case_id for c in cases] == [receipt.case_id]
    assert any(r.kind == "read" and r.subject == citizen and r.acting_for == citizen for r in deps.audit.store.records)


def test_a_relative_without_an_approval_today_is_refused(deps):
    citizen, relative = new_pnr(), new_pnr()
    deps.approvals.put(approval(citizen, relative, valid_to=date(2026, 11, 20)))  # ended before today
    with pytest.raises(Forbidden, match="godkännande"):
        mypages.my_cases(deps, acting_as(deps, relative, Role.RELATIVE, acting_for=citizen))


def test_a_relative_cannot_apply_for_the_citizen(deps):
    citizen, relative = new_pnr(), new_pnr()
    deps.approvals.put(approval(citizen, relative))
    relative_for_citizen = acting_as(deps, relative, Role.RELATIVE, acting_for=citizen)
    with pytest.raises(Forbidden):
        submissions.start_draft(deps, relative_for_citizen, "support-application", {})


def test_one_own_reads_leave_no_audit_record(deps):
    pnr = new_pnr()
    submitted(deps, pnr)
    mypages.my_cases(deps, acting_as(deps, pnr))
    assert not any(r.kind == "read" for r in deps.audit.store.records)


# -- Mina sidor -------------------------------------------------------------------------

def test_mina_sidor_shows_the_case_with_its_history_and_pdf(deps):
    pnr = new_pnr()
    _, receipt = submitted(deps, pnr)
    detail = mypages.my_case(deps, acting_as(deps, pnr), receipt.case_id)
    assert detail.status_label == "Inskickad" and [h.label for h in detail.history] == ["Inskickad"]
    assert [d.kind for d in detail.documents] == ["submission_pdf"]
    with pytest.raises(NotFound, match="Ärendet finns inte"):
        mypages.my_case(deps, acting_as(deps, new_pnr()), receipt.case_id)


def test_the_profile_update_is_kept_and_told_to_notify(deps):
    pnr = new_pnr()
    view = mypages.update_profile(deps, person(pnr), UpdateProfile(mobile="+46705550101", notify_sms=True))
    assert view.mobile == "+46705550101" and deps.profiles.get(pnr).notify_sms is True
    assert len(deps.publisher.of_type("contact_preferences.changed")) == 1


def test_a_profile_asking_for_sms_without_a_number_names_the_field(deps):
    with pytest.raises(ValidationFailed) as refused:
        mypages.update_profile(deps, person(new_pnr()), UpdateProfile(notify_sms=True))
    assert refused.value.errors[0].field == "mobile"


# -- retention --------------------------------------------------------------------------

def test_the_sweep_reminds_once_then_deletes_after_expiry(deps):
    pnr = new_pnr()
    view = submissions.start_draft(deps, acting_as(deps, pnr), "support-application", {})
    # GIVEN two days before expiry WHEN the sweep runs twice THEN one reminder, same version
    deps.clock.now = view.expires_at - timedelta(days=2)
    assert retention.sweep(deps) == {"deleted": 0, "reminded": 1}
    assert retention.sweep(deps) == {"deleted": 0, "reminded": 0}
    assert deps.drafts.get(pnr, view.draft_id).version == view.version
    assert len(deps.publisher.of_type("notification.requested")) == 1
    # WHEN it runs after the expiry THEN the draft is gone
    deps.clock.now = view.expires_at + timedelta(minutes=1)
    assert retention.sweep(deps) == {"deleted": 1, "reminded": 0}
    assert deps.drafts.find(pnr, view.draft_id) is None


def test_the_sweep_leaves_submitted_and_fresh_drafts(deps):
    pnr = new_pnr()
    view, _ = submitted(deps, pnr)
    fresh = submissions.start_draft(deps, acting_as(deps, pnr), "support-application", {})
    deps.clock.now = fresh.created_at + timedelta(days=1)
    assert retention.sweep(deps) == {"deleted": 0, "reminded": 0}
    deps.clock.now = view.expires_at + timedelta(days=1)
    retention.sweep(deps)
    assert deps.drafts.get(pnr, view.draft_id).status == "submitted"


def test_a_document_of_ones_own_case_is_handed_back_as_a_file_and_anothers_is_not_found(deps):
    pnr = new_pnr()
    _, receipt = submitted(deps, pnr)
    document_id = receipt.document_url.rsplit("/", 1)[1]
    file = mypages.document(deps, acting_as(deps, pnr), receipt.case_id, document_id)
    assert file.key == f"cases/{receipt.case_id}/submission.pdf" and file.filename == f"{receipt.case_number}.pdf"
    with pytest.raises(NotFound):
        mypages.document(deps, acting_as(deps, new_pnr()), receipt.case_id, document_id)
    with pytest.raises(NotFound, match="Dokumentet finns inte"):
        mypages.document(deps, acting_as(deps, pnr), receipt.case_id, "nope")


# -- contact repair ---------------------------------------------------------------------

def test_the_contact_repair_normalises_drops_and_is_idempotent():
    from services.eservices.usecases.contact_repair import repair_contacts
    from tests.support.fakes.common import FakeUnitOfWork, RecordingPublisher
    from tests.support.fakes.eservices import FakeContacts

    good, bad = new_pnr(), new_pnr()
    contacts = FakeContacts(
        {"pk": f"PERSON#{good}", "sk": "PROFILE", "mobile": "070-765 43 21", "notify_sms": True,
         "notify_email": False, "updated_at": "2026-01-01T00:00:00+00:00"},
        {"pk": f"PERSON#{bad}", "sk": "PROFILE", "mobile": "08-123 456 78", "notify_sms": True,
         "notify_email": False, "updated_at": "2026-01-01T00:00:00+00:00"})
    published = RecordingPublisher()
    first = repair_contacts(contacts, lambda: FakeUnitOfWork(published))
    assert (first.repaired, first.dropped) == (2, 1)
    assert contacts.items[(f"PERSON#{good}", "PROFILE")]["mobile"] == "+46707654321"
    dropped = contacts.items[(f"PERSON#{bad}", "PROFILE")]
    assert dropped["mobile"] is None and dropped["notify_sms"] is False
    assert len(published.of_type("contact_preferences.changed")) == 2
    again = repair_contacts(contacts, lambda: FakeUnitOfWork(published))
    assert (again.repaired, again.unchanged) == (0, 2)
