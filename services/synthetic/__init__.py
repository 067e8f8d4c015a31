"""A synthetic month of home care, deterministic from a seed, as the events reports and billing consume.

``month_events(seed=…, year=…, month=…)`` yields ``Envelope``s: the decisions behind the clients'
granted time (``decision.published`` v2), every visit as it stands at the end of the month
(``visit.changed`` v2, a share also with an earlier version before it) and the absences
(``absence.registered``). ``Municipality`` describes who is in it. Nothing here reads AWS.
"""
from .month import Municipality, Shares, month_events, municipality

__all__ = ["Municipality", "Shares", "month_events", "municipality"]
