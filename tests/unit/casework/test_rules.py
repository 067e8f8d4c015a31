"""Case-work rules as pure functions and models: no AWS."""
from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from services.domain.errors import Conflict, ValidationFailed
from services.domain.cursor import decode_cursor, encode_cursor
from services.eservices.domain.cases import Case, StatusChange
from services.eservices.casework.domain.assignments import Assignment
from services.eservices.casework.domain.audit import AuditRecord, local_day_bounds, to_csv
from services.eservices.casework.domain.catalog import INSATSER, law_of
from services.eservices.casework.letters import decision_letter_pdf, minutes_text, thread_pdf
from services.eservices.casework.domain.messaging import MessagingSettings
from services.eservices.casework.models.decisions import DecisionRequest, InsatsDecision
from services.eservices.casework.models.intake import IntakeRequest
from services.eservices.casework.models.messaging import MessagingSettingsRequest
from services.eservices.casework.models.relatives import ApprovalRequest
from services.eservices.domain.relatives import RelativeApproval
from tests.support.people import new_pnr

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def fields(exc: ValidationError) -> list[str]:
    return [".".join(str(p) for p in e["loc"]) for e in exc.errors()]


def case(status="submitted", **kw):
    pnr = new_pnr()
    return Case(case_id="c1", case_number="2026-000001", form_id="support-application", title="Ansökan om stöd",
                category="Trygghetslarm", owner=pnr, submitted_by=pnr, submitted_at=NOW, status=status,
                history=[StatusChange(status="submitted", at=NOW, by="citizen")], **kw)


class TestStatus:
    @pytest.mark.parametrize("start,to", [("submitted", "received"), ("received", "in_progress"),
                                          ("in_progress", "decided"), ("decided", "closed")])
    def test_each_allowed_step_is_kept_in_the_history(self, start, to):
        moved = case(start).moved_to(to, NOW, "case_worker:x")
        assert moved.status == to and moved.history[-1].status == to and moved.history[-1].by == "case_worker:x"

    @pytest.mark.parametrize("start,to", [("submitted", "in_progress"), ("submitted", "decided"),
                                          ("received", "decided"), ("decided", "in_progress"),
                                          ("closed", "received")])
    def test_a_skipped_or_backward_step_is_a_conflict(self, start, to):
        with pytest.raises(Conflict):
            case(start).moved_to(to, NOW, "x")

    def test_the_name_is_last_first_from_the_form_else_the_stored_name(self):
        assert case(answers={"om_dig": {"first_name": "Annika", "last_name": "Test"}}).applicant_name == "Test, Annika"
        assert case(owner_name="Annika Test").applicant_name == "Annika Test"


class TestCursor:
    def test_round_trip(self):
        assert decode_cursor(encode_cursor("inbox", "2026-03-01T09:00:00+00:00#1"), "inbox") == \
            "2026-03-01T09:00:00+00:00#1"

    @pytest.mark.parametrize("cursor", ["%%%", "bm90LWpzb24", encode_cursor("audit", "2026#1"),
                                        "eyJrIjoiaW5ib3giLCJwIjp7fX0"])  # {"k":"inbox","p":{}}
    def test_anything_else_is_a_bad_field(self, cursor):
        # GIVEN garbage, or a cursor of another list WHEN read as the inbox's THEN a bad field
        with pytest.raises(ValidationFailed) as bad:
            decode_cursor(cursor, "inbox")
        assert bad.value.errors[0].field == "query.cursor"


class TestIntakeRules:
    BASE = {"organisation": "Testenhet"}

    def test_begaran_lss_needs_insatser_and_only_it_takes_them(self):
        with pytest.raises(ValidationError) as no_insatser:
            IntakeRequest(intake_type="begaran_lss", **self.BASE)
        assert fields(no_insatser.value) == ["lss_insatser"]
        with pytest.raises(ValidationError) as sol_with_lss:
            IntakeRequest(intake_type="ansokan_sol", lss_insatser=["kontaktperson"], **self.BASE)
        assert fields(sol_with_lss.value) == ["lss_insatser"]
        ok = IntakeRequest(intake_type="begaran_lss", lss_insatser=["kontaktperson"], **self.BASE)
        assert ok.channel == "e_ansokan" and ok.from_whom == "den_enskilde"

    def test_organisation_is_required_and_unknown_fields_refused(self):
        with pytest.raises(ValidationError) as bad:
            IntakeRequest(intake_type="forenklad_handlaggning", extra=1)
        assert set(fields(bad.value)) == {"organisation", "extra"}


class TestDecisionRules:
    def test_granted_home_care_needs_minutes_and_nothing_else_has_them(self):
        with pytest.raises(ValidationError):
            InsatsDecision(insats="hemtjanst", outcome="granted", valid_from=date(2026, 1, 1))
        with pytest.raises(ValidationError):
            InsatsDecision(insats="hemtjanst", outcome="refused", granted_minutes_per_month=60,
                           valid_from=date(2026, 1, 1))
        with pytest.raises(ValidationError):
            InsatsDecision(insats="kontaktperson", outcome="granted", granted_minutes_per_month=60,
                           valid_from=date(2026, 1, 1))
        assert InsatsDecision(insats="hemtjanst", outcome="granted", granted_minutes_per_month=60,
                              valid_from=date(2026, 1, 1)).granted_minutes_per_month == 60

    def test_the_period_runs_forwards(self):
        with pytest.raises(ValidationError) as bad:
            InsatsDecision(insats="trygghetslarm", outcome="granted", valid_from=date(2026, 2, 1),
                           valid_to=date(2026, 1, 31))
        assert fields(bad.value) == ["valid_to"]
        same_day = InsatsDecision(insats="trygghetslarm", outcome="granted", valid_from=date(2026, 2, 1),
                                  valid_to=date(2026, 2, 1))
        assert same_day.valid_to == same_day.valid_from

    def test_one_decision_per_insats(self):
        one = {"insats": "trygghetslarm", "outcome": "granted", "valid_from": "2026-01-01"}
        with pytest.raises(ValidationError) as bad:
            DecisionRequest(decisions=[one, one])
        assert fields(bad.value) == ["decisions"]

    def test_every_insats_has_a_law_and_home_care_is_sol(self):
        assert law_of("hemtjanst") == "SoL" and law_of("kontaktperson") == "LSS"
        assert law_of("forsorjningsstod") == "FB"
        assert {law for law, _ in INSATSER.values()} == {"SoL", "LSS", "FB"}


class TestRelativeRules:
    def person(self, pnr):
        return {"personnummer": pnr, "first_name": "A", "last_name": "B"}

    def test_consent_must_be_recorded(self):
        with pytest.raises(ValidationError) as bad:
            ApprovalRequest(citizen=self.person(new_pnr()), relative=self.person(new_pnr()),
                            valid_from=date(2026, 1, 1), consent_recorded=False)
        assert fields(bad.value) == ["consent_recorded"]

    def approval(self, valid_from, valid_to=None, ended_at=None):
        return RelativeApproval(citizen=new_pnr(), citizen_first_name="A", citizen_last_name="B",
                                relative=new_pnr(), relative_first_name="C", relative_last_name="D",
                                valid_from=valid_from, valid_to=valid_to, created_by="t", created_at=NOW,
                                ended_at=ended_at)

    def test_in_force_only_inside_the_dates_and_until_ended(self):
        a = self.approval(date(2026, 1, 1), date(2026, 12, 31))
        assert not a.active_on(date(2025, 12, 31)) and a.active_on(date(2026, 1, 1))
        assert a.active_on(date(2026, 12, 31)) and not a.active_on(date(2027, 1, 1))
        ended = self.approval(date(2026, 1, 1), ended_at=datetime(2026, 3, 2, 8, tzinfo=timezone.utc))
        assert ended.active_on(date(2026, 3, 1)) and not ended.active_on(date(2026, 3, 2))

    def test_overlap(self):
        a = self.approval(date(2026, 1, 1), date(2026, 6, 30))
        assert a.overlaps(date(2026, 6, 30), None) and not a.overlaps(date(2026, 7, 1), None)
        assert self.approval(date(2026, 1, 1)).overlaps(date(2030, 1, 1), date(2030, 1, 2))
        assert not self.approval(date(2026, 1, 1), ended_at=NOW).overlaps(date(2026, 1, 1), None)


class TestAssignmentRules:
    def assignment(self, valid_from, valid_to=None):
        return Assignment(assignment_id="a", kind="kontaktperson", contact_person=new_pnr(),
                          contact_person_first_name="K", contact_person_last_name="K", client=new_pnr(),
                          client_first_name="C", client_last_name="C", sessions_per_month=4, monthly_fee_ore=1,
                          expense_allowance_ore=0, valid_from=valid_from, valid_to=valid_to, created_by="t",
                          created_at=NOW)

    def test_overlap_and_in_force(self):
        a = self.assignment(date(2026, 1, 1), date(2026, 1, 31))
        assert a.overlaps(self.assignment(date(2026, 1, 31))) and not a.overlaps(self.assignment(date(2026, 2, 1)))
        assert a.in_force_on(date(2026, 1, 31)) and not a.in_force_on(date(2026, 2, 1))


class TestMessagingSettings:
    def settings(self, **kw):
        base = {"citizen": new_pnr(), "first_name": "A", "last_name": "B", "enabled": True, "phone1": "0701",
                "phone2": "0702", "email": "a@b.se", "changed_by": "x", "changed_at": NOW}
        return MessagingSettings(**{**base, **kw})

    def alerts(self, **kw):
        """What notify is told of these settings (contact_preferences.changed, preferences=alerts)."""
        from services.adapters.dynamo import UnitOfWork
        from services.eservices.usecases.notifications import alerts_changed

        uow = UnitOfWork(table=type("T", (), {"name": "t"})(), source="test")
        alerts_changed(uow, self.settings(**kw))
        p = uow._envelopes[0].payload
        return {"email": p["email"] if p["email_on"] else None, "phone": p["phone"] if p["sms_on"] else None}

    def test_alerts_go_only_to_the_chosen_channels(self):
        assert self.alerts(sms_alert=True, sms_phone=2) == {"email": None, "phone": "0702"}
        assert self.alerts(email_alert=True) == {"email": "a@b.se", "phone": None}
        assert self.alerts(email_alert=True, sms_alert=True, sms_phone=1, enabled=False) == {
            "email": None, "phone": None}

    def test_an_sms_alert_needs_a_number_on_the_chosen_phone(self):
        with pytest.raises(ValidationError) as bad:
            MessagingSettingsRequest(citizen=new_pnr(), first_name="A", last_name="B", enabled=True, sms_alert=True,
                                     sms_phone=1, phone2="+46701234567")
        assert fields(bad.value) == ["sms_phone"]


class TestAuditExport:
    def test_csv_has_a_header_and_no_formula_cells(self):
        record = AuditRecord(audit_id="1", at=NOW, actor="case_worker:=HYPERLINK()", actor_role="case_worker",
                             action="case.read", kind="read", subject="195001010001", resource="case:1",
                             purpose="Handläggning av ärende", request_id="r")
        lines = to_csv([record]).splitlines()
        assert lines[0].startswith("at,actor,actor_role")
        assert "'case_worker:=HYPERLINK()" not in lines[1] and "case_worker:=HYPERLINK()" in lines[1]
        formula = record.model_copy(update={"actor": "=HYPERLINK()"})
        assert ",'=HYPERLINK()," in to_csv([formula]).splitlines()[1]

    @pytest.mark.parametrize("lead", ["\t", "\r"])
    def test_a_leading_tab_or_carriage_return_is_neutralised_too(self, lead):
        import csv
        import io

        record = AuditRecord(audit_id="1", at=NOW, actor=f"{lead}=cmd|' /C calc'!A0", actor_role="case_worker",
                             action="case.read", kind="read", purpose="p", request_id="r")
        [_, row] = list(csv.reader(io.StringIO(to_csv([record]))))
        assert row[1] == f"'{lead}=cmd|' /C calc'!A0"

    def test_days_are_stockholm_days_and_a_year_at_most(self):
        start, end = local_day_bounds(date(2026, 7, 1), date(2026, 7, 1))
        assert start.astimezone(timezone.utc) == datetime(2026, 6, 30, 22, tzinfo=timezone.utc)
        assert end - start == timedelta(days=1)
        with pytest.raises(ValidationFailed):
            local_day_bounds(date(2025, 1, 1), date(2026, 1, 2))  # 367 days
        assert local_day_bounds(date(2025, 1, 1), date(2026, 1, 1))  # 366 days


class TestLetters:
    def test_minutes_read_as_hours(self):
        assert minutes_text(1200) == "20 timmar per månad"
        assert minutes_text(90) == "1 timme 30 minuter per månad"
        assert minutes_text(60) == "1 timme per månad"
        assert minutes_text(121) == "2 timmar 1 minut per månad"
        assert minutes_text(30) == "30 minuter per månad"

    def test_the_pdfs_render_swedish_text(self):
        from services.eservices.domain.cases import Decision

        d = Decision(decision_id="d", insats="hemtjanst", insats_label="Hemtjänst insatser", law="SoL",
                     outcome="granted", granted_minutes_per_month=600, valid_from=date(2026, 1, 1), decided_at=NOW,
                     decided_by="Marita Aronsson", motivation="Behov av hjälp – städning")
        pdf = decision_letter_pdf(case_number="2026-000001", client=new_pnr(), client_name="Åsa Öberg",
                                  decided_at=NOW, decided_by="Marita Aronsson", decisions=[d], letter_text="")
        assert pdf.startswith(b"%PDF")
        assert thread_pdf(subject="Ärende", citizen=new_pnr(), citizen_name="Åsa", case_worker_name="M",
                          case_number=None, messages=[], exported_at=NOW, exported_by="M").startswith(b"%PDF")


class TestLawsInForce:
    @pytest.mark.parametrize("law,day,sfs", [
        ("SoL", date(2025, 6, 30), "2001:453"), ("SoL", date(2025, 7, 1), "2025:400"),
        ("FB", date(2025, 6, 30), "2001:453"), ("FB", date(2027, 1, 1), "2025:400"),
        ("LSS", date(2025, 6, 30), "1993:387"), ("LSS", date(2025, 7, 1), "1993:387"),
    ])
    def test_each_law_is_the_version_in_force_that_day(self, law, day, sfs):
        from services.eservices.casework.domain.laws import statute_in_force

        assert statute_in_force(law, day).sfs == sfs

    def test_the_table_has_no_gap_and_no_overlap_per_act(self):
        from services.eservices.casework.domain.laws import STATUTES

        for act in {s.act for s in STATUTES}:
            periods = sorted((s.valid_from, s.valid_to) for s in STATUTES if s.act == act)
            assert periods[-1][1] is None, act  # one version is in force from now on
            for (_, ends), (begins, _) in zip(periods, periods[1:]):
                assert ends is not None and begins == ends + timedelta(days=1), act

    def test_a_decision_stored_before_the_law_was_kept_cites_the_law_of_its_date(self):
        from services.eservices.casework.domain.laws import decision_citation

        old = {"law": "FB", "decided_at": "2025-05-02T10:00:00+00:00"}
        new = {"law": "FB", "decided_at": "2026-05-02T10:00:00+00:00"}
        assert decision_citation(old) == "socialtjänstlagen (2001:453) 4 kap. 1 § (försörjningsstöd)"
        assert decision_citation(new) == "socialtjänstlagen (2025:400) (försörjningsstöd)"


def test_an_intake_stored_without_labels_reads_them_from_the_catalogue():
    from services.eservices.domain.cases import Intake

    stored = {"intake_type": "ansokan_sol", "intake_type_label": "Ansökan SoL", "case_worker_id": "hl-1",
              "case_worker_name": "M", "organisation": "T", "from_whom": "den_enskilde", "channel": "e_ansokan",
              "at": "2026-03-10T09:00:00+00:00", "by": "case_worker:hl-1"}
    intake = Intake.model_validate(stored)
    assert (intake.from_whom_label, intake.channel_label) == ("Den enskilde", "E-ansökan")
