"""The uploads repository: an upload added once and attached once, by its owner; the adapter and
the fake alike."""
from __future__ import annotations

import pytest

from services.domain.errors import Conflict, NotFound
from services.eservices.casework.domain.messages import Upload

from .casework_ports import NOW, an_id, ports  # noqa: F401


def an_upload(owner: str) -> Upload:
    upload_id = an_id("upl-")
    return Upload(upload_id=upload_id, owner=owner, key=f"uploads/{upload_id}", filename="intyg.pdf",
                  content_type="application/pdf", created_at=NOW)


def test_an_upload_is_added_once(ports):
    u = an_upload("case_worker:hl-1")
    with pytest.raises(NotFound):
        ports.repos.uploads.get(u.upload_id)
    ports.commit(lambda uow: ports.repos.uploads.add(uow, u))
    assert ports.repos.uploads.get(u.upload_id) == u
    with pytest.raises(Conflict):
        ports.commit(lambda uow: ports.repos.uploads.add(uow, u))


def test_an_upload_is_attached_once_and_only_by_its_owner(ports):
    # GIVEN an upload of one person
    u = an_upload("citizen:19400101-0000")
    ports.commit(lambda uow: ports.repos.uploads.add(uow, u))
    # WHEN someone else attaches it THEN the commit fails and it stays unused
    with pytest.raises(Conflict):
        ports.commit(lambda uow: ports.repos.uploads.attach(uow, u.upload_id, "citizen:someone-else"))
    assert ports.repos.uploads.get(u.upload_id).used is False
    # WHEN its owner does THEN it is used, and a second attach fails
    ports.commit(lambda uow: ports.repos.uploads.attach(uow, u.upload_id, u.owner))
    assert ports.repos.uploads.get(u.upload_id).used is True
    with pytest.raises(Conflict):
        ports.commit(lambda uow: ports.repos.uploads.attach(uow, u.upload_id, u.owner))


def test_an_upload_that_is_not_there_cannot_be_attached(ports):
    with pytest.raises(Conflict):
        ports.commit(lambda uow: ports.repos.uploads.attach(uow, an_id("upl-"), "case_worker:hl-1"))
