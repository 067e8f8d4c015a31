"""The threads repository: a thread added once, moved to the top and counted unread by each new
message, read again; listed by citizen and by case worker, newest message first; the adapter and
the fake alike."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.domain.errors import Conflict, NotFound
from services.eservices.casework.domain.messages import Thread
from tests.support.people import new_pnr

from .casework_ports import NOW, an_id, ports  # noqa: F401


def a_thread(citizen: str, case_worker: str, minutes: int = 0) -> Thread:
    at = NOW + timedelta(minutes=minutes)
    return Thread(thread_id=an_id("thr-"), citizen=citizen, citizen_name="Anna Andersson", case_worker_id=case_worker,
                  case_worker_name="Marita Aronsson", subject="Om ditt ärende", created_at=at, last_message_at=at)


def test_a_thread_is_added_once(ports):
    t = a_thread(new_pnr(1940), an_id("hl-"))
    with pytest.raises(NotFound, match="no such thread"):
        ports.repos.threads.get(t.thread_id)
    ports.commit(lambda uow: ports.repos.threads.add(uow, t))
    assert ports.repos.threads.get(t.thread_id) == t
    with pytest.raises(Conflict):
        ports.commit(lambda uow: ports.repos.threads.add(uow, t))


def test_a_new_message_moves_its_thread_to_the_top_unread_for_the_other_side_until_read(ports):
    # GIVEN a citizen's and a case worker's two threads, the first older
    citizen, worker = new_pnr(1940), an_id("hl-")
    first, second = a_thread(citizen, worker, 0), a_thread(citizen, worker, 5)
    for t in (first, second):
        ports.commit(lambda uow, t=t: ports.repos.threads.add(uow, t))
    assert [t.thread_id for t in ports.repos.threads.of_citizen(citizen)] == [second.thread_id, first.thread_id]
    # WHEN the first gets two messages for the citizen
    for minutes in (10, 11):
        ports.commit(lambda uow, m=minutes: ports.repos.threads.touch(uow, first, NOW + timedelta(minutes=m),
                                                                      "citizen"))
    # THEN it is on top for both sides, unread twice for the citizen and not for the case worker
    for listed in (ports.repos.threads.of_citizen(citizen), ports.repos.threads.of_case_worker(worker)):
        assert [t.thread_id for t in listed] == [first.thread_id, second.thread_id]
    touched = ports.repos.threads.get(first.thread_id)
    assert (touched.last_message_at, touched.unread_citizen, touched.unread_case_worker) == (
        NOW + timedelta(minutes=11), 2, 0)
    # AND once read, it is unread no more
    ports.repos.threads.clear_unread(first.thread_id, "citizen")
    assert ports.repos.threads.get(first.thread_id).unread_citizen == 0


def test_a_message_in_a_thread_that_is_not_there_fails_at_commit(ports):
    ghost = a_thread(new_pnr(1940), an_id("hl-"))
    with pytest.raises(Conflict):
        ports.commit(lambda uow: ports.repos.threads.touch(uow, ghost, NOW, "case_worker"))
    assert ports.repos.threads.find(ghost.thread_id) is None
