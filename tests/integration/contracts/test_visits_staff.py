"""The staff registry port: the adapter and the fake alike."""
from __future__ import annotations

from .visits_ports import a_provider, ports  # noqa: F401


def test_staff_are_registered_listed_in_order_and_removed_once(ports):
    provider, other = a_provider(), a_provider()
    assert ports.staff.is_staff(provider, "anna") is False
    for user in ("bo", "anna"):
        ports.staff.add_staff(provider, user)
    ports.staff.add_staff(provider, "anna")  # again: still one
    ports.staff.add_staff(other, "cora")
    assert ports.staff.is_staff(provider, "anna") and not ports.staff.is_staff(provider, "cora")
    assert ports.staff.staff_of(provider) == ["anna", "bo"]
    assert ports.staff.remove_staff(provider, "anna") is True
    assert ports.staff.remove_staff(provider, "anna") is False
    assert ports.staff.staff_of(provider) == ["bo"] and ports.staff.staff_of(other) == ["cora"]
