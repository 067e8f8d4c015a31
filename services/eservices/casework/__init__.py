"""Case work: the inbox of e-applications, intake (aktualisering), decisions, contact-person
assignments, relatives' approvals, secure messages and the audit trail.

Each module holds the use cases of one part, with its requests and views in ``models/`` and its
repository beside it (built in ``stores.py``); HTTP lives in ``eservices_svc/chalicelib``. Every
read or change of personal data by staff writes an audit record (``audit.py``).
"""
