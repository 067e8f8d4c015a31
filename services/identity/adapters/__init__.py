"""The identity table (single-table design; only identity reads it). Every key, condition,
expression and ``ClientError`` of the context is in this folder.

Key spaces:

- ``ORG#<id>`` / ``ORG`` — an organisation; ``gsi1`` = ``ORGS`` / ``<id>`` lists them.
- ``ACCOUNT#<id>`` / ``ACCOUNT`` — a staff account, written whole with a condition on its
  ``version``; ``gsi1`` = ``ORGACCOUNTS#<organisation>`` / ``<account id>`` (an organisation's
  accounts), ``gsi2`` = ``ACCOUNTENDS`` / ``<valid_to>#<account id>`` (by end date: the reminder).
- ``STAFFPNR#<personnummer>`` / ``PNR`` — the account bound to a personnummer (one per person),
  written with the new account in one transaction.
- ``AUDIT#<yyyy-mm-dd>`` / ``<instant>#<entry id>`` — the audit trail, one partition per UTC day;
  an account change writes its entry in the change's transaction.
- ``REMINDER#<account id>`` / ``<valid_to>`` — the account was reminded of that end date.
- ``OUTBOX#<first event id>`` / ``OUTBOX`` — a write's events (a staff account's work e-mail, the
  reminder's notification requests), with a 7-day ``ttl``; the stream relay publishes them.
"""
