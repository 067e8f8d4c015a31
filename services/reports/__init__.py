"""Nightly follow-up reports of home care, built from events only (never another service's table).

Modules: ``domain`` (client-month state and result, personalkontinuitet; pure), ``fold`` (totals
per provider and municipality; pure), ``schedule`` (02:00 Stockholm across daylight saving; pure),
``render`` (CSV and SVG; pure), ``ports`` (what the use cases need of a store), ``store`` (DynamoDB),
``service`` (use cases), ``schemas`` (API shapes), ``bootstrap`` (composition root), ``cli``
(the operator's rebuild and the synthetic month's loader).

Decisions where the issue is silent:

- Continuity (Kolada): counted for a client aged 65 or more on the month's first day, in every
  14-day window inside the month (18 in a 31-day month), when the window holds at least 28 visit
  occasions (two a day) that start 07:00–22:00 local time; unplanned visits (how the staff app
  registers safety-alarm call-outs), visits with only meal delivery and visits where the client
  was absent are left out. Two staff of a double-staffed visit are one occasion and two staff.
  Per provider and month: the median and mean over every counted (client, window), and the
  share of counted clients whose largest window exceeds 20 staff.
- Granted time: ``services.domain.granted`` (day by day, matched per insats or the umbrella
  home-care grant). It belongs to the provider the decision names; otherwise to the provider that
  performed most for the client that month.
- Performed minutes of a visit with several insatser are split evenly (``split_minutes``); a
  double-staffed visit is two visits (each staff member's) and its time counts twice.
- Approved minutes: performed minutes of visits the provider has approved.
- Absence days: the days of each absence inside the month, per kind, for the provider that
  registered it; an open-ended absence counts to the month's end.
- Where the work happens: the consumer recomputes a client-month's result when its events arrive
  (it has the state in hand) and leaves it, with the state's version, in a change item per batch;
  the nightly build folds the changes since the previous build into the published results and the
  report. A full rebuild recomputes every client-month from its state. Both give the same report.
- A decision naming a provider opens the months still open for registration (a client granted time
  but not visited is in the report); other months it reaches are recomputed if they exist.
- Each report carries ``built_at`` and ``data_until`` (the latest event it includes); what arrives
  after a build's start is in the next one.
- Clients appear masked in rows (``YYYYMMDD-****``); provider staff never get the municipality's
  totals (they would reveal the other providers').
- CSV: semicolons, decimal commas, a byte-order mark (a Swedish spreadsheet opens it as it is).
"""
