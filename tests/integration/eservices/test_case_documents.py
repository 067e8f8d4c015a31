"""Mina sidor: a case's status history through the decision process, its documents, and how a
PDF reaches an API client (bytes) or a browser (a short-lived presigned address)."""
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

from services.eservices.bootstrap import deps
from services.eservices.domain.cases import Document, StatusChange
from services.eservices.adapters.table import eservices_table
from tests.integration.eservices.helpers import application_answers, fresh_citizen, submitted_case

PDF = {"Accept": "application/pdf"}


def test_a_browser_is_sent_to_a_short_lived_address_of_its_own_pdf(app_client, token):
    es = app_client("eservices")
    pnr, tok = fresh_citizen(token)
    _, stranger = fresh_citizen(token)
    receipt = submitted_case(es, tok, "support-application", application_answers(pnr))
    path = receipt["document_url"].removeprefix("/eservices")

    # WHEN a browser (no Accept for PDF) asks THEN it is redirected to a presigned address of the PDF
    r = es.get(path, token=tok, headers={"Accept": "text/html"})
    assert r.status == 303 and r.headers["cache-control"] == "private, no-store"
    assert "Signature=" in r.headers["location"] and f"cases/{receipt['case_id']}/" in r.headers["location"]
    with urllib.request.urlopen(r.headers["location"]) as fetched:
        assert fetched.read().startswith(b"%PDF")
    # AND someone else gets neither bytes nor an address
    assert es.get(path, token=stranger, headers={"Accept": "text/html"}).status == 404
    assert es.get(path, token=stranger, headers=PDF).status == 404


def test_an_unknown_document_of_ones_own_case_is_404(app_client, token):
    es = app_client("eservices")
    pnr, tok = fresh_citizen(token)
    receipt = submitted_case(es, tok, "support-application", application_answers(pnr))
    assert es.get(f"/cases/{receipt['case_id']}/documents/{uuid.uuid4()}", token=tok, headers=PDF).status == 404


def test_the_status_history_through_the_decision_with_its_letter(app_client, token):
    es = app_client("eservices")
    pnr, tok = fresh_citizen(token)
    receipt = submitted_case(es, tok, "support-application", application_answers(pnr))

    # GIVEN case work moved the case on and attached a decision letter (written directly here)
    case = deps().cases.get(receipt["case_id"])
    now = datetime.now(timezone.utc)
    letter = Document(document_id=str(uuid.uuid4()), kind="decision_letter", key=f"cases/{case.case_id}/beslut.pdf",
                      filename="beslut.pdf", created_at=now)
    deps().documents.put(letter.key, b"%PDF-1.4 beslut", "application/pdf")
    history = case.history + [StatusChange(status=s, at=now + timedelta(minutes=i), by="case_worker")
                              for i, s in enumerate(("received", "in_progress", "decided"), 1)]
    moved = case.model_copy(update={"status": "decided", "history": history, "documents": case.documents + [letter]})
    deps().cases.replace_now(moved, expected_version=case.version)

    # WHEN the citizen opens the case on Mina sidor
    detail = es.get(f"/my/cases/{case.case_id}", token=tok).json

    # THEN every step has its Swedish label, and the letter is there to download
    assert [h["label"] for h in detail["history"]] == ["Inskickad", "Mottagen", "Under utredning", "Beslutad"]
    assert detail["status_label"] == "Beslutad"
    assert es.get("/my/cases", token=tok).json[0]["status_label"] == "Beslutad"
    url = next(d["url"] for d in detail["documents"] if d["kind"] == "decision_letter")
    got = es.get(url.removeprefix("/eservices"), token=tok, headers=PDF)
    assert got.status == 200 and got.body == b"%PDF-1.4 beslut"


def test_a_decision_recorded_by_case_work_shows_on_mina_sidor(app_client, token):
    es = app_client("eservices")
    pnr, tok = fresh_citizen(token)
    receipt = submitted_case(es, tok, "support-application", application_answers(pnr))
    # GIVEN case work recorded a decision on the case (written directly, as case work stores it)
    item = eservices_table().get_item(Key={"pk": f"CASE#{receipt['case_id']}", "sk": "CASE"})["Item"]
    item["decisions"] = [{"decision_id": "d1", "insats": "hemtjanst", "insats_label": "Hemtjänst", "law": "SoL",
                          "outcome": "granted", "granted_minutes_per_month": 600, "valid_from": "2026-11-01",
                          "decided_at": "2026-10-20T10:00:00+00:00", "decided_by": "case_worker:hl-x"}]
    eservices_table().put_item(Item=item)
    # WHEN the citizen opens the case THEN the decision is there in Swedish, without the case worker's id
    detail = es.get(f"/my/cases/{receipt['case_id']}", token=tok)
    assert detail.status == 200, detail.json
    assert [(d["insats"], d["outcome_label"]) for d in detail.json["decisions"]] == [("Hemtjänst", "Beviljad")]
    assert "hl-x" not in detail.body.decode()
