"""Shared steps for the e-services tests."""
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


def submitted_case(es, tok, form_id, answers, key="k"):
    draft = es.post("/drafts", {"form_id": form_id, "answers": answers}, token=tok)
    assert draft.status == 201, draft.json
    did = draft.json["draft_id"]
    signed = es.post(f"/drafts/{did}/signature", token=tok)
    assert signed.status == 201, signed.json
    receipt = es.post(f"/drafts/{did}/submit", token=tok, headers={"Idempotency-Key": key})
    assert receipt.status == 201, receipt.json
    return receipt.json


def fresh_contact_person(token):
    pnr = new_pnr()
    return pnr, token("contact_person", personnummer=pnr)


def fresh_citizen(token):
    pnr = new_pnr()
    return pnr, token("citizen", personnummer=pnr)
