"""The composition root of billing: the store, the rule book, the municipality, the clock."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from ..clock import utc_now
from .ports import BillingStore
from .rules import RuleBook, rule_book


@dataclass
class BillingDeps:
    store: BillingStore
    rules: RuleBook
    municipality: str
    clock: Callable[[], datetime] = utc_now


@cache
def deps() -> BillingDeps:
    from ..adapters.billing_store import DynamoBillingStore
    from ..aws import table

    return BillingDeps(store=DynamoBillingStore(table("billing")), rules=rule_book(),
                       municipality=os.environ.get("BILLING_MUNICIPALITY", "haninge"))
