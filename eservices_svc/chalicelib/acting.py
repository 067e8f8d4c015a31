"""Whom an API call acts for, resolved once per request: the caller, or the citizen named in
``X-Acting-For`` (which the HTTP layer has parsed) if that citizen approved them today. The
citizen use cases take the resulting ``Acting``, never the request."""
from services.eservices.bootstrap import deps


def acting(call):
    from services.eservices.acting_for import resolve_acting

    return resolve_acting(deps(), call.who, call.acting_for)
