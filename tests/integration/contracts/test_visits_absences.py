"""The absences port: an absence written once, listed by provider (and client) in client and
start order; the adapter and the fake alike."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.contracts.events import AbsenceRegistered
from services.domain.errors import Conflict
from services.visits.domain.model import Absence
from tests.support.people import new_pnr

from .visits_ports import NOW, a_provider, ports  # noqa: F401


def an_absence(provider: str, client: str, starts_on: date) -> Absence:
    return Absence(provider_id=provider, client=client, kind="hospital", starts_on=starts_on, learned_at=NOW,
                   registered_by="provider_coordinator:cora", registered_at=NOW)


def registered(a: Absence) -> AbsenceRegistered:
    return AbsenceRegistered(absence_id=a.absence_id, client=a.client, provider_id=a.provider_id, kind=a.kind,
                             starts_on=a.starts_on, ends_on=a.ends_on, learned_at=a.learned_at,
                             announced_at=a.announced_at, revision=a.revision)


def test_absences_are_listed_by_client_and_start_and_written_once(ports):
    provider, first, second = a_provider(), *sorted([new_pnr(1930), new_pnr(1931)])
    late = an_absence(provider, first, date(2026, 11, 10))
    early = an_absence(provider, first, date(2026, 11, 2))
    other = an_absence(provider, second, date(2026, 11, 1))
    for a in (late, other, early):
        ports.absences.add_absence(a, registered(a), NOW)
    ports.absences.add_absence(*(lambda a: (a, registered(a)))(an_absence(a_provider(), first, date(2026, 11, 1))),
                               NOW)
    assert ports.absences.absences_of(provider) == [early, late, other]
    assert ports.absences.absences_of(provider, first) == [early, late]
    with pytest.raises(Conflict):
        ports.absences.add_absence(early, registered(early), NOW + timedelta(minutes=1))
    assert ports.absences.absences_of(provider, first) == [early, late]


def test_an_absence_is_ended_once_at_the_revision_it_was_read(ports):
    """GIVEN an open absence WHEN it is ended at the revision read THEN it is listed ended; a second
    ending from the same (stale) reading is a Conflict and changes nothing."""
    provider, client = a_provider(), new_pnr(1932)
    a = an_absence(provider, client, date(2026, 11, 3))
    ports.absences.add_absence(a, registered(a), NOW)
    ended = a.model_copy(update={"ends_on": date(2026, 11, 5), "revision": 2, "ended_by": "provider_coordinator:cora",
                                 "ended_at": NOW})
    ports.absences.end_absence(a, ended, registered(ended), NOW)
    assert ports.absences.absences_of(provider) == [ended]
    again = ended.model_copy(update={"ends_on": date(2026, 11, 9)})
    with pytest.raises(Conflict):
        ports.absences.end_absence(a, again, registered(again), NOW)
    assert ports.absences.absences_of(provider) == [ended]
