"""The audit trail (loggning av åtkomst): every read or change of personal data by staff leaves an
append-only record of who, when, what, whose and why.

Records are written with a conditional put (``attribute_not_exists``), changes in the same
transaction as the change itself; there is no update or delete of a record anywhere. The
personnummer of whom the record is about is kept in the record (auditors search by it) but
never written to a log line. Auditors search by person, actor or dates and export CSV or JSON.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from ....domain.calendar import STOCKHOLM
from ....domain.errors import ValidationFailed

Kind = Literal["read", "change"]

# Why staff touched personal data, by what they did: the purpose kept with each record.
PURPOSES: dict[str, str] = {
    "inbox.list": "Fördelning av inkomna e-ansökningar",
    "case.read": "Handläggning av ärende",
    "case.document.read": "Handläggning av ärende",
    "intake.create": "Aktualisering av ärende",
    "decision.create": "Beslut i ärende",
    "assignment.create": "Uppdrag som kontaktperson/kontaktfamilj",
    "assignment.read": "Uppdrag som kontaktperson/kontaktfamilj",
    "assignment.change": "Uppdrag som kontaktperson/kontaktfamilj",
    "assignment.end": "Uppdrag som kontaktperson/kontaktfamilj",
    "relative.create": "Godkännande av närstående efter samtycke",
    "relative.read": "Godkännande av närstående efter samtycke",
    "relative.change": "Godkännande av närstående efter samtycke",
    "relative.end": "Godkännande av närstående efter samtycke",
    "messaging.change": "Aktivering av meddelandefunktion",
    "messaging.read": "Aktivering av meddelandefunktion",
    "message.send": "Kommunikation med den enskilde",
    "message.read": "Kommunikation med den enskilde",
    "message.attachment.read": "Kommunikation med den enskilde",
    "message.upload": "Kommunikation med den enskilde",
    "thread.export": "Journalföring av meddelanden",
    "message.journal": "Journalföring av meddelanden",
    "audit.search": "Logguppföljning",
}
# What each action is, in plain Swedish, for the auditors' log pages (log follow-up).
ACTION_LABELS_SV: dict[str, str] = {
    "inbox.list": "Visade inkorgen",
    "case.read": "Öppnade ärendet",
    "case.document.read": "Öppnade ett dokument i ärendet",
    "intake.create": "Kopplade ansökan (aktualisering)",
    "decision.create": "Fattade beslut",
    "assignment.create": "Registrerade uppdrag som kontaktperson",
    "assignment.read": "Läste uppdrag som kontaktperson",
    "assignment.change": "Ändrade uppdrag som kontaktperson",
    "assignment.end": "Avslutade uppdrag som kontaktperson",
    "relative.create": "Godkände närstående",
    "relative.read": "Läste godkännanden av närstående",
    "relative.change": "Ändrade godkännande av närstående",
    "relative.end": "Avslutade godkännande av närstående",
    "messaging.change": "Ändrade meddelandefunktionen",
    "messaging.read": "Läste inställningar för meddelanden",
    "message.send": "Skickade meddelande",
    "message.read": "Läste meddelanden",
    "message.attachment.read": "Öppnade en bilaga",
    "message.upload": "Laddade upp en bilaga",
    "thread.export": "Exporterade en meddelandetråd",
    "message.journal": "Journalförde ett meddelande",
    "contact_report.approve": "Godkände kontaktpersonens rapport",
    "contact_report.send_back": "Skickade tillbaka kontaktpersonens rapport",
    "audit.search": "Sökte i loggen",
}


def action_label(action: str) -> str:
    """The plain Swedish of an action; an action without one is shown as it is stored."""
    return ACTION_LABELS_SV.get(action, action)


# A relative (or god man) reading or writing as the citizen, under a case worker's approval.
PROXY_PURPOSE = "Närstående företräder den enskilde efter godkännande"
MAX_DAYS = 366


class AuditRecord(BaseModel):
    audit_id: str
    at: datetime
    actor: str  # "case_worker:<user id>", "relative:<masked personnummer>": who
    actor_role: str
    actor_name: str | None = None
    # A person actor's own personnummer: the masked label is shared by everyone born that day. Never logged.
    actor_personnummer: str | None = None
    action: str  # what
    kind: Kind
    subject: str | None = None  # whose (personnummer); never logged
    acting_for: str | None = None  # as whom: the citizen a relative acts for (personnummer); never logged
    resource: str = ""  # which record: "case:<id>", "case:<id>/thread:<id>", "thread:<id>"
    purpose: str  # why
    request_id: str  # records written for one request share it


MAX_PAGE = 5000  # records per answer at most; the next page by cursor


def local_day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in Stockholm time; at most MAX_DAYS."""
    if end < start:
        raise ValidationFailed.field("query.to", "must be on or after from")
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailed.field("query.to", f"search at most {MAX_DAYS} days at a time")
    return (datetime.combine(start, time(), STOCKHOLM),
            datetime.combine(end + timedelta(days=1), time(), STOCKHOLM))


CSV_COLUMNS = ("at", "actor", "actor_role", "actor_name", "actor_personnummer", "action", "kind", "subject",
               "acting_for", "resource", "purpose", "request_id", "audit_id")


def to_csv(records: list[AuditRecord], protected: set[str] | None = None) -> str:
    """The records as CSV. ``protected`` (the personnummer with protected identity among them):
    two more columns, ``protected_identity`` ("ja" when whose data or as whom is one of them) and
    ``action_sv`` (what was done, in plain Swedish), for the auditors' export from the log pages."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS + (("protected_identity", "action_sv") if protected is not None else ()))
    for r in records:
        row = r.model_dump(mode="json")
        cells = [_safe_cell(row.get(c)) for c in CSV_COLUMNS]
        if protected is not None:
            hidden = bool({r.subject, r.acting_for} & protected)
            cells += ["ja" if hidden else "", _safe_cell(action_label(r.action))]
        writer.writerow(cells)
    return out.getvalue()


def _safe_cell(value: Any) -> str:
    """No formula injection when the export is opened in a spreadsheet."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
