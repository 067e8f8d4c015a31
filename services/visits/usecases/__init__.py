"""The use cases of visits, one module per feature; each takes ``VisitsDeps`` (``ports.py``), the
acting ``Principal`` and the command's fields, and reaches the table only through the ports.

``ingest`` (the staff app's events onto the queue), ``processing`` (the queue's consumer: events
into client-days and visits), ``reading`` (visits in pages, one visit), ``approval``, ``edits``
(edits and post-registrations), ``deviations`` (the case worker's decisions), ``rejected`` (rejected
events and their corrections), ``absences``, ``devices``, ``staff``, ``domain_events`` (decisions
published) and ``granted_check`` (visits against the decisions); ``day_writes`` (the one way a
client-day changes) and ``guards`` (who may, which period is open) serve them."""
