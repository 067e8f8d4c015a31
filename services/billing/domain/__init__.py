"""Billing's domain, pure (no store, no clock, no I/O): ``model`` (what billing keeps of others'
events), ``inbox`` (how it reads them, with the shared contract models), ``rules`` (the rule
packs as data and the yearly figures), ``basis`` (the invoice basis and its final versions),
``payouts`` and ``reconcile``."""
