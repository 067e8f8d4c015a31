"""Provider billing and contact-person payouts.

Billing keeps its own read model of other services' events (visits, absences, decisions,
approved contact-person reports) and computes from it, with the municipality's rule pack
(``rules/``): the invoice basis per provider and month (preliminary at any time, final after the
lock date, corrections as new numbered versions), the reconciliation of a submitted invoice, the
exports, and the monthly payouts to contact persons.

Layout: ``model`` and ``basis``/``payouts`` are pure (no I/O, no clock); ``ports`` are the
protocols the use cases (``service``, ``consumer``) need; ``services/adapters/billing_store.py``
implements them on DynamoDB; ``bootstrap`` wires them.
"""
