"""The web resolves whom a logged-in person acts for once per request, over in-memory sessions
and approvals: inside an approval in force, the citizen; once it has ended, themselves, told so."""
from datetime import date, timedelta
from types import SimpleNamespace

from services.auth.principal import Principal, Role
from services.entrypoints.web.config import web_config
from services.entrypoints.web.citizen.section import CITIZEN
from services.entrypoints.web.http import Context
from services.eservices.domain.relatives import RelativeApproval
from services.entrypoints.web.sessions import start
from tests.support.fakes.eservices import eservices_deps
from tests.support.people import new_pnr


def context_for(deps, relative, citizen):
    config = web_config()
    session = start("user", deps.clock(), 1800, 3600,
                    principal=Principal(subject=relative, role=Role.RELATIVE, personnummer=relative),
                    acting_for=citizen, acting_for_name="Cecilia C")
    deps.sessions.put(session)
    request = SimpleNamespace(method="GET", context={"resourcePath": "/web/mina-sidor"}, query_params={},
                              headers={"cookie": f"{config.cookie_name}={session.session_id}"}, raw_body=b"")
    ctx = Context(request, deps, config, CITIZEN)
    ctx.load_session()
    return ctx


def approval(citizen, relative, valid_to):
    return RelativeApproval(citizen=citizen, citizen_first_name="Cecilia", citizen_last_name="C", relative=relative,
                            relative_first_name="R", relative_last_name="R", valid_from=date(2026, 1, 1),
                            valid_to=valid_to, created_by="test", created_at=eservices_deps().clock())


def test_inside_an_approval_the_relative_acts_for_the_citizen():
    deps = eservices_deps()
    citizen, relative = new_pnr(), new_pnr()
    deps.approvals.put(approval(citizen, relative, None))
    acting = context_for(deps, relative, citizen).require_user("cases.read_own")
    assert acting.subject == citizen and acting.acting_for == citizen


def test_once_the_approval_has_ended_the_relative_acts_for_themselves_and_is_told():
    deps = eservices_deps()
    citizen, relative = new_pnr(), new_pnr()
    deps.approvals.put(approval(citizen, relative, deps.clock().date() - timedelta(days=1)))
    ctx = context_for(deps, relative, citizen)
    acting = ctx.require_user("cases.read_own")
    assert acting.subject == relative and acting.acting_for is None
    stored = deps.sessions.get(ctx.session.session_id)
    assert stored.acting_for is None and "inte längre företräda Cecilia C" in stored.notice
