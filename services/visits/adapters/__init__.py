"""The visits table (single-table design; only visits reads it), one DynamoDB adapter per aggregate:
``client_days`` (days, visits, rejected events, month listings), ``devices``, ``staff``, ``absences``,
``grants`` (the decisions projection and the months waiting for one) and ``lookups`` (what a batch
of events needs, in one batched read). Every key, condition, expression and ``ClientError`` of
visits is in this folder; ``batches`` is their shared batched read and write.

Key spaces:

- ``DAY#<provider>#<client>#<day>`` / ``DAY`` — one client-day (Europe/Stockholm date): its
  events (by event id: a resend has the same key, so the event id is its own idempotency record),
  the visits that began that day and its rejected events, in one item (``body``, compressed JSON),
  written whole with a condition on its ``version`` (put if unchanged, or if absent). One item per
  client-day: one write per changed day, one writer at a time (a loser re-reads and re-applies),
  no other writer's change lost. The write carries its events in ``outbox`` (relayed from the
  table's stream, with event ids derived from the item's key and version). ``minutes``: the day's
  performed time; ``counted``: what this version added to its month's summary.
- ``MONTHSUM#<provider>#<yyyy-mm>`` / ``<client>`` — the month's kept summary of a client's visits
  at the provider (``domain.summaries``: counts of visits, minutes, unresolved exceptions per kind,
  open visits per day). A client-day write whose counts change is a ``TransactWriteItems`` of the
  day's conditional put and an ``ADD`` of the difference to this item (new counts − ``counted``);
  a write that changes no count stays a plain conditional put. Read by one Query per month.
- Derived items, written before the client-day they point at (a pointer to a day that does not
  hold what it names is read as "not there"), idempotent, in batches:
  ``DAYREF#<ref>`` / ``DAY`` (a client-day by the random name its visit ids begin with → the
  day; one per day, not per visit), ``VISIT#<id>`` / ``VISIT`` (only a visit moved to another day
  since: where it is now), ``MONTH#<provider>#<yyyy-mm>`` /
  ``<client>#<day>`` (a provider's month, paged in client and day order),
  ``STAFFMONTH#<provider>#<staff>#<yyyy-mm>`` / ``<day>#<client>`` (the days with a visit of a staff
  member: "Mina registreringar" reads their month without the provider's), ``REJECTED#<provider>`` /
  ``<event id>`` (the provider's rejected events → their day; an ``unprocessable`` one, which may
  have no day, is held in this item itself).
- ``DEVICE#<id>`` / ``DEVICE`` — an NFC tag or a digital lock; ``gsi1`` = ``DEVICES#<provider>``.
- ``PROVIDER#<provider>`` — ``STAFF#<user>`` (the staff registry), ``TAGCOUNT`` (active tags),
  ``ABSENCE#<client>#<start>#<id>``.
- ``GRANTED#<client>`` — ``DECISIONS`` (the projection of published decisions, one attribute per
  decision, so a batch reads many clients' at once) and ``WAITING#<provider>#<yyyy-mm>`` (months
  with visits that wait for a decision).
"""
