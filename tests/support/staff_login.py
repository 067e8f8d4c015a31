"""Logging a staff member in to the case workers' section (``/eservices/personal``) in tests.

Until Insats' own authorization server (the identity app) answers, a test puts a logged-in session
of the section straight into the session store, as a completed login would leave it, and hands
its id to the browser as the section's cookie. ``staff_session`` is the one function to swap for
the real login walk (``/eservices/personal/logga-in`` → ``/identity/authorize`` → ``…/logga-in/klar``)."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone
from typing import Any

from services.auth.principal import Principal, Role

_ids = itertools.count(1)


def staff_principal(role: str = "case_worker", *, user_id: str | None = None, name: str = "Marita Aronsson",
                    **claims: Any) -> Principal:
    """A staff member as Insats' token names them (a provider role gets a provider)."""
    user_id = user_id or f"{role}-{next(_ids)}-{datetime.now(timezone.utc).strftime('%H%M%S%f')}"
    if Role(role) in (Role.PROVIDER_STAFF, Role.PROVIDER_COORDINATOR, Role.PROVIDER_MANAGER):
        claims.setdefault("provider_id", "utforare-test")
        claims.setdefault("organisation_id", claims["provider_id"])
    if Role(role) in (Role.CITIZEN, Role.RELATIVE, Role.CONTACT_PERSON):
        from tests.support.people import new_pnr

        claims.setdefault("personnummer", new_pnr())
    return Principal(subject=user_id, role=Role(role), user_id=user_id, name=name, **claims)


def staff_session(sessions: Any, principal: Principal, *, now: datetime | None = None, section: Any = None) -> str:
    """A logged-in session of the case workers' section (or ``section``) for ``principal`` in
    ``sessions`` (that section's app's session store); returns the value of the section's cookie."""
    from services.entrypoints.web.sessions import start

    if section is None:
        from services.entrypoints.web.casework.section import CASEWORK as section
    config = section.config()
    session = start("user", now or datetime.now(timezone.utc), config.idle_seconds, config.absolute_seconds,
                    section=section.name, principal=principal)
    sessions.put(session)
    return session.session_id


def visits_session(principal: Principal) -> str:
    """A logged-in session of the visits section (``/visits/personal``) in the visits app's own store."""
    from services.entrypoints.web.visits.section import VISITS
    from services.visits.bootstrap import deps

    return staff_session(deps().sessions, principal, section=VISITS)


def staff_cookie_name() -> str:
    from services.entrypoints.web.casework.section import staff_config

    return staff_config().cookie_name


def stack_session_cookie(moto_endpoint: str, principal: Principal, base_url: str) -> dict[str, Any]:
    """For a browser against the local stack (``make run``; ``tests/browser``): a logged-in session
    of the section put into the stack's own session store (its moto), as the cookie Playwright's
    ``context.add_cookies`` takes."""
    import boto3

    from services.entrypoints.web.adapters.sessions import SessionRepository
    from services.entrypoints.web.casework.section import staff_config
    from tests.support.stack import REGION

    table = boto3.resource("dynamodb", endpoint_url=moto_endpoint, region_name=REGION, aws_access_key_id="testing",
                           aws_secret_access_key="testing").Table("insats-eservices")
    session_id = staff_session(SessionRepository(table), principal)
    return {"name": staff_config().cookie_local, "value": session_id, "url": base_url, "httpOnly": True,
            "sameSite": "Lax"}


def stack_visits_cookie(moto_endpoint: str, principal: Principal, base_url: str) -> dict[str, Any]:
    """As ``stack_session_cookie``, for the visits section (``/visits/personal``): a session in the
    stack's visits table, as the section's cookie."""
    import boto3

    from services.entrypoints.web.adapters.sessions import SessionRepository
    from services.entrypoints.web.visits.section import VISITS, visits_config
    from tests.support.stack import REGION

    table = boto3.resource("dynamodb", endpoint_url=moto_endpoint, region_name=REGION, aws_access_key_id="testing",
                           aws_secret_access_key="testing").Table("insats-visits")
    session_id = staff_session(SessionRepository(table), principal, section=VISITS)
    return {"name": visits_config().cookie_local, "value": session_id, "url": base_url, "httpOnly": True,
            "sameSite": "Lax"}
