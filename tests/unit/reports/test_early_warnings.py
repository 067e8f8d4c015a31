"""The follow-up's early warnings and the visits behind a figure (pure rules, ``domain/warnings`` and
``domain/behind``), GIVEN/WHEN/THEN."""
from __future__ import annotations

from datetime import date, datetime

from services.domain.calendar import STOCKHOLM
from services.reports.domain import warnings as rules
from services.reports.domain.behind import visits_behind
from services.reports.domain.client_month import DOUBLE, EDITED, ENDED, POST_REG, ClientMonth

CLIENT = "194001013186"
P = "prov-a"


def a_visit(day: int, minutes: int, flags: int = ENDED, status: str = "a", receipts=("digital_lock",),
            deviations=(), provider: str = P, insats: str = "personlig_omsorg", month: int = 3) -> list:
    start = int(datetime(2032, month, day, 9, tzinfo=STOCKHOLM).timestamp())
    return [1, "2032-03-01T00:00:00+00:00", provider,
            ["anna", start, minutes, [[insats, minutes]], flags, status, list(receipts),
             [list(d) for d in deviations], None]]


def a_client_month(visits: dict, granted_per_month: int = 31 * 60, absences: dict | None = None) -> ClientMonth:
    """March 2032 (31 days; ISO weeks 10–13 whole inside it): an hour a day granted by default."""
    cm = ClientMonth(2032, 3, CLIENT, visits=visits, absences=absences or {})
    cm.grants = [["personlig_omsorg", granted_per_month, "2032-01-01", None, P, "d1", "cw-a"]]
    return cm


def daily(minutes_by_day: dict[int, int]) -> dict:
    return {f"v{d}": a_visit(d, m) for d, m in minutes_by_day.items()}


AFTER_MARCH = date(2032, 4, 2)


class TestUnderTheGrantedTime:
    def test_given_three_weeks_in_a_row_under_80_percent_when_checked_then_warned_with_those_weeks(self):
        # weeks 10–12 (1–21 March): 40 min a day of 60 granted (67 %); week 13 (22–28): the full hour
        cm = a_client_month(daily({d: 40 if d <= 21 else 60 for d in range(1, 32)}))
        run = rules.under_granted(cm, P, AFTER_MARCH)
        assert run is not None and [w.week for w in run] == [10, 11, 12]
        assert run[0].granted == 7 * 60 and run[0].performed == 7 * 40 and run[0].under

    def test_given_two_weeks_under_then_one_over_then_one_under_when_checked_then_no_warning(self):
        minutes = {d: 40 for d in range(1, 15)} | {d: 60 for d in range(15, 22)} | {d: 40 for d in range(22, 32)}
        assert rules.under_granted(a_client_month(daily(minutes)), P, AFTER_MARCH) is None

    def test_given_exactly_80_percent_when_checked_then_not_under(self):
        cm = a_client_month(daily({d: 48 for d in range(1, 32)}))  # 48 of 60: 80 %, not under it
        assert rules.under_granted(cm, P, AFTER_MARCH) is None

    def test_given_weeks_not_yet_over_when_checked_mid_month_then_only_ended_weeks_count(self):
        cm = a_client_month(daily({d: 10 for d in range(1, 32)}))
        assert rules.under_granted(cm, P, date(2032, 3, 20)) is None  # weeks 10 and 11 only have ended
        assert [w.week for w in rules.under_granted(cm, P, date(2032, 3, 22))] == [10, 11, 12]

    def test_given_the_client_absent_a_week_when_checked_then_that_weeks_days_are_left_out_of_both_sides(self):
        # no visits week 11 (8–14 March) because the client was in hospital, registered as absence
        minutes = {d: 40 for d in range(1, 32) if not 8 <= d <= 14}
        absences = {"ab1": [P, "hospital", "2032-03-08", "2032-03-14", 1]}
        run = rules.under_granted(a_client_month(daily(minutes), absences=absences), P, AFTER_MARCH)
        weeks = {w.week: w for w in rules.weeks(a_client_month(daily(minutes), absences=absences), P, AFTER_MARCH)}
        assert weeks[11].granted == 0 and not weeks[11].under
        assert run is None  # week 11 breaks the run: 10 under, 12–13 under

    def test_given_no_grant_when_checked_then_no_week_is_under(self):
        cm = a_client_month(daily({d: 5 for d in range(1, 32)}), granted_per_month=0)
        assert rules.under_granted(cm, P, AFTER_MARCH) is None


def totals(visits: int, manual: int = 0, post: int = 0) -> dict:
    return {"provider_id": P, "visits": visits, "deviations": {"manual_receipt": manual, "post_registration": post}}


MONTHS = ["2031-12", "2032-01", "2032-02", "2032-03"]


class TestRisingShares:
    def test_given_a_share_5_points_over_the_previous_three_months_mean_when_checked_then_a_jump(self):
        history = list(zip(MONTHS, [totals(100, manual=10), totals(100, manual=12), totals(100, manual=8),
                                    totals(100, manual=15)]))
        [rise] = rules.rising_shares(history)
        assert (rise.kind, rise.rule, rise.base) == ("manual_receipt", "jump", 10.0)
        assert rise.shares[-1] == ("2032-03", 15.0)

    def test_given_4_9_points_over_the_mean_when_checked_then_no_warning(self):
        history = list(zip(MONTHS, [totals(1000, post=100)] * 3 + [totals(1000, post=149)]))
        assert rules.rising_shares(history) == []

    def test_given_a_share_rising_three_months_in_a_row_by_5_points_when_checked_then_a_steady_rise(self):
        history = list(zip(MONTHS, [totals(100, post=p) for p in (10, 12, 14, 16)]))
        [rise] = rules.rising_shares(history)
        assert (rise.kind, rise.rule) == ("post_registration", "rising")  # 16 − mean(10,12,14) = 4: no jump

    def test_given_too_few_visits_in_a_base_month_when_checked_then_nothing_is_said(self):
        history = list(zip(MONTHS, [totals(100, manual=1), totals(19, manual=0), totals(100, manual=1),
                                    totals(100, manual=30)]))
        assert rules.rising_shares(history) == []

    def test_given_a_provider_new_this_month_when_checked_then_no_warning(self):
        assert rules.rising_shares(list(zip(MONTHS, [None, None, None, totals(100, manual=50)]))) == []


class TestLockDates:
    def test_given_unapproved_time_when_checked_then_the_provider_and_lock_date_third_working_day(self):
        report = {"providers": [{"provider_id": P, "performed_minutes": 600, "approved_minutes": 540},
                                {"provider_id": "prov-b", "performed_minutes": 60, "approved_minutes": 60}]}
        [w] = rules.unapproved_at_lock("2032-03", report, date(2032, 4, 1))
        assert (w.provider, w.unapproved_minutes, w.lock_date, w.passed) == (P, 60, date(2032, 4, 5), False)
        assert rules.unapproved_at_lock("2032-03", report, date(2032, 4, 6))[0].passed

    def test_given_no_report_when_checked_then_nothing(self):
        assert rules.unapproved_at_lock("2032-03", None, date(2032, 4, 1)) == []


class TestTheVisitsBehindAFigure:
    def test_given_a_kind_when_listed_then_only_the_visits_the_figure_counts_in_time_order(self):
        cm = a_client_month({
            "b": a_visit(3, 30, receipts=("manual",)),
            "a": a_visit(2, 30, flags=ENDED | POST_REG, receipts=("post_registration",)),
            "c": a_visit(4, 30, flags=ENDED | EDITED | DOUBLE, status="r",
                         deviations=[("over_granted_time", "pending")]),
            "d": a_visit(5, 30, receipts=("manual",), provider="prov-b"),
        })
        assert [v["id"] for v in visits_behind(cm, P, "manual_receipt")] == ["b"]
        assert [v["id"] for v in visits_behind(cm, None, "manual_receipt")] == ["b", "d"]
        assert [v["id"] for v in visits_behind(cm, P, "post_registration")] == ["a"]
        assert [v["id"] for v in visits_behind(cm, P, "over_granted_pending")] == ["c"]
        assert [v["id"] for v in visits_behind(cm, P, "unapproved")] == ["c"]
        assert [v["id"] for v in visits_behind(cm, P, None)] == ["a", "b", "c"]
        c = visits_behind(cm, P, "adjusted_time")[0]
        assert c["double"] and c["edited"] and c["status"] == "registered" and c["minutes"] == 30
        assert c["deviations"] == [("over_granted_time", "pending")] and c["start"].day == 4

    def test_given_an_insats_without_decision_when_listed_then_it_is_behind_that_figure_only(self):
        cm = a_client_month({"x": a_visit(2, 30, insats="dusch"), "y": a_visit(3, 30)})
        assert [v["id"] for v in visits_behind(cm, P, "without_decision")] == ["x"]
