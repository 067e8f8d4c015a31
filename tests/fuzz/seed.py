"""Real resources for the fuzzer to aim at: without them every path id is random and the
fuzzer only ever meets a 404. Each role gets ids of things it may touch: its own draft and
case, a case for the case worker, a visit for the provider's staff, the forms, the demo tags.

The requests here are ordinary client calls over HTTP; anything that fails leaves that id out
(the operation is then fuzzed with random ids only) and is reported, never hidden.
"""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from tests.support.local_stack import call as http_call

CONTACT_PERSON = "197511023827"
MARITA, TAG = "194103142388", "TAG-DEMO-MARITA"


def call(base: str, method: str, path: str, token: str | None, body: Any = None,
         headers: dict | None = None) -> tuple[int, Any]:
    return http_call(base, method, path, body, token, headers)


def seed(base: str, token: Callable[[str], str | None], notes: list[str]) -> dict[str, dict[str, str]]:
    """Path parameters by role."""
    ids: dict[str, dict[str, str]] = {}
    status, forms = call(base, "GET", "/eservices/forms", None)
    form_ids = [f["id"] for f in forms] if status == 200 else []
    anyone = {"form_id": form_ids[0]} if form_ids else {}
    ids["anonymous"] = dict(anyone)

    def note(what: str, status: int, body: Any) -> None:
        notes.append(f"seeding {what}: {status} {str(body)[:200]}")

    # A contact person's submitted monthly report: their case, and a case for the case worker.
    kari = token("contact_person")
    ids["contact_person"] = dict(anyone)
    status, draft = call(base, "POST", "/eservices/drafts", kari, {"form_id": "contact-monthly-report"})
    if status == 201:
        answers = {
            "rapportering": {"client_first_name": "Marita", "client_last_name": "Test", "year": 2026, "month": 10,
                             "performed_all": "ja_alla", "activities": "Promenad"},
            "om_dig": {"personnummer": CONTACT_PERSON, "first_name": "Kari", "last_name": "Kontakt",
                       "email": "kari.kontakt@example.se", "mobile": "+46701112233", "notify_email": True,
                       "notify_sms": False, "confirm": True},
        }
        status, saved = call(base, "PATCH", f"/eservices/drafts/{draft['draft_id']}", kari,
                             {"answers": answers, "version": draft["version"]})
        call(base, "POST", f"/eservices/drafts/{draft['draft_id']}/signature", kari)
        status, receipt = call(base, "POST", f"/eservices/drafts/{draft['draft_id']}/submit", kari,
                               headers={"Idempotency-Key": str(uuid.uuid4())})
        if status == 201:
            ids["contact_person"]["case_id"] = receipt["case_id"]
            ids["case_worker"] = {"case_id": receipt["case_id"]}
        else:
            note("a submitted monthly report", status, receipt)
    else:
        note("a contact person's draft", status, draft)
    status, draft = call(base, "POST", "/eservices/drafts", kari, {"form_id": "contact-time-report"})
    if status == 201:
        ids["contact_person"]["draft_id"] = draft["draft_id"]
    else:
        note("a contact person's open draft", status, draft)

    for role in ("citizen", "relative"):
        ids[role] = dict(anyone)
        status, draft = call(base, "POST", "/eservices/drafts", token(role), {"form_id": "support-application"})
        if status == 201:
            ids[role]["draft_id"] = draft["draft_id"]
        elif role == "citizen":
            note("a citizen's draft", status, draft)

    # A visit of the demo provider, registered by the staff app's events through the queue.
    staff = token("provider_staff")
    ids["provider_staff"] = {"device_id": TAG}
    start = datetime.now(timezone.utc).replace(hour=6, minute=0, second=0, microsecond=0) - timedelta(days=1)
    events = [{"event_id": str(uuid.uuid4()), "type": kind, "staff_id": "staff-anna", "provider_id": "prov-omsorg",
               "client": MARITA, "device_time": (start + timedelta(minutes=m)).isoformat(),
               "receipt": {"method": "nfc", "device_id": TAG}, **extra}
              for kind, m, extra in (("arrival", 0, {}), ("insats", 2, {"insats": "morgonhjalp"}),
                                     ("departure", 35, {}))]
    status, body = call(base, "POST", "/visits/visit-events", staff, {"events": events})
    if status == 202:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status, visits = call(base, "GET", f"/visits/visits?month={start:%Y-%m}&client={MARITA}", staff)
            if status == 200 and visits:
                ids["provider_staff"]["visit_id"] = visits[0]["visit_id"]
                ids["case_worker"] = {**ids.get("case_worker", {}), "visit_id": visits[0]["visit_id"]}
                break
            time.sleep(0.3)
        else:
            note("a visit", status, visits)
    else:
        note("visit events", status, body)
    return ids
