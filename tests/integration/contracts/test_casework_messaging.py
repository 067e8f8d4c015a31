"""The messaging settings repository: one per citizen, versioned; a commit that needs messaging
on; the "To client" search by the start of a name; the adapter and the fake alike."""
from __future__ import annotations

import pytest

from services.domain.errors import Conflict, NotFound
from services.eservices.casework.domain.messaging import MessagingSettings
from tests.support.people import new_pnr

from .casework_ports import NOW, an_id, ports  # noqa: F401


def settings(first: str, last: str, *, enabled: bool = True, citizen: str | None = None) -> MessagingSettings:
    return MessagingSettings(citizen=citizen or new_pnr(1940), first_name=first, last_name=last, enabled=enabled,
                             changed_by="hl-1", changed_at=NOW)


def citizens(found: list[MessagingSettings]) -> set[str]:
    return {str(s.citizen) for s in found}


def test_settings_are_kept_per_citizen_and_changed_over_the_version_read(ports):
    s = settings("Anna", "Andersson")
    with pytest.raises(NotFound, match="messaging has never been set up"):
        ports.repos.messaging.get(str(s.citizen))
    ports.commit(lambda uow: ports.repos.messaging.add(uow, s))
    assert ports.repos.messaging.get(str(s.citizen)) == s
    off = s.model_copy(update={"enabled": False, "version": 2})
    ports.commit(lambda uow: ports.repos.messaging.replace(uow, off, expected_version=1))
    with pytest.raises(Conflict):
        ports.commit(lambda uow: ports.repos.messaging.replace(uow, s.model_copy(update={"version": 2}),
                                                                expected_version=1))
    with pytest.raises(Conflict):
        ports.commit(lambda uow: ports.repos.messaging.add(uow, s))
    assert ports.repos.messaging.find(str(s.citizen)) == off


def test_a_commit_that_needs_messaging_on_fails_when_it_is_off_or_was_never_set_up(ports):
    on, off = settings("Anna", "Andersson"), settings("Bo", "Berg", enabled=False)
    for s in (on, off):
        ports.commit(lambda uow, s=s: ports.repos.messaging.add(uow, s))
    ports.commit(lambda uow: ports.repos.messaging.require_enabled(uow, str(on.citizen)))
    for citizen in (str(off.citizen), new_pnr(1940)):
        with pytest.raises(Conflict):
            ports.commit(lambda uow, c=citizen: ports.repos.messaging.require_enabled(uow, c))


def test_the_search_finds_the_start_of_a_surname_or_first_name_in_any_case_and_only_with_messaging_on(ports):
    # GIVEN citizens named with a surname no other test uses, one with messaging off
    surname = an_id("Zq").capitalize()
    anna = settings("Anna", surname)
    annika = settings("Annika", f"{surname}-Lund")
    bo_off = settings("Bo", surname, enabled=False)
    first_named = settings(surname, "Svensson")  # the word is a first name here
    for s in (anna, annika, bo_off, first_named):
        ports.commit(lambda uow, s=s: ports.repos.messaging.add(uow, s))
    # WHEN searched THEN by the start of either name, case and spacing aside, never one with messaging off
    assert citizens(ports.repos.messaging.enabled_named(surname.upper(), 50)) == citizens([anna, annika, first_named])
    assert citizens(ports.repos.messaging.enabled_named(f"  {surname[:5].lower()} ", 50)) == citizens(
        [anna, annika, first_named])
    # AND a surname and the start of a first name, as written in the list, finds that person
    assert citizens(ports.repos.messaging.enabled_named(f"{surname} ann", 50)) == citizens([anna])
    assert citizens(ports.repos.messaging.enabled_named(f"{surname} svens", 50)) == citizens([first_named])
