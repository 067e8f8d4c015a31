"""Pure report rules: personalkontinuitet per 14-day window, shares, totals, granted time."""
from datetime import date, datetime, timedelta, timezone

from services.contracts.events import (AbsenceRegistered, DecisionPublishedV2, GrantedTime, VisitChangedV2,
                                       VisitContent, split_minutes)
from services.domain.calendar import STOCKHOLM
from services.domain.granted import Grant, granted_minutes
from services.reports.domain.client_month import ClientMonth, compute, continuity, grant_entries, windows
from services.reports.domain.fold import summarize
from tests.support.people import new_pnr

OLD, YOUNG = new_pnr(1940), new_pnr(1990)
T = datetime(2026, 10, 1, tzinfo=timezone.utc)


def content(day, hour, staff="s1", minutes=30, insatser=("personlig_omsorg",), **kw):
    start = datetime(2026, 10, day, hour, 0, tzinfo=STOCKHOLM)
    return VisitContent(staff_id=staff, started_at=start, ended_at=start + timedelta(minutes=minutes),
                        minutes=minutes, insatser=split_minutes(minutes, list(insatser)), **kw)


def changed(client, visit_id, c, version=1, provider="p1"):
    return VisitChangedV2(visit_id=visit_id, client=client, provider_id=provider, year=2026, month=10,
                          visit_version=version, change="created", visit=c)


def month_with(client, visits):
    cm = ClientMonth(2026, 10, client)
    for i, c in enumerate(visits):
        cm.apply(changed(client, f"v{i}", c), T)
    return cm


def two_a_day(staff_of=lambda day, n: f"s{n}", days=range(1, 32), hours=(8, 17), **kw):
    return [content(d, h, staff=staff_of(d, n), **kw) for d in days for n, h in enumerate(hours)]


def test_given_two_visits_a_day_by_two_staff_when_counted_then_every_window_counts_two():
    cm = month_with(OLD, two_a_day())
    part = compute(cm)["parts"][0]
    # a window per day of the month; the first 13 begin in September, where nothing is known here
    assert len(windows(2026, 10)) == 31 and part["continuity"] == [None] * 13 + [2] * 18


def test_given_one_visit_a_day_when_counted_then_the_client_is_not_counted():
    cm = month_with(OLD, two_a_day(hours=(8,)))
    assert compute(cm)["parts"][0]["continuity"] == [None] * 31


def test_given_a_client_under_65_when_counted_then_not_counted_whatever_the_visits():
    assert compute(month_with(YOUNG, two_a_day()))["parts"][0]["continuity"] == [None] * 31


def test_given_visits_at_night_meals_and_alarms_when_counted_then_they_are_left_out():
    base = two_a_day()
    extra = ([content(d, 23, staff=f"night{d}") for d in range(1, 32)]
             + [content(d, 12, staff=f"meal{d}", insatser=("matdistribution",)) for d in range(1, 32)]
             + [content(d, 14, staff=f"alarm{d}", unplanned=True) for d in range(1, 32)])
    assert compute(month_with(OLD, base + extra))["parts"][0]["continuity"] == [None] * 13 + [2] * 18


def test_given_a_new_staff_member_each_day_when_counted_then_windows_see_fourteen_or_more():
    cm = month_with(OLD, two_a_day(staff_of=lambda day, n: f"d{day}-{n}"))
    assert compute(cm)["parts"][0]["continuity"] == [None] * 13 + [28] * 18


def test_given_a_window_on_the_autumn_change_when_counted_then_local_time_decides_07_to_22():
    # 2026-10-25: clocks go back; a visit at 06:30 local (05:30 UTC) is outside, 07:00 local inside.
    visits = two_a_day()
    visits.append(VisitContent(staff_id="early", started_at=datetime(2026, 10, 25, 5, 30, tzinfo=timezone.utc),
                               ended_at=datetime(2026, 10, 25, 6, 0, tzinfo=timezone.utc), minutes=30))
    visits.append(VisitContent(staff_id="seven", started_at=datetime(2026, 10, 25, 6, 0, tzinfo=timezone.utc),
                               ended_at=datetime(2026, 10, 25, 6, 30, tzinfo=timezone.utc), minutes=30))
    values = continuity([_c(v) for v in visits], 2026, 10, True)
    assert values[-1] == 3 and values[13] == 2  # "seven" counts in windows with the 25th, "early" never


def _c(v):
    from services.reports.domain.client_month import compact
    return compact(v)


def test_given_a_grant_changing_mid_month_when_prorated_then_each_decision_counts_for_its_days():
    grants = [Grant("service", 310, date(2026, 1, 1), date(2026, 10, 15)), Grant("service", 620, date(2026, 10, 16))]
    assert granted_minutes(grants, 2026, 10) == {"service": 150 + 320}


def test_given_granted_and_performed_time_when_computed_then_rows_shares_and_deviations_add_up():
    decision = DecisionPublishedV2(decision_id="d", case_id="c", case_number="2026-1", client=OLD, insats="hemtjanst",
                                   law="SoL", outcome="granted", granted_minutes_per_month=600, provider_id="p1",
                                   valid_from=date(2026, 1, 1), decided_at=T,
                                   granted=[GrantedTime(insats="personlig_omsorg", minutes_per_month=600)])
    visits = [content(1, 8, minutes=400, status="approved", receipt_methods=["manual"]),
              content(2, 8, minutes=300, double_staffing=True),
              content(3, 8, minutes=40, insatser=("inkop",))]
    cm = month_with(OLD, visits)
    cm.apply(AbsenceRegistered(absence_id="a", client=OLD, provider_id="p1", kind="hospital",
                               starts_on=date(2026, 10, 30), ends_on=date(2026, 11, 4),
                               learned_at=T), T)
    part = compute(with_grants(cm, decision))["parts"][0]
    rows = {r["insats"]: r for r in part["rows"]}
    assert rows["personlig_omsorg"] == {"insats": "personlig_omsorg", "granted": 600, "performed": 700,
                                        "approved": 400, "visits": 2, "double_staffed": 1, "without_decision": False}
    assert rows["inkop"]["without_decision"] and rows["inkop"]["granted"] == 0
    assert part["deviations"]["manual_receipt"] == 1 and part["deviations"]["without_decision"] == 1
    assert part["absence_days"] == {"hospital": 2}
    report = summarize("2026-10", [compute(with_grants(cm, decision))], built_at=T, kind="full")
    p1 = report["providers"][0]
    assert (p1["granted_minutes"], p1["performed_minutes"], p1["share_performed"]) == (600, 740, round(740 / 600, 4))
    assert p1["beyond_granted_minutes"] == 100 and report["municipality"]["performed_minutes"] == 740


def test_given_an_absence_ended_when_its_registration_arrives_late_then_the_end_stands():
    cm = month_with(OLD, [])
    ended = AbsenceRegistered(absence_id="a", client=OLD, provider_id="p1", kind="hospital",
                              starts_on=date(2026, 10, 10), ends_on=date(2026, 10, 11), learned_at=T, revision=2)
    opened = AbsenceRegistered(absence_id="a", client=OLD, provider_id="p1", kind="hospital",
                               starts_on=date(2026, 10, 10), learned_at=T)
    assert cm.apply(ended, T) and not cm.apply(opened, T)
    assert compute(cm)["parts"][0]["absence_days"] == {"hospital": 2}
    cm.absences["b"] = ["p1", "other", "2026-10-20", None]  # stored before revisions: revision 1
    assert cm.apply(AbsenceRegistered(absence_id="b", client=OLD, provider_id="p1", kind="other",
                                      starts_on=date(2026, 10, 20), ends_on=date(2026, 10, 20), learned_at=T,
                                      revision=2), T)


def test_given_versions_out_of_order_and_twice_when_applied_then_the_highest_version_stands():
    a = content(5, 8, minutes=10)
    b = content(5, 8, minutes=50, status="approved")
    one, two = ClientMonth(2026, 10, OLD), ClientMonth(2026, 10, OLD)
    for event in (changed(OLD, "v", a, 1), changed(OLD, "v", b, 2), changed(OLD, "v", a, 1)):
        one.apply(event, T)
    for event in (changed(OLD, "v", b, 2), changed(OLD, "v", a, 1), changed(OLD, "v", b, 2)):
        two.apply(event, T)
    assert one.visits == two.visits and one.visits["v"][3][2] == 50


def test_given_a_deleted_visit_when_applied_after_its_creation_then_it_counts_no_more():
    cm = month_with(OLD, [content(5, 8)])
    gone = VisitChangedV2(visit_id="v0", client=OLD, provider_id="p1", year=2026, month=10, visit_version=2,
                          change="deleted", visit=None)
    assert cm.apply(gone, T)
    assert compute(cm)["parts"] == []


def with_grants(cm, decision):
    cm.grants = grant_entries(decision)
    return cm


def test_given_a_reader_that_fails_when_prefetched_then_the_error_reaches_the_consumer():
    import pytest

    from services.reports.usecases.rebuild import prefetched

    def parts():
        yield 1
        raise RuntimeError("store down")

    got = []
    with pytest.raises(RuntimeError, match="store down"):
        for item in prefetched(parts()):
            got.append(item)
    assert got == [1]


def test_given_a_v1_home_care_decision_when_computed_then_every_insats_counts_against_it_for_the_main_provider():
    from services.contracts.events import DecisionPublished

    v1 = DecisionPublished(decision_id="d1", case_id="c", case_number="2026-2", client=OLD, insats="hemtjanst",
                           law="SoL", outcome="granted", granted_minutes_per_month=310, valid_from=date(2026, 10, 17),
                           decided_at=T)
    cm = month_with(OLD, [content(20, 8, minutes=100, insatser=("dusch", "service")),
                          content(21, 8, minutes=10, insatser=("inkop",))])
    cm.apply(changed(OLD, "other", content(22, 8, minutes=5), provider="p2"), T)
    parts = {p["provider"]: p for p in compute(with_grants(cm, v1))["parts"]}
    assert parts["p1"]["rows"] == [{"insats": "hemtjanst", "granted": 150, "performed": 110, "approved": 0,
                                    "visits": 2, "double_staffed": 0, "without_decision": False}]
    assert parts["p2"]["rows"][0]["without_decision"] and parts["p2"]["deviations"]["without_decision"] == 1


def test_given_the_previous_months_last_days_when_counted_then_the_windows_beginning_there_count_them():
    """GIVEN two visits a day through September's last 13 days by staff "sep" and two a day in October
    by s0/s1 WHEN October is computed with September's tail THEN the window ending 1 October counts
    (26 + 2 occasions) and meets three staff; without the tail it is not counted."""
    september = ClientMonth(2026, 9, OLD)
    for day in range(18, 31):
        for n, hour in enumerate((8, 17)):
            start = datetime(2026, 9, day, hour, tzinfo=STOCKHOLM)
            september.apply(VisitChangedV2(
                visit_id=f"s{day}-{n}", client=OLD, provider_id="p1", year=2026, month=9, visit_version=1,
                change="created", visit=VisitContent(staff_id="sep", started_at=start, minutes=30,
                                                     ended_at=start + timedelta(minutes=30),
                                                     insatser=split_minutes(30, ["personlig_omsorg"]))), T)
    from services.reports.domain.client_month import tail_of

    tail = tail_of(september)
    assert list(tail) == ["p1"] and len(tail["p1"]) == 13 and tail["p1"][0] == [2, ["sep"]]
    october = month_with(OLD, two_a_day())
    alone = compute(october)["parts"][0]["continuity"]
    october.tail = tail
    joined = compute(october)["parts"][0]["continuity"]
    assert alone[:13] == [None] * 13
    assert joined[:13] == [3] * 13 and joined[13:] == [2] * 18  # the 14th's window no longer reaches September


def test_given_results_added_and_taken_away_when_folded_then_the_figures_are_those_of_the_rest():
    """Totals are sums and histograms: taking a result out leaves exactly what adding the others
    gives, and the histograms' medians and means are those of the values themselves."""
    import random
    import statistics

    from services.reports.domain.fold import add_result, hist_mean, hist_median, new_agg, report_of

    rng = random.Random(7)

    def result(i):
        values = [rng.choice([None, rng.randint(1, 30)]) for _ in range(31)]
        return {"client": str(i), "month": "2026-10", "touched_at": "", "parts": [{
            "provider": rng.choice(["p1", "p2"]), "aged_65": True, "continuity": values,
            "absence_days": {"hospital": rng.randint(0, 3)}, "deviations": {"manual_receipt": rng.randint(0, 2)},
            "rows": [{"insats": "service", "granted": rng.randint(0, 500), "performed": rng.randint(0, 600),
                      "approved": 0, "visits": 3, "double_staffed": 1, "without_decision": False}]}]}

    results = [result(i) for i in range(40)]
    everything, rest = {}, {}
    for r in results:
        add_result(everything, r)
    for r in results[10:]:
        add_result(rest, r)
    for r in results[:10]:
        add_result(everything, r, -1)
    at = datetime(2026, 11, 1, tzinfo=timezone.utc)
    assert report_of("2026-10", everything, built_at=at, kind="x", client_months=30, data_until="") == \
        report_of("2026-10", rest, built_at=at, kind="x", client_months=30, data_until="")
    values = [c for r in results[10:] for c in r["parts"][0]["continuity"] if c is not None]
    merged = new_agg(31)
    for agg in rest.values():
        for k, v in agg["p"].items():
            merged["p"][k] = merged["p"].get(k, 0) + v
    assert hist_median(merged["p"]) == float(statistics.median(values))
    assert hist_mean(merged["p"]) == round(sum(values) / len(values), 2)


def test_given_a_visit_on_a_day_the_client_is_absent_when_computed_then_the_day_is_flagged():
    """Issue 20, item 3: a day compensated as absence and performed as a visit is billed twice
    unless someone sees it. GIVEN a hospital stay of October 10–12 and visits on the 9th, the 11th
    and (the client found absent) the 12th THEN the 11th is flagged, once."""
    visits = [content(9, 8), content(11, 8), content(12, 8, client_absent=True)]
    cm = month_with(OLD, visits)
    cm.apply(AbsenceRegistered(absence_id="a", client=OLD, provider_id="p1", kind="hospital",
                               starts_on=date(2026, 10, 10), ends_on=date(2026, 10, 12), learned_at=T), T)
    part = compute(cm)["parts"][0]
    assert part["visits_on_absence_days"] == ["2026-10-11"] and part["deviations"]["visit_on_absence_day"] == 1
    report = summarize("2026-10", [compute(cm)], built_at=T, kind="full")
    assert report["providers"][0]["deviations"]["visit_on_absence_day"] == 1


def test_given_a_visit_with_two_insatser_when_reported_then_it_is_one_visit_and_each_insats_keeps_its_minutes():
    """GIVEN 22 visits, one of them double-staffed with two insatser (personlig omsorg and service)
    WHEN the month is reported THEN the provider and the municipality count 22 visits and one
    double-staffed visit, while each insats' row keeps its own minutes and the visits it was in."""
    decision = DecisionPublishedV2(decision_id="d", case_id="c", case_number="2026-1", client=OLD, insats="hemtjanst",
                                   law="SoL", outcome="granted", granted_minutes_per_month=900, provider_id="p1",
                                   valid_from=date(2026, 1, 1), decided_at=T,
                                   granted=[GrantedTime(insats="personlig_omsorg", minutes_per_month=600),
                                            GrantedTime(insats="service", minutes_per_month=300)])
    visits = [content(day, 8) for day in range(1, 22)]
    visits.append(content(22, 8, minutes=60, insatser=("personlig_omsorg", "service"), double_staffing=True))
    result = compute(with_grants(month_with(OLD, visits), decision))
    rows = {r["insats"]: r for r in result["parts"][0]["rows"]}
    assert (rows["personlig_omsorg"]["performed"], rows["personlig_omsorg"]["visits"]) == (21 * 30 + 30, 22)
    assert (rows["service"]["performed"], rows["service"]["visits"], rows["service"]["double_staffed"]) == (30, 1, 1)
    report = summarize("2026-10", [result], built_at=T, kind="full")
    for totals in (report["providers"][0], report["municipality"]):
        assert (totals["visits"], totals["double_staffed_visits"]) == (22, 1)
        assert totals["performed_minutes"] == 22 * 30 + 30
