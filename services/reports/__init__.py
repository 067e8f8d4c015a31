"""Nightly follow-up reports of home care, built from events only (never another service's table).

The shape of every context: ``domain/`` (pure: ``client_month`` state and result, personalkontinuitet;
``grants``; ``totals`` and ``fold``, a month's totals per provider and municipality; ``rows`` and who
reads which; ``schedule``, 02:00 Stockholm across daylight saving; ``render``, CSV and SVG),
``usecases/`` (``consume`` the inbox, ``build`` the nightly build, ``rebuild`` a full rebuild and
recompute, ``read`` a report, its CSV and chart), ``ports`` (the store's Protocol and ``ReportsDeps``),
``adapters/dynamo`` (the reports table: every key, expression and ``ClientError``), ``schemas`` (API
shapes), ``bootstrap`` (composition root). Two entrypoints call the use cases: ``reports_svc/app.py``
and ``cli`` (the operator's rebuild and the synthetic month's loader, ``make report``).

Decisions (where the rules leave a choice):

- Continuity (Kolada): counted for a client aged 65 or more on the month's first day, in every
  14-day window that ends in the month (31 in a 31-day month; a window belongs to the month of its
  last day, so each window of a year is counted once, and the first 13 reach into the month
  before), when the window holds at least 28 visit occasions (two a day) that start 07:00–22:00
  local time; unplanned visits (how the staff app registers safety-alarm call-outs), visits with
  only meal delivery and visits where the client was absent are left out. Two staff of a
  double-staffed visit are one occasion and two staff. Per provider and month: the median and mean
  over every counted (client, window), and the share of counted clients whose largest window
  exceeds 20 staff. A client-month keeps the previous month's last 13 days (occasions and staff per
  day and provider); a change in a month's last 13 days recomputes the next month, if it exists.
- Granted time: ``services.domain.granted`` (day by day, matched per insats or the umbrella
  home-care grant). It belongs to the provider the decision names; otherwise to the provider that
  performed most for the client that month.
- Performed minutes of a visit with several insatser are split evenly (``split_minutes``); a
  double-staffed visit is two visits (each staff member's) and its time counts twice.
- Approved minutes: performed minutes of visits the provider has approved.
- Absence days: the days of each absence inside the month, per kind, for the provider that
  registered it; an open-ended absence counts to the month's end.
- Where the work happens: at event time. The consumer recomputes a client-month's result when its
  events arrive (it has the state in hand), stores it as the client-month's summary, and brings the
  month's totals (sums and histograms in 8 parts, ``fold``) from the old result to the new one. The
  nightly build reads the 8 parts and makes the report: its work does not grow with the changes.
  A full rebuild (on demand, and when the totals missed a change) adds up every summary and sets
  the totals again; ``recompute`` (``make report MONTH=… RECOMPUTE=1``) makes every result again from
  the states, for when these rules change. All give the same report.
- A report keeps the version of each client-month it was built from; its rows are those versions'
  results (each version's result is kept 14 days), so rows and totals agree until the next build.
- A decision naming a provider opens the months still open for registration (a client granted time
  but not visited is in the report); other months it reaches are recomputed if they exist.
- Each report carries ``built_at`` and ``data_until`` (the latest event it includes); what arrives
  after a build's start is in the next one.
- Clients appear masked in rows (``YYYYMMDD-****``); provider staff never get the municipality's
  totals (they would reveal the other providers').
- CSV: semicolons, decimal commas, a byte-order mark (a Swedish spreadsheet opens it as it is).
- The visits behind a figure (``usecases/follow_up``, ``domain/behind``) come from the client-months'
  own state (``client_month_states``: the state without its results), counted by the same rules as
  ``compute`` (a figure and its list agree); a client is named by its place among the clients of the
  month's build (``client_no``), never by personnummer in an address. "Avvisade händelser" counts
  rejected events, which are no visits: its list says so.
- Twelve months' trend: each month's report as built (read, never rebuilt); a case worker gets no
  providers' totals (they hold every client), so no trend and no provider warnings.
- Early warnings: ``domain/warnings`` (its docstring states the three rules and their thresholds).
"""
