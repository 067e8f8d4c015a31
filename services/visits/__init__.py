"""Home-care visits: staff app events in; visits, deviations, approvals and absences out.

The shape of every context: ``domain/`` (``model``: events, visits, devices, absences, rejected
events; ``rules``: pure checks and limits; ``builder``: visits from a client-day's set of events,
order-independent; ``days``: the client-day, the unit of consistency, and its ``DayKey``;
``versions`` and ``outgoing``: a visit's next version and the events a change sends), ``usecases/``
(one module per feature; ``processing`` is the ``visits-ingest`` consumer, ``day_writes`` the
versioned write of a client-day, retried on conflict, ``granted_check`` visits against the
decisions), ``ports.py`` (one Protocol per aggregate — client-days, devices, staff, absences,
grants — and ``VisitsDeps``, typed with them), ``adapters/`` (the ``visits`` table: one DynamoDB
adapter per aggregate, the only code of visits that talks to DynamoDB), ``schemas`` and ``paging``
(API shapes, cursors) and ``bootstrap`` (composition root).

Decisions where the municipality's guide (Haninge's digital time registration) is silent:

- Who does what (separation of duties): staff register their own visits — an event's staff member
  is the caller (the token's user; ``staff_id`` may be left out, another's is a 422 naming it), and
  the event records who sent it (``sent_by``). The provider's coordinator (``provider_coordinator``)
  approves and unapproves visits and keeps the staff registry; nobody approves a visit they
  performed, post-registered or edited (403), and ``approved_by``/``approved_at`` say who did.
  The provider's manager (``provider_manager``, verksamhetschef) may approve and unapprove as well:
  where a provider has a single coordinator, the manager approves what that coordinator performed,
  post-registered or edited, under the same rule (never their own). Visits does not count a
  provider's coordinators (that is the staff directory's, another context's data): the rule holds
  for every provider, and a provider with several coordinators may use either. A
  coordinator may perform visits (if registered as staff) and post-register one for a staff member.
  A rejected event is corrected by the staff member who sent it. Deviation decisions stay with the
  case worker: the provider decides none, and a case worker decides only their own clients' (see
  below; another case worker's client's visit is not found).
- Staff registry: per provider in the visits table (``PROVIDER#<id>`` / ``STAFF#<user>``), kept by
  the coordinator through ``POST/GET /staff`` and ``DELETE /staff/{user_id}`` (action
  ``staff.manage``; the demo data seeds it). An event of someone not registered is rejected.
- Checks (``rules.check_event``): the tag or lock must be of the event's receipt kind, of the
  provider, bound, and to this client; device time at most 5 minutes ahead of the server; the
  month not locked. A visit longer than 12 hours is a ``long_visit`` deviation, not a refusal.
- Order-independence: a visit is derived from the set of stored events of the client-day per
  staff member in device-time order (arrival opens, departure closes; ties: arrival first,
  departure last; event id breaks the rest). A visit's id is derived from its arrival's event id.
  A visit open at midnight takes the next day's events.
- Bounds: every time sent is in 1900–2100 (``domain.bounds``), insatser lists hold 1–20, free text
  is clean. The processor still checks an event's time (older or foreign messages): an event it
  cannot handle becomes an ``unprocessable`` rejected event (kept under ``PROVIDER#<id>``, as its
  client-day may not be computable), listed and correctable; a client-day whose rebuild fails is
  planned again without the batch's events of that day. No event fails the batch for the others.
- Never dropped: events failing a check (``origin=checks``) are not stored as events; events that
  break a visit's composition (``composition``: tillsyn with other insatser, outside-home with
  in-home) or have no arrival before them (``orphan``: a departure before its arrival) are stored
  and held back. All three are listed by ``GET /rejected-events``; held ones are withdrawn by a
  later rebuild that fits them (the arrival arrived late). A correction is a new event (new id);
  it marks the rejected one corrected (who, when) and supersedes it in the event store, so a resend
  of the original from an offline phone counts no more.
- Supervision: an insats ``tillsyn_*`` makes its visit a supervision visit; other insatser in it are
  rejected (and vice versa). Temporary stay: the arrival carries ``temporary_stay``; the visit is
  registered as ``tillfallig_vistelse`` whatever was performed (the guide's rule).
- Double staffing: both staff register their own arrival/departure; the one who marks it spreads
  the mark to the overlapping visit of the other staff member at the client; marked by both is a
  deviation.
- Approved, edited and post-registered visits are frozen: rebuilds leave them and their events.
  An edit needs the approval undone first; changed times add an ``adjusted_time`` deviation.
- Granted time: the latest granted home-care (``hemtjanst``) decision in force during the month;
  refusals revoke nothing. Visits whose running month total passes it get a pending
  ``over_granted_time`` deviation for the case worker. A visit on a day no granted home-care
  decision covers gets a pending ``no_decision`` deviation (a temporary stay excepted: its decision
  is another municipality's); the month is marked (``GRANTED#<client>`` / ``WAITING#…``) and
  compared again when a decision is published, which withdraws the pending deviations it covers.
- A case worker's clients: those whose ``decision.published`` v2 names them (``case_worker_id``),
  kept by the same consumer as ``CASEWORKER#<id>`` / ``CLIENT#<client>``; the staff web's visits
  section lists the deviations waiting for them there (``usecases/deviations.pending_for_case_worker``),
  and only they decide them (``decide_deviation``, the API's and the pages' use case: 404 to another).
- Approval: only an ended visit with no deviation pending for the case worker (a manual receipt,
  time beyond the granted time, no decision): 409 naming the deviation. A manual visit carries one
  ``manual_receipt`` deviation however many of its receipts were manual.
- One visit at a time: a post-registration, or an edit of a visit's times, may not overlap another
  visit of the same staff member (422 naming ``started_at`` and the visit). Not guarded against two
  such requests at the same instant.
- Tag limit: active (not retired) tags and locks per provider, 200 by default, ``VISITS_TAG_LIMIT``
  overrides; a counter item changed in the same transaction as the order keeps concurrent orders
  within it. Tags are bound once and never re-bound, even after retirement.
- Exceptions, triaged (``domain/exceptions.py``, ``usecases/exceptions.py``): red kinds block
  approval (409 naming them: "the visit has unresolved red exceptions: overlap"), grey ones are
  acknowledged. A reason code (``domain/reason_codes.json``, applying to the kind; ``other`` with
  3–500 characters of text) resolves ``overlap``, ``manual_without_reason`` and ``absent_day`` and
  acknowledges every grey kind; ``missing_arrival``, ``missing_departure`` and
  ``waiting_for_case_worker`` are resolved only by changing the data (a correction, an edit, the case
  worker's decision): a reason for them is a 422 saying how. A resolution is kept on the visit
  (``Visit.resolutions``: kind, code, text, who, when, the version it made) and written as a
  version with the change ``resolved`` in the history (``visit.changed`` says ``updated``: nothing
  reports or billing read changed); a rebuild from events keeps it. A later edit re-opens the
  resolutions of ``edited``, ``overlap`` and ``long_visit`` (they were about the times then); the
  others stand. Nobody resolves a red exception of a visit they performed, registered or changed
  (separation of duties, as for approval); a grey one they may acknowledge. Coordinators and the
  provider's manager (``exceptions.read`` / ``exceptions.resolve``), of their own provider. The
  month's list reads the month, the provider's absences and its rejected events once per page; an
  overlap is found among the month's visits (a visit overlapping one of the previous month's last
  night is not seen in the list, but is by the approval, which reads both months). The reasons'
  statistics count the resolutions of the month's visits per code, and per the client's bound lock
  (``lock_failed``) or tag (``tag_unreadable``).
- Absences end once ("Avsluta", ``POST /absences/{id}/end``, ``absences.manage``): an open absence
  gets its last day; the absence's revision 2 goes out as ``absence.registered`` again (the same
  type, so no consumer or queue filter changes) with ``ends_on`` set, under a new event id; billing
  and reports keep each absence's highest revision, so the end holds whatever order the two arrive
  in. An absence with an end is not ended again (409); the end's month must be open.
- An absence's compensation, shown to the provider, is billing's own pure rule
  (``billing.domain.basis.absence_days`` over ``billing.domain.inbox.absence_months``, the rule packs
  shipped with the code, ``BILLING_MUNICIPALITY`` as billing reads it) applied to visits' own
  projection of the client's decisions; never billing's table. Preliminary: a day an approved visit
  bills, and a termination finance finds mismanaged, are billing's to drop.
- The provider's registry pages (``/personal/franvaro``, ``/personal/enheter``): the coordinator
  changes (``absences.manage``, ``tags.manage``), the provider's manager reads; staff have only their
  own page. A device's failures are the manual receipts at its client in a month (one client's month)
  and the rejected events naming it, from one look through at most 500 of the provider's rejected
  events (five pages), which the page says when it did not reach the end.
- A staff member's own month ("Mina registreringar") is read through ``STAFFMONTH#<provider>#<staff>#<month>``
  pointers to the days with a visit of theirs (written with the other pointers, before the day), so
  its cost is the member's days, not the provider's month. Their rejected events: the same bounded
  look through, filtered to theirs and open.
- One writer per client-day: every change of a client-day (events, rebuilt visits, approvals, edits,
  corrections) is one conditional write of its one item; a writer that meets another reads again and
  applies its change again (``usecases/day_writes.update_day``), so nothing is lost. A write that
  changes the day's counts adds their difference to the month's kept summary in the same transaction
  (``domain.summaries``), so the coordinator's start page never reads the month's visits.
"""
