"""Billing's use cases, one module each: the invoice basis (and its files), making it final, the
reconciliation of an invoice, finance's classification of a client, the contact persons' payouts,
the provider register, and the inbox (``consume``). Each takes ``BillingDeps`` (``ports.py``),
the caller (a Principal, resolved at the edge) and the command's fields; HTTP stays in the app.

Who sees what: the ordering unit (finance) every provider; a provider's staff only their own
provider (another's is 403, said openly: provider ids are not secret); citizens nothing (the
policy refuses them before a use case runs). The rule is ``invoice_basis.may_see``.
"""
