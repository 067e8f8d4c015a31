"""Notify's SMS sender: the recording fake and SNS on the moto server keep one contract — a sent
SMS has the provider's message id, a number not in E.164 is a permanent failure."""
from __future__ import annotations

import uuid

import pytest

from services.notify.ports import PermanentSendFailure
from tests.support.fakes.notify import RecordingSmsSender


@pytest.fixture(params=["memory", "sns"])
def sms(request):
    if request.param == "memory":
        return RecordingSmsSender()
    request.getfixturevalue("aws")
    from services.notify.adapters.senders import SnsSmsSender

    return SnsSmsSender()


def test_each_sent_sms_has_its_own_message_id(sms):
    to = f"+4670{uuid.uuid4().int % 10**7:07d}"
    first, second = sms.send(to, "Insats kommun: något väntar"), sms.send(to, "Insats kommun: något väntar")
    assert isinstance(first, str) and first and second and first != second


@pytest.mark.parametrize("number", ["070-765 43 21", "0707654321 ", "+46 70 765 43 21"])
def test_a_number_not_in_e164_is_a_permanent_failure(sms, number):
    with pytest.raises(PermanentSendFailure) as failure:
        sms.send(number, "Insats kommun: något väntar")
    assert failure.value.reason == "invalid_address"
