"""Provider billing and contact-person payouts.

Billing keeps its own read model of other services' events (visits, absences, decisions,
approved contact-person reports) and computes from it, with the municipality's rule pack
(``domain/rules/``): the invoice basis per provider and month (preliminary at any time, final after the
lock date, corrections as new numbered versions), the reconciliation of a submitted invoice, the
exports, and the monthly payouts to contact persons.

Layout: ``domain/`` is pure (no I/O, no clock); ``usecases/`` one module per use case, typed with
``ports`` (one protocol per aggregate, and ``BillingDeps``); ``adapters/dynamo.py`` implements the
ports on DynamoDB; ``bootstrap`` wires them; ``schemas`` are the API's shapes; ``exports`` renders
a basis or the payouts as CSV and PDF (pure: a use case returns the bytes as a ``FileResult``).
"""
