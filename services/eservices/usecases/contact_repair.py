"""One-off repair of stored phone numbers and e-mail addresses (run again: changes nothing).

Numbers used to be stored as typed (``070-765 43 21``), which SNS refuses. This normalises every
profile's mobile and every messaging setting's phones to E.164, and drops what cannot be
repaired (a landline, a foreign number, garbage) — switching that channel off, since there is no
number left to send to. Each repaired item is written on the condition that it is unchanged since
it was read, together with a ``contact_preferences.changed`` so notify's copy follows.

``python -m services.eservices.contact_repair [--publish-all]`` (``make repair-contacts``);
``--publish-all`` also sends every unchanged person's preferences (seeds notify's copy once).
Its log lines carry counts only: no number, address or personnummer.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...domain.errors import Conflict
from ...domain.phone import InvalidEmail, InvalidPhone, normalize_email, normalize_mobile
from ...observability import get_logger

if TYPE_CHECKING:
    from ...domain.ports import UnitOfWork
    from ..ports import StoredContacts

logger = get_logger("eservices")


@dataclass
class RepairReport:
    scanned: int = 0
    repaired: int = 0
    dropped: int = 0
    unchanged: int = 0
    conflicts: int = 0
    published: int = 0
    dropped_fields: dict[str, int] = field(default_factory=dict)


def _phone(value: Any) -> tuple[str | None, bool]:
    """(the repaired value, whether it had to be dropped)."""
    if value in (None, ""):
        return None, False
    try:
        return normalize_mobile(str(value)), False
    except InvalidPhone:
        return None, True


def _email(value: Any) -> tuple[str | None, bool]:
    if value in (None, ""):
        return None, False
    try:
        return normalize_email(str(value)), False
    except InvalidEmail:
        return None, True


def repaired_item(item: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The item with its phones and e-mail repaired, and the names of fields dropped (pure)."""
    new, dropped = dict(item), []
    phones = ("mobile",) if item.get("sk") == "PROFILE" else ("phone1", "phone2")
    for name in phones:
        new[name], lost = _phone(item.get(name))
        if lost:
            dropped.append(name)
    new["email"], lost = _email(item.get("email"))
    if lost:
        dropped.append("email")
    if item.get("sk") == "PROFILE":
        new["notify_sms"] = bool(item.get("notify_sms")) and new["mobile"] is not None
        new["notify_email"] = bool(item.get("notify_email")) and new["email"] is not None
    else:
        chosen = new.get(f"phone{item.get('sms_phone')}") if item.get("sms_phone") else None
        if not chosen:
            new["sms_alert"], new["sms_phone"] = False, None
        if new["email"] is None:
            new["email_alert"] = False
    return new, dropped


def _emit_preferences(uow: UnitOfWork, person: str, item: dict[str, Any]) -> None:
    from datetime import datetime

    from ..casework.domain.messaging import MessagingSettings
    from .notifications import alerts_changed, profile_changed
    from ..domain.people import Profile

    if item["sk"] == "PROFILE":
        profile = Profile.model_validate(item)
        profile_changed(uow, person, profile, profile.updated_at or datetime.fromisoformat("2000-01-01T00:00:00+00:00"))
    else:
        alerts_changed(uow, MessagingSettings.model_validate(item))


def repair_contacts(contacts: StoredContacts, unit_of_work: Callable[[], UnitOfWork], *,
                    publish_all: bool = False) -> RepairReport:
    """Repairs every stored profile and messaging setting; ``unit_of_work()`` makes a new unit of work."""
    report = RepairReport()
    watched = ("mobile", "phone1", "phone2", "email", "notify_sms", "notify_email", "sms_alert", "sms_phone",
               "email_alert")
    for item in contacts.all():
        report.scanned += 1
        new, dropped = repaired_item(item)
        changed = any(new.get(k) != item.get(k) for k in watched)
        if not changed and not publish_all:
            report.unchanged += 1
            continue
        uow = unit_of_work()
        if changed:
            # Only if nobody changed the item since we read it: a fresh edit is already valid.
            contacts.replace_if_unchanged(uow, item, new, watched)
        _emit_preferences(uow, contacts.person_of(item), new)
        try:
            uow.commit()
        except Conflict:
            report.conflicts += 1
            continue
        report.published += 1
        if changed:
            report.repaired += 1
            report.dropped += bool(dropped)
            for name in dropped:
                report.dropped_fields[name] = report.dropped_fields.get(name, 0) + 1
        else:
            report.unchanged += 1
    logger.info("stored contacts repaired", extra={"scanned": report.scanned, "repaired": report.repaired,
                                                    "dropped": report.dropped, "dropped_fields": report.dropped_fields,
                                                    "conflicts": report.conflicts, "published": report.published})
    return report


def main(argv: list[str]) -> int:
    from ..bootstrap import deps

    d = deps()
    report = repair_contacts(d.contacts, d.unit_of_work, publish_all="--publish-all" in argv)
    print(f"scanned {report.scanned}, repaired {report.repaired} (numbers or addresses dropped in "
          f"{report.dropped}), unchanged {report.unchanged}, changed meanwhile {report.conflicts}, "
          f"preferences sent to notify {report.published}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
