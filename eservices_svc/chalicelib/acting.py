"""Whom an e-services API call acts for, as the HTTP layer resolves it once per request for every
operation declared ``acting=True``: the caller, or the citizen named in ``X-Acting-For`` if that
citizen approved them today (403 otherwise). The citizen use cases take the resulting ``Acting``."""
from services.eservices.bootstrap import deps


def acting_party(who, acting_for):
    from services.eservices.acting_for import resolve_acting  # with the use cases: not at a cold start

    return resolve_acting(deps(), who, acting_for)
