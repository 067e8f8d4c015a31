"""Shared steps for the e-services tests."""
import uuid
from datetime import date, datetime, timezone

from tests.support.people import new_pnr

ANNIKA = "196004042047"     # citizen in infra/fixtures/people.json
JOSEFINE = "198608261965"   # her relative
SAM = "199012241585"        # protected identity
KARI = "197511023827"       # contact person


def monthly_answers(pnr, **overrides):
    report = {"client_first_name": "Kim", "client_last_name": "Klient", "year": 2026, "month": 10,
              "performed_all": "ja_alla", "activities": "Bio och fika"}
    me = {"personnummer": pnr, "first_name": "Kari", "last_name": "Kontakt", "email": "kari@example.se",
          "mobile": "+46701234567", "notify_email": True, "notify_sms": False, "confirm": True}
    report.update(overrides.get("rapportering", {}))
    me.update(overrides.get("om_dig", {}))
    return {"rapportering": report, "om_dig": me}


def application_answers(pnr, **ansokan):
    step = {"area": "sol_aldre", "sol_insats": "hemtjanst", "need": "Jag behöver hjälp med städning"}
    step.update(ansokan)
    return {"ansokan": {k: v for k, v in step.items() if v is not None},
            "om_dig": {"personnummer": pnr, "first_name": "Test", "last_name": "Testsson", "confirm": True}}


def submitted_case(es, tok, form_id, answers, key=None):
    """Drafted, signed and submitted; the receipt. The Idempotency-Key is a new one unless a test
    names one (to replay it)."""
    key = key or f"test-{uuid.uuid4()}"
    draft = es.post("/drafts", {"form_id": form_id, "answers": answers}, token=tok)
    assert draft.status == 201, draft.json
    did = draft.json["draft_id"]
    signed = es.post(f"/drafts/{did}/signature", token=tok)
    assert signed.status == 201, signed.json
    receipt = es.post(f"/drafts/{did}/submit", token=tok, headers={"Idempotency-Key": key})
    assert receipt.status == 201, receipt.json
    return receipt.json


def give_assignment(contact_person, client=None, valid_from=date(2020, 1, 1), valid_to=None):
    """Case work's register holds an assignment of ``contact_person`` as contact person (written
    directly, as case work stores it): what makes a person a contact person in Insats."""
    from services.eservices.bootstrap import deps
    from services.eservices.casework.domain.assignments import Assignment

    a = Assignment(assignment_id=str(uuid.uuid4()), kind="kontaktperson", contact_person=contact_person,
                   contact_person_first_name="Kari", contact_person_last_name="Kontakt", client=client or new_pnr(),
                   client_first_name="Kim", client_last_name="Klient", sessions_per_month=4, monthly_fee_ore=150000,
                   expense_allowance_ore=40000, valid_from=valid_from, valid_to=valid_to, created_by="test",
                   created_at=datetime.now(timezone.utc))
    uow = deps().unit_of_work()
    deps().casework.assignments.add(uow, a)
    uow.commit()
    return a


def fresh_contact_person(token, role="contact_person"):
    """A new person with an assignment as contact person, and a token of theirs (by default of the
    old role ``contact_person``; what counts is the assignment)."""
    pnr = new_pnr()
    give_assignment(pnr)
    return pnr, token(role, personnummer=pnr)


def fresh_citizen(token):
    pnr = new_pnr()
    return pnr, token("citizen", personnummer=pnr)
