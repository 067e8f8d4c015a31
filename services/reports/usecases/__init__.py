"""Reports' use cases, one module per use case: ``consume`` (the inbox), ``build`` (the nightly
build), ``rebuild`` (a full rebuild and ``recompute``), ``read`` (a report, its CSV and chart). Each
takes ``ReportsDeps`` (``ports``), the acting principal where it reads, and domain values."""
