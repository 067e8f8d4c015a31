"""The visits domain: events, visits, devices, absences and rejected events (``model``), pure checks
and limits (``rules``), visits built from a client-day's set of events (``builder``), the client-day
and its key (``days``), the versions of a visit (``versions``) and the events a change sends
(``outgoing``). No store, no key string, no I/O."""
