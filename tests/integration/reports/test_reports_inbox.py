"""The reports inbox on the moto server: the consumer takes visit, absence and decision events in
any order, twice, and fails only what it cannot take; the nightly schedule builds once."""
import json
import random
from datetime import datetime, timezone

from services.contracts.events import Envelope, VisitChanged
from services.reports.usecases.build import build, nightly
from services.reports.usecases.read import read_report
from services.reports.usecases.rebuild import rebuild, recompute
from services.reports.bootstrap import deps
from services.synthetic import month_events
from tests.support.people import new_pnr


def bodies(events):
    return [e.model_dump_json() for e in events]


def deliver(app, events, size=10):
    failures = []
    for i in range(0, len(events), size):
        failures += app.sqs("on_event", bodies(events[i:i + size]))["batchItemFailures"]
    return failures


def test_given_a_month_shuffled_and_redelivered_when_consumed_then_the_report_equals_the_orderly_one(app_client):
    app = app_client("reports")
    events = list(month_events(41, year=2031, month=3, clients=5))
    assert deliver(app, events) == []
    orderly = rebuild(deps(), "2031-03")
    again = events + events[::3]
    random.Random(2).shuffle(again)
    assert deliver(app, again, size=9) == []
    shuffled = rebuild(deps(), "2031-03")
    for r in (orderly, shuffled):
        for k in ("built_at", "touched_until"):
            r.pop(k)
    assert orderly == shuffled
    assert orderly["municipality"]["visits"] > 300 and orderly["client_months"] == 5


def test_given_a_batch_with_an_unknown_version_when_consumed_then_only_that_record_comes_back(app_client):
    good = VisitChanged(visit_id="v1", client=new_pnr(1941), provider_id="prov-x", year=2031, month=4,
                        visit_version=1).envelope("visits")
    bad = Envelope(**{**good.model_dump(), "event_id": "bad", "version": 7})
    result = app_client("reports").sqs("on_event", [good.model_dump_json(), bad.model_dump_json(), "not json"],
                                       ["m-good", "m-bad", "m-garbled"])
    assert sorted(f["itemIdentifier"] for f in result["batchItemFailures"]) == ["m-bad", "m-garbled"]


def test_given_the_schedule_when_fired_at_00_and_01_utc_then_only_the_02_00_local_run_builds(app_client):
    app = app_client("reports")
    events = list(month_events(43, year=2031, month=5, clients=2))
    assert deliver(app, events) == []
    summer = datetime(2031, 6, 2, 0, 0, tzinfo=timezone.utc)  # 02:00 CEST
    assert nightly(deps(), datetime(2031, 6, 2, 1, 0, tzinfo=timezone.utc)) == []  # 03:00 CEST
    built = nightly(deps(), summer)
    assert "2031-05" in built
    assert nightly(deps(), summer) == []  # the same night again: once
    assert deps().store.report("2031-05")["client_months"] == 2


def test_given_the_chalice_schedule_when_declared_then_it_fires_at_00_and_01_utc(app_client):
    sources = [s for s in app_client("reports").module.app.event_sources if type(s).__name__ == "ScheduledEventConfig"]
    (cron,) = [s.schedule_expression for s in sources]
    assert json.dumps([cron.minutes, cron.hours]) == json.dumps([0, "0,1"])


def test_given_changes_after_a_build_when_built_incrementally_on_dynamodb_then_it_equals_a_full_rebuild(app_client):
    from services.contracts.events import VisitChangedV2, split_minutes

    app = app_client("reports")
    events = list(month_events(47, year=2031, month=8, clients=4))
    assert deliver(app, events) == []
    before = rebuild(deps(), "2031-08")
    later = []
    for e in [e for e in events if e.event_type == "visit.changed"][::40]:
        v = e.parse()
        minutes = v.visit.minutes + 3
        later.append(VisitChangedV2(**{**v.model_dump(exclude={"visit"}), "visit_version": v.visit_version + 1},
                                    visit=v.visit.model_copy(update={"minutes": minutes, "insatser": split_minutes(
                                        minutes, [i.insats for i in v.visit.insatser])})).envelope("visits"))
    assert deliver(app, later) == []
    incremental = build(deps(), "2031-08")
    full = rebuild(deps(), "2031-08")
    assert incremental["build"] == "incremental" and incremental["versions"] != before["versions"]
    assert incremental["municipality"]["performed_minutes"] > before["municipality"]["performed_minutes"]
    for r in (incremental, full):
        for k in ("built_at", "build", "touched_until"):
            r.pop(k)
    assert incremental == full


def test_given_a_change_after_the_build_on_dynamodb_when_read_then_rows_and_totals_are_the_builds(app_client):
    """The rows come from the versions the report was built from (kept for a while after they
    change); the next build shows the change in both."""
    from services.auth.principal import Principal, Role
    from services.contracts.events import VisitChangedV2, split_minutes

    ou = Principal(subject="ou", role=Role.ORDERING_UNIT, user_id="ou")
    app = app_client("reports")
    events = list(month_events(53, year=2031, month=9, clients=3))
    assert deliver(app, events) == []
    before = build(deps(), "2031-09")["municipality"]["performed_minutes"]
    v = next(e.parse() for e in events if e.event_type == "visit.changed" and e.payload["visit"]["insatser"])
    longer = v.visit.minutes + 45
    assert deliver(app, [VisitChangedV2(**{**v.model_dump(exclude={"visit"}), "visit_version": v.visit_version + 1},
                                        visit=v.visit.model_copy(update={"minutes": longer, "insatser": split_minutes(
                                            longer, [i.insats for i in v.visit.insatser])})).envelope("visits")]) == []
    read = read_report(deps(), ou, "2031-09")
    assert read["municipality"]["performed_minutes"] == before == sum(r["performed"] for r in read["rows"])
    build(deps(), "2031-09")
    read = read_report(deps(), ou, "2031-09")
    assert read["municipality"]["performed_minutes"] == before + 45 == sum(r["performed"] for r in read["rows"])
    # an operator's recompute (every result again from the states) changes nothing here
    again = recompute(deps(), "2031-09")
    assert again["providers"] == build(deps(), "2031-09")["providers"] == read["providers"]


def test_given_a_late_previous_month_on_dynamodb_when_consumed_then_the_months_first_windows_count_it(app_client):
    """October's first windows begin in September: September's visits arriving after October's
    recompute October, and the nightly build's totals follow."""
    app = app_client("reports")
    october = list(month_events(59, year=2031, month=10, clients=4))
    september = [e for e in month_events(59, year=2031, month=9, clients=4) if e.event_type == "visit.changed"]
    assert deliver(app, october) == []
    alone = rebuild(deps(), "2031-10")["municipality"]["continuity"]["windows"][0]
    assert deliver(app, september) == []
    full = rebuild(deps(), "2031-10")
    first = full["municipality"]["continuity"]["windows"][0]
    assert alone["clients"] == 0 and first["from"] == "2031-09-18" and first["clients"] > 0
    incremental = build(deps(), "2031-10")
    for r in (incremental, full):
        for k in ("built_at", "build", "touched_until"):
            r.pop(k)
    assert incremental == full
