"""Dated periods: ``valid_from`` to ``valid_to`` inclusive, ``None`` for open-ended."""
from __future__ import annotations

from datetime import date


def overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    """Do two inclusive periods share a day (an open end overlaps everything after its start)?"""
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)


def in_force(valid_from: date, valid_to: date | None, day: date) -> bool:
    return valid_from <= day and (valid_to is None or day <= valid_to)
