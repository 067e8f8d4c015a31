"""The composition root of billing: the store (every port, on billing's table), the rule book,
the municipality, the clock. Nothing heavy at import: the app imports this at cold start."""
from __future__ import annotations

import os
from functools import cache

from .ports import BillingDeps

__all__ = ["BillingDeps", "deps"]


@cache
def deps() -> BillingDeps:
    from .adapters.dynamo import billing_store, web_sessions
    from .domain.rules import rule_book
    from .rule_book import RulesInForce

    store = billing_store()
    return BillingDeps(store=store, rules=RulesInForce(rule_book(), store),
                       municipality=os.environ.get("BILLING_MUNICIPALITY", "haninge"), sessions=web_sessions())
