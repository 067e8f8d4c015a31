"""Case work: the inbox of e-applications, intake (aktualisering), decisions, contact-person
assignments, relatives' approvals, secure messages and the audit trail.

Aggregates and rules in ``domain/``; one module of use cases per part in ``usecases/``, with its
requests and views in ``models/``; the repositories they are typed with in ``ports.py``, over
DynamoDB in ``adapters/``, wired in ``bootstrap.py``. HTTP lives in ``eservices_svc/chalicelib``.
Every read or change of personal data by staff writes an audit record (``usecases/audit.py``).
"""
