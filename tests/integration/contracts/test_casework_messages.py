"""The messages repository: a thread's messages oldest first, each added once and marked read;
the adapter and the fake alike."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.domain.errors import Conflict
from services.eservices.casework.domain.messages import Attachment, Message

from .casework_ports import NOW, an_id, ports  # noqa: F401


def a_message(thread_id: str, minutes: int) -> Message:
    return Message(message_id=an_id("msg-"), thread_id=thread_id, from_party="case_worker", author="case_worker:hl-1",
                   author_name="Marita Aronsson", subject="Om ditt ärende", body="Hej!",
                   sent_at=NOW + timedelta(minutes=minutes), read_receipt=True,
                   attachments=[Attachment(attachment_id=an_id(), filename="beslut.pdf",
                                           content_type="application/pdf", size=1234, key=f"uploads/{an_id()}")])


def test_a_threads_messages_are_listed_oldest_first_and_only_its_own(ports):
    thread_id = an_id("thr-")
    late, early = a_message(thread_id, 5), a_message(thread_id, 1)
    for m in (late, early, a_message(an_id("thr-"), 3)):
        ports.commit(lambda uow, m=m: ports.repos.messages.add(uow, m))
    assert ports.repos.messages.of_thread(thread_id) == [early, late]
    assert ports.repos.messages.get(thread_id, late.sent_at.isoformat(), late.message_id) == late
    with pytest.raises(Conflict):
        ports.commit(lambda uow: ports.repos.messages.add(uow, late))


def test_a_message_is_marked_read_and_one_that_is_not_there_is_refused(ports):
    m = a_message(an_id("thr-"), 0)
    ports.commit(lambda uow: ports.repos.messages.add(uow, m))
    ports.repos.messages.mark_read(m, NOW + timedelta(hours=1))
    assert ports.repos.messages.of_thread(m.thread_id)[0].read_at == NOW + timedelta(hours=1)
    with pytest.raises(Conflict):
        ports.repos.messages.mark_read(a_message(m.thread_id, 9), NOW)
    assert [x.message_id for x in ports.repos.messages.of_thread(m.thread_id)] == [m.message_id]


def test_a_message_is_marked_journaled_once(ports):
    m = a_message(an_id("thr-"), 0)
    ports.commit(lambda uow: ports.repos.messages.add(uow, m))
    ports.repos.messages.mark_journaled(m, NOW + timedelta(hours=2), "case_worker:hl-1")
    (stored,) = ports.repos.messages.of_thread(m.thread_id)
    assert (stored.journaled_at, stored.journaled_by) == (NOW + timedelta(hours=2), "case_worker:hl-1")
    with pytest.raises(Conflict):  # twice
        ports.repos.messages.mark_journaled(m, NOW + timedelta(hours=3), "case_worker:hl-2")
    with pytest.raises(Conflict):  # not there
        ports.repos.messages.mark_journaled(a_message(m.thread_id, 9), NOW, "case_worker:hl-1")
    assert ports.repos.messages.of_thread(m.thread_id)[0].journaled_by == "case_worker:hl-1"
