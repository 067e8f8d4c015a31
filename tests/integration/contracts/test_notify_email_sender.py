"""Notify's e-mail sender: the recording fake and SES on the moto server keep one contract — a
sent e-mail has the provider's message id, an address that is no address is a permanent failure."""
from __future__ import annotations

import uuid

import pytest

from services.notify.ports import PermanentSendFailure
from tests.support.fakes.notify import RecordingEmailSender


@pytest.fixture(params=["memory", "ses"])
def email(request):
    if request.param == "memory":
        return RecordingEmailSender()
    request.getfixturevalue("aws")
    from services.notify.adapters.senders import SesEmailSender

    return SesEmailSender()


def test_each_sent_email_has_its_own_message_id(email):
    to = f"{uuid.uuid4().hex}@example.se"
    first = email.send(to, "Ämne", "Text", "<p>Text</p>")
    second = email.send(to, "Ämne", "Text", "<p>Text</p>")
    assert isinstance(first, str) and first and second and first != second


def test_an_address_without_a_domain_is_a_permanent_failure(email):
    with pytest.raises(PermanentSendFailure) as failure:
        email.send("inte-en-adress", "Ämne", "Text", "<p>Text</p>")
    assert failure.value.reason == "invalid_address"
