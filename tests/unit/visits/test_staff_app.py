"""The staff app's use cases over fakes: the day (the provider's clients from its bound tags and
locks, the insatser preselected from their decisions, the member's own visits of today only) and
the app's events (the provider's clients only, then the API's own checks)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.auth.principal import Principal, Role
from services.domain.errors import Forbidden, ValidationFailed
from services.domain.calendar import stockholm_date
from services.visits.domain.days import ClientDay, DayKey
from services.visits.domain.model import Device, Visit
from services.visits.schemas import PostVisitEvents
from services.visits.usecases.staff_app import app_events, preselected, provider_clients, staff_day
from tests.support.fakes.visits import fake_visits_deps
from tests.support.people import new_pnr

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


def anna(provider="p1", role=Role.PROVIDER_STAFF):
    return Principal(subject="anna", role=role, user_id="anna", provider_id=provider, organisation_id=provider)


def device(deps, client, provider="p1", status="bound", kind="nfc"):
    d = Device(device_id=f"T-{uuid.uuid4().hex[:6]}", kind=kind, provider_id=provider, client=client,
               status=status, ordered_at=NOW, bound_at=NOW if status != "ordered" else None)
    deps.devices.put_device(d)
    return d.device_id


def visit(client, staff, start, provider="p1"):
    return Visit(visit_id=str(uuid.uuid4()), provider_id=provider, client=client, staff_id=staff, started_at=start,
                 ended_at=start + timedelta(minutes=30), status="registered")


class TestPreselected:
    def test_the_granted_insatser_the_app_registers_in_its_order(self):
        decisions = [{"insats": "dusch", "outcome": "granted"}, {"insats": "hemtjanst", "outcome": "granted"},
                     {"insats": "inkop", "outcome": "granted"}, {"insats": "tillsyn_service", "outcome": "granted"},
                     {"insats": "service", "outcome": "refused"}]
        assert preselected(decisions) == ["dusch", "inkop"]

    def test_only_the_home_care_grant_or_none_preselects_personal_care(self):
        assert preselected([{"insats": "hemtjanst", "outcome": "granted"}]) == ["personlig_omsorg"]
        assert preselected([]) == ["personlig_omsorg"]


class TestTheDay:
    def test_the_providers_clients_are_those_its_bound_devices_name(self):
        deps = fake_visits_deps()
        a, b, c, d = (new_pnr(1940) for _ in range(4))
        tag_a, lock_a = device(deps, a), device(deps, a, kind="digital_lock")
        device(deps, b, status="retired")
        device(deps, None, status="ordered")
        device(deps, c, provider="p2")
        tag_d = device(deps, d)
        got = provider_clients(deps, "p1")
        assert list(got) == sorted([a, d])
        assert got[a] == sorted([(tag_a, "nfc"), (lock_a, "digital_lock")]) and got[d] == [(tag_d, "nfc")]

    def test_the_day_holds_the_members_own_visits_of_today_in_time_order(self):
        deps = fake_visits_deps()
        client = new_pnr(1940)
        device(deps, client)
        deps.grants.put_granted({"decision_id": "d1", "client": client, "insats": "dusch", "outcome": "granted",
                                 "granted_minutes_per_month": 600, "valid_from": "2026-01-01", "valid_to": None})
        later, earlier = visit(client, "anna", NOW - timedelta(hours=1)), visit(client, "anna", NOW - timedelta(hours=3))
        yesterday, bos = visit(client, "anna", NOW - timedelta(days=1)), visit(client, "bo", NOW - timedelta(hours=2))
        days: dict[DayKey, ClientDay] = {}
        for v in (later, earlier, yesterday, bos):
            key = DayKey("p1", client, stockholm_date(v.started_at))
            days.setdefault(key, ClientDay(key)).visits[v.visit_id] = v
        deps.days.seed(days.values())
        got = staff_day(deps, anna(), NOW)
        assert [v.visit_id for v in got.visits] == [earlier.visit_id, later.visit_id]
        assert got.clients[0].insatser == ["dusch"] and got.day.isoformat() == "2026-03-10"

    def test_a_login_without_a_provider_is_refused(self):
        with pytest.raises(Forbidden):
            staff_day(fake_visits_deps(), anna(provider=None), NOW)


class TestEvents:
    def _body(self, *clients, provider="p1"):
        return PostVisitEvents.model_validate({"events": [
            {"event_id": str(uuid.uuid4()), "type": "arrival", "provider_id": provider, "client": c,
             "device_time": NOW.isoformat(), "receipt": {"method": "manual", "manual_reason": "technical_fault"}}
            for c in clients]})

    def test_the_providers_clients_events_are_queued_as_the_api_queues_them(self):
        deps = fake_visits_deps()
        client = new_pnr(1940)
        device(deps, client)
        got = app_events(deps, anna(), self._body(client))
        assert got.accepted == 1 and deps.send.bodies[0]["events"][0]["staff_id"] == "anna"

    def test_another_providers_client_refuses_the_whole_batch_and_names_it(self):
        deps = fake_visits_deps()
        mine, theirs = new_pnr(1940), new_pnr(1940)
        device(deps, mine)
        device(deps, theirs, provider="p2")
        with pytest.raises(Forbidden) as refused:
            app_events(deps, anna(), self._body(mine, theirs))
        assert [e.field for e in refused.value.errors] == ["events.1.client"] and deps.send.bodies == []

    def test_another_provider_named_in_the_event_is_refused_by_the_apis_check(self):
        deps = fake_visits_deps()
        client = new_pnr(1940)
        device(deps, client)
        with pytest.raises(ValidationFailed):
            app_events(deps, anna(), self._body(client, provider="p2"))
        assert deps.send.bodies == []
