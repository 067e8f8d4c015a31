"""The nightly runs port: a night is claimed once, and given back when its build failed; the
adapter and the fake alike."""
from __future__ import annotations

import uuid

from .reports_ports import store  # noqa: F401


def test_a_night_is_claimed_once_until_it_is_given_back(store):
    night, other = f"2026-11-02-{uuid.uuid4().hex[:6]}", f"2026-11-03-{uuid.uuid4().hex[:6]}"
    assert store.claim_night(night) is True
    assert store.claim_night(night) is False
    assert store.claim_night(other) is True
    store.release_night(night)
    assert store.claim_night(night) is True
