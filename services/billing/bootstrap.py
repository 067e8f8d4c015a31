"""The composition root of billing: the store, the rule book, the municipality, the clock."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from ..clock import utc_now

if TYPE_CHECKING:  # the rule book loads with deps(), not at the app's import
    from .ports import BillingStore
    from .rules import RuleBook


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
    from .rules import rule_book

    return BillingDeps(store=DynamoBillingStore(table("billing")), rules=rule_book(),
                       municipality=os.environ.get("BILLING_MUNICIPALITY", "haninge"))
