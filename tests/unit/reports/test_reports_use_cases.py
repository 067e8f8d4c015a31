"""Reports use cases on the in-memory store: the consumer, the nightly build, full rebuilds, reading."""
import random
from datetime import datetime, timedelta, timezone

import pytest

from services.auth.principal import Principal, Role
from services.contracts.events import Envelope, VisitChangedV2, split_minutes
from services.domain.errors import Forbidden, NotFound
from services.reports.ports import ReportsDeps
from services.reports.usecases.build import build, nightly
from services.reports.usecases.consume import consume
from services.reports.usecases.read import read_report
from services.reports.usecases.rebuild import rebuild, recompute
from services.synthetic import month_events
from tests.support.fakes.common import Clock
from tests.support.fakes.reports import FakeReportsStore

OU = Principal(subject="ou", role=Role.ORDERING_UNIT, user_id="ou")
KOMMUNAL = Principal(subject="s", role=Role.PROVIDER_COORDINATOR, user_id="s", provider_id="prov-kommunal")


def deps(now=datetime(2026, 11, 2, 12, tzinfo=timezone.utc)):
    return ReportsDeps(store=FakeReportsStore(), clock=Clock(now))


def feed(d, envelopes, size=10):
    failed = set()
    for i in range(0, len(envelopes), size):
        chunk = envelopes[i:i + size]
        failed |= consume(d, [(f"m{i + j}", e) for j, e in enumerate(chunk)])
    return failed


@pytest.fixture(scope="module")
def month():
    return list(month_events(11, clients=16))


def test_given_the_same_events_in_any_order_and_twice_when_consumed_then_reports_are_identical(month):
    a, b = deps(), deps()
    assert feed(a, month) == set()
    shuffled = month + month[: len(month) // 3]
    random.Random(5).shuffle(shuffled)
    assert feed(b, shuffled, size=7) == set()
    ra, rb = rebuild(a, "2026-10"), rebuild(b, "2026-10")
    for r in (ra, rb):
        r.pop("built_at")
        assert set(r.pop("versions")) == set(a.store.grant_items)  # versions count writes, which differ
    assert ra == rb and ra["municipality"]["visits"] > 0


def test_given_changes_after_a_build_when_built_incrementally_then_it_equals_a_full_rebuild(month):
    d = deps()
    feed(d, month)
    before = rebuild(d, "2026-10")
    # 1 % of the visits change (a later version), some at clients never touched before the build
    visits = [e for e in month if e.event_type == "visit.changed"]
    picked = random.Random(3).sample(visits, max(3, len(visits) // 100))
    later = []
    for e in picked:
        v = e.parse()
        minutes = v.visit.minutes + 7
        content = v.visit.model_copy(update={"status": "approved", "minutes": minutes, "insatser": split_minutes(
            minutes, [i.insats for i in v.visit.insatser])})
        later.append(VisitChangedV2(**{**v.model_dump(exclude={"visit"}), "visit_version": v.visit_version + 5},
                                    visit=content).envelope("visits"))
    d.clock.at += timedelta(hours=1)
    assert feed(d, later) == set()
    d.clock.at += timedelta(hours=1)
    incremental = build(d, "2026-10")
    full = rebuild(d, "2026-10")
    assert incremental["build"] == "incremental" and full["build"] == "full"
    assert incremental["versions"] != before["versions"]
    for r in (incremental, full):
        for k in ("built_at", "build", "touched_until"):
            r.pop(k)
    assert incremental == full


def test_given_a_change_after_the_build_when_read_then_it_shows_in_the_next_build_only(month):
    d = deps()
    feed(d, month)
    before = rebuild(d, "2026-10")["municipality"]["performed_minutes"]
    v = next(e for e in month if e.event_type == "visit.changed").parse()
    v = next(p for p in (e.parse() for e in month if e.event_type == "visit.changed") if p.visit.insatser)
    longer = v.visit.minutes + 60
    bumped = VisitChangedV2(**{**v.model_dump(exclude={"visit"}), "visit_version": 99},
                            visit=v.visit.model_copy(update={"minutes": longer, "insatser": split_minutes(
                                longer, [i.insats for i in v.visit.insatser])}))
    d.clock.at += timedelta(hours=3)
    feed(d, [bumped.envelope("visits")])
    read = read_report(d, OU, "2026-10")
    # the totals and the rows are those of the build, not of the change after it
    assert read["municipality"]["performed_minutes"] == before == sum(r["performed"] for r in read["rows"])
    d.clock.at += timedelta(hours=1)
    build(d, "2026-10")
    read = read_report(d, OU, "2026-10")
    assert read["municipality"]["performed_minutes"] == before + 60 == sum(r["performed"] for r in read["rows"])


def test_given_a_conflicting_writer_when_a_batch_is_consumed_then_only_that_client_months_messages_fail(month):
    d = deps()
    visits = [e for e in month if e.event_type == "visit.changed"][:40]
    clients = sorted({e.payload["client"] for e in visits})
    d.store.fail_next_save.add(("2026-10", clients[0]))
    batch = [(f"m{i}", e) for i, e in enumerate(visits)]
    failed = consume(d, batch)
    expected = {mid for mid, e in batch if e.payload["client"] == clients[0]}
    assert failed == expected and expected
    assert consume(d, [b for b in batch if b[0] in failed]) == set()  # redelivered: goes through


def test_given_an_unknown_event_version_when_consumed_then_only_it_fails(month):
    d = deps()
    good = next(e for e in month if e.event_type == "visit.changed")
    bad = Envelope(event_id="x", event_type="visit.changed", version=9, occurred_at=good.occurred_at,
                   source="visits", payload=good.payload)
    assert consume(d, [("ok", good), ("bad", bad)]) == {"bad"}


def test_given_the_nightly_schedule_when_fired_at_both_hours_and_twice_then_it_builds_once(month):
    d = deps()
    feed(d, month)
    night = datetime(2026, 11, 3, 1, 0, tzinfo=timezone.utc)  # 02:00 CET
    assert nightly(d, datetime(2026, 11, 3, 0, 0, tzinfo=timezone.utc)) == []
    assert nightly(d, night) == ["2026-10", "2026-11"]  # granted time opens November
    assert nightly(d, night) == []  # redelivered schedule event
    built = d.store.report("2026-10")
    full = rebuild(d, "2026-10")
    assert built["build"] == "incremental" and built["providers"] == full["providers"]


def test_given_a_providers_coordinator_when_reading_then_only_their_provider_and_never_another(month):
    d = deps()
    feed(d, month)
    rebuild(d, "2026-10")
    mine = read_report(d, KOMMUNAL, "2026-10")
    assert {p["provider_id"] for p in mine["providers"]} == {"prov-kommunal"}
    assert mine["municipality"] is None and {r["provider_id"] for r in mine["rows"]} == {"prov-kommunal"}
    with pytest.raises(Forbidden):
        read_report(d, KOMMUNAL, "2026-10", provider_id="prov-vardnara")
    everyone = read_report(d, OU, "2026-10")
    assert len(everyone["providers"]) == 4 and everyone["municipality"]["clients"] >= 16
    with pytest.raises(NotFound):
        read_report(d, OU, "2026-09")


def test_given_a_case_worker_when_reading_then_only_the_rows_of_their_own_clients_and_no_totals(month):
    """GIVEN a month and a decision for one of its clients on a case of case worker hl-1 WHEN hl-1
    reads the report THEN only that client's rows, no provider or municipality totals; another case
    worker reads no rows; a case worker cannot widen it by naming a provider."""
    from datetime import date

    from services.contracts.events import DecisionPublishedV2, GrantedTime

    d = deps()
    feed(d, month)
    visit = next(e.payload for e in month if e.event_type == "visit.changed" and e.payload.get("visit"))
    client, provider = visit["client"], visit["provider_id"]
    decision = DecisionPublishedV2(decision_id="d-hl-1", case_id="c", case_number="2026-000001", client=client,
                                   insats="hemtjanst", law="SoL", outcome="granted", granted_minutes_per_month=600,
                                   valid_from=date(2026, 1, 1), decided_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
                                   granted=[GrantedTime(insats="personlig_omsorg", minutes_per_month=600)],
                                   provider_id=provider, case_worker_id="hl-1")
    assert feed(d, [decision.envelope("eservices")]) == set()
    rebuild(d, "2026-10")
    mine = Principal(subject="hl-1", role=Role.CASE_WORKER, user_id="hl-1")
    seen = read_report(d, mine, "2026-10")
    everyone = read_report(d, OU, "2026-10")
    from services.domain.personnummer import mask

    theirs = [r for r in everyone["rows"] if r["client"] == mask(client)]
    assert theirs and seen["rows"] == theirs and len(theirs) < len(everyone["rows"])
    assert (seen["providers"], seen["municipality"]) == ([], None)
    assert read_report(d, mine, "2026-10", provider_id=provider)["providers"] == []
    other = Principal(subject="hl-2", role=Role.CASE_WORKER, user_id="hl-2")
    assert read_report(d, other, "2026-10")["rows"] == []


def test_given_a_decision_whose_client_month_conflicts_when_consumed_then_the_decision_comes_back(month):
    from services.contracts.events import DecisionPublishedV2, GrantedTime

    d = deps()
    visit = next(e for e in month if e.event_type == "visit.changed")
    client = visit.payload["client"]
    assert consume(d, [("v", visit)]) == set()
    decision = DecisionPublishedV2(decision_id="new", case_id="c", case_number="2026-9", client=client,
                                   insats="hemtjanst", law="SoL", outcome="granted", granted_minutes_per_month=60,
                                   valid_from=datetime(2026, 10, 1).date(), decided_at=d.clock(),
                                   granted=[GrantedTime(insats="service", minutes_per_month=60)], provider_id="p")
    d.store.fail_next_save.add(("2026-10", client))
    assert consume(d, [("dec", decision.envelope("eservices"))]) == {"dec"}
    assert consume(d, [("dec", decision.envelope("eservices"))]) == set()  # redelivered
    rebuild(d, "2026-10")
    rows = read_report(d, OU, "2026-10")["rows"]
    assert any(r["insats"] == "service" and r["granted"] == 60 for r in rows)


def test_given_a_nightly_build_that_fails_when_the_schedule_retries_then_the_night_runs_again(month):
    d = deps()
    feed(d, month[:200])
    night = datetime(2026, 11, 3, 1, 0, tzinfo=timezone.utc)
    broken = d.store.touched_months
    d.store.touched_months = lambda: (_ for _ in ()).throw(RuntimeError("store down"))
    with pytest.raises(RuntimeError):
        nightly(d, night)
    d.store.touched_months = broken
    assert nightly(d, night) != []


def _without_build_marks(report):
    for k in ("built_at", "build", "touched_until", "versions"):
        report.pop(k)
    return report


def test_given_september_and_october_in_either_order_when_consumed_then_octobers_first_windows_count_september(month):
    """Windows ending in October's first 13 days begin in September: September's last days reach
    October whichever month's events come first (a late September change recomputes October)."""
    september = [e for e in month_events(11, year=2026, month=9, clients=16) if e.event_type == "visit.changed"]
    a, b, alone = deps(), deps(), deps()
    assert feed(a, september + month) == set()
    assert feed(b, month + september) == set()
    assert feed(alone, month) == set()
    ra, rb = (_without_build_marks(rebuild(x, "2026-10")) for x in (a, b))
    assert ra == rb
    first = ra["municipality"]["continuity"]["windows"][0]
    assert first["from"] == "2026-09-18" and first["clients"] > 0
    assert rebuild(alone, "2026-10")["municipality"]["continuity"]["windows"][0]["clients"] == 0
    assert _without_build_marks(build(b, "2026-10")) == rb  # the month's totals followed too


def _later(envelope, minutes=7, bump=5):
    v = envelope.parse()
    longer = v.visit.minutes + minutes
    return VisitChangedV2(**{**v.model_dump(exclude={"visit"}), "visit_version": v.visit_version + bump},
                          visit=v.visit.model_copy(update={"minutes": longer, "insatser": split_minutes(
                              longer, [i.insats for i in v.visit.insatser])})).envelope("visits")


def test_given_the_month_totals_not_saved_when_the_batch_comes_back_then_they_catch_up(month):
    d = deps()
    assert feed(d, month) == set()
    rebuild(d, "2026-10")
    changes = [(f"c{i}", _later(e)) for i, e in enumerate([e for e in month if e.event_type == "visit.changed"][:10])]
    d.store.fail_next_accumulator = 1000  # every attempt: the client-months are saved, the totals are not
    failed = consume(d, changes)
    assert failed == {mid for mid, _ in changes}
    d.store.fail_next_accumulator = 0
    assert consume(d, changes) == set()  # redelivered: nothing new to apply, the totals catch up
    incremental, full = build(d, "2026-10"), rebuild(d, "2026-10")
    assert incremental["build"] == "incremental"
    assert _without_build_marks(incremental) == _without_build_marks(full)


def test_given_totals_that_missed_two_changes_when_built_then_a_full_rebuild_sets_them_again(month):
    d = deps()
    assert feed(d, month) == set()
    rebuild(d, "2026-10")
    visits = [e for e in month if e.event_type == "visit.changed"]
    client = visits[0].payload["client"]
    mine = [e for e in visits if e.payload["client"] == client][:2]
    d.store.fail_next_accumulator = 1000
    first, second = ("one", _later(mine[0])), ("two", _later(mine[1]))
    assert consume(d, [first]) == {"one"} and consume(d, [second]) == {"two"}
    d.store.fail_next_accumulator = 0
    assert consume(d, [first, second]) == set()
    built = build(d, "2026-10")
    assert built["build"] == "full"  # the totals could not take the old result out exactly
    again, full = build(d, "2026-10"), rebuild(d, "2026-10")
    assert again["build"] == "incremental"
    assert _without_build_marks(again) == _without_build_marks(full) == _without_build_marks(built)


def test_given_results_made_by_older_rules_when_recomputed_then_the_report_is_made_from_the_states_again(month):
    d = deps()
    assert feed(d, month) == set()
    right = _without_build_marks(rebuild(d, "2026-10"))
    # GIVEN stored results that the rules would no longer give (as if made by an older release)
    for key, (text, ver, res, pres) in list(d.store.cms.items()):
        stale = {**res, "parts": [{**p, "rows": []} for p in res["parts"]]}
        d.store.cms[key] = (text, ver, stale, pres)
        d.store.sums[key] = (ver, stale)
    assert rebuild(d, "2026-10")["municipality"]["performed_minutes"] == 0
    # WHEN recomputed THEN the results, the summaries and the month's totals are right again
    again = recompute(d, "2026-10")
    assert again["build"] == "full"
    again, incremental = _without_build_marks(again), _without_build_marks(build(d, "2026-10"))
    assert again == incremental and again["providers"] == right["providers"]
