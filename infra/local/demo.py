"""Demo data for the local stack: fictional people from ``infra/fixtures/people.json``.
Idempotent: seeding twice leaves the same data."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def people() -> dict[str, Any]:
    return json.loads((FIXTURES / "people.json").read_text(encoding="utf-8"))


def seed() -> list[str]:
    """Writes the demo data through the services' own repositories; returns what it did."""
    from services.adapters.aws import table
    from services.eservices.adapters.relatives import DynamoApprovalRepository
    from services.eservices.domain.relatives import RelativeApproval

    data = people()
    register = {p["personnummer"]: p for p in data["population_register"]}
    done = []
    approvals = DynamoApprovalRepository(table("eservices"))
    for a in data["relative_approvals"]:
        citizen, relative = register[a["citizen"]], register[a["relative"]]
        approval_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"insats-demo:{a['citizen']}:{a['relative']}"))
        approvals.put(RelativeApproval(
            approval_id=approval_id, citizen=a["citizen"], citizen_first_name=citizen["first_name"],
            citizen_last_name=citizen["last_name"], relative=a["relative"],
            relative_first_name=relative["first_name"], relative_last_name=relative["last_name"],
            valid_from=date.fromisoformat(a["valid_from"]), valid_to=date.fromisoformat(a["valid_to"]),
            note=a["note"], consent_recorded=True, created_by="demo-seed",
            created_at=datetime(2026, 1, 1, tzinfo=timezone.utc)))
        done.append("relative approval")
    done += _seed_assignments(data.get("contact_assignments", []), register)
    done += _seed_home_care(data["home_care"])
    done += _seed_notify(data["home_care"])
    done += _seed_billing(data["home_care"])
    done += _seed_identity(data)
    return done


def _seed_identity(data: dict[str, Any]) -> list[str]:
    """The demo organisations and every staff demo login as an account of the staff directory, valid
    from 2026-01-01 to the default end date (the next 15 February or 15 September)."""
    from services.domain.calendar import stockholm_date
    from services.identity.bootstrap import deps
    from services.identity.usecases.register import load_directory

    identity = deps()
    staff = [login for login in data["demo_logins"] if login.get("user_id")]
    stored = load_directory(identity, data["organisations"], staff, date(2026, 1, 1), stockholm_date(identity.clock()))
    return ["organisation"] * len(data["organisations"]) + ["staff account"] * stored


def _seed_assignments(assignments: list[dict[str, Any]], register: dict[str, Any]) -> list[str]:
    """Contact persons' assignments: what makes a demo person a contact person (a login is a citizen)."""
    from services.adapters.aws import table
    from services.eservices.casework.adapters.repositories import AssignmentRepository
    from services.eservices.casework.domain.assignments import Assignment

    repository, done = AssignmentRepository(table("eservices")), []
    for a in assignments:
        person, client = register[a["contact_person"]], register[a["client"]]
        repository.put_now(Assignment(
            assignment_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"insats-demo:{a['contact_person']}:{a['client']}")),
            kind=a["kind"], contact_person=a["contact_person"], contact_person_first_name=person["first_name"],
            contact_person_last_name=person["last_name"], client=a["client"], client_first_name=client["first_name"],
            client_last_name=client["last_name"], sessions_per_month=a["sessions_per_month"],
            monthly_fee_ore=a["monthly_fee_ore"], expense_allowance_ore=a["expense_allowance_ore"],
            valid_from=date.fromisoformat(a["valid_from"]),
            valid_to=date.fromisoformat(a["valid_to"]) if a["valid_to"] else None, note=a["note"],
            created_by="demo-seed", created_at=datetime(2026, 1, 1, tzinfo=timezone.utc)))
        done.append("contact assignment")
    return done


def _seed_billing(home_care: dict[str, Any]) -> list[str]:
    """Providers' names into billing's own register (the invoice basis names the provider)."""
    from services.billing.bootstrap import deps
    from services.billing.usecases.provider_register import load

    return ["provider name"] * load(deps().store, home_care["providers"])


def _seed_notify(home_care: dict[str, Any]) -> list[str]:
    """Providers' contact addresses into notify; stored phone numbers repaired and every person's
    preferences sent to notify (both idempotent)."""
    from services.eservices.bootstrap import deps as eservices
    from services.eservices.usecases.contact_repair import repair_contacts
    from services.notify.bootstrap import deps as notify
    from services.notify.usecases.provider_contacts import load

    contacts = [{"provider_id": p["provider_id"], **p.get("contact", {})} for p in home_care["providers"]]
    load(notify().preferences, contacts, datetime(2026, 1, 1, tzinfo=timezone.utc))
    report = repair_contacts(eservices().contacts, eservices().unit_of_work, publish_all=True)
    return ["provider contact"] * len(contacts) + ["contact preferences"] * report.published


def _seed_home_care(home_care: dict[str, Any]) -> list[str]:
    from services.visits.bootstrap import deps
    from services.visits.domain.model import Device

    visits, done = deps(), []
    for provider in home_care["providers"]:
        # The coordinator (who approves and keeps the registry) may perform visits too: registered as staff,
        # never approving their own.
        for user in [*provider["staff"], *provider.get("coordinators", [])]:
            visits.staff.add_staff(provider["provider_id"], user)
            done.append("staff")
    seeded_at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for d in home_care["devices"]:
        visits.devices.put_device(Device(device_id=d["device_id"], kind=d["kind"], provider_id=d["provider_id"],
                                         client=d["client"], status="bound", ordered_at=seeded_at,
                                         bound_at=seeded_at))
        done.append("device")
    return done
