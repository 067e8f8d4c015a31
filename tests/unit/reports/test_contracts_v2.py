"""visit.changed v2 and decision.published v2: content for reports and billing; v1 still understood."""
from datetime import date, datetime, timezone

import pytest
from pydantic import ValidationError

from services.contracts.events import (DecisionPublished, DecisionPublishedV2, Envelope, GrantedTime, VisitChanged,
                                       VisitChangedV2, VisitContent, granted_lines, split_minutes)
from tests.support.people import new_pnr

T0 = datetime(2026, 10, 5, 6, 0, tzinfo=timezone.utc)


def content(**kw):
    base = dict(staff_id="s1", started_at=T0, ended_at=T0.replace(hour=7), minutes=60,
                insatser=split_minutes(60, ["morgonhjalp", "personlig_omsorg"]), receipt_methods=["nfc"])
    return VisitContent(**{**base, **kw})


def test_given_a_v2_visit_change_when_it_travels_then_it_parses_back_as_v2_and_as_a_v1_visit_change():
    event = VisitChangedV2(visit_id="v", client=new_pnr(1940), provider_id="p", year=2026, month=10,
                           visit_version=3, change="approved", visit=content())
    envelope = Envelope.model_validate_json(event.envelope("visits").model_dump_json())
    parsed = envelope.parse()
    assert envelope.version == 2 and isinstance(parsed, VisitChangedV2) and isinstance(parsed, VisitChanged)
    assert parsed.visit.insatser[1].minutes == 30 and parsed.visit == content()


def test_given_a_v1_visit_change_when_a_v2_consumer_parses_it_then_it_is_a_v1_without_content():
    v1 = VisitChanged(visit_id="v", client=new_pnr(1940), provider_id="p", year=2026, month=10, visit_version=1)
    parsed = Envelope.model_validate_json(v1.envelope("visits").model_dump_json()).parse()
    assert type(parsed) is VisitChanged


def test_given_content_without_a_time_zone_when_parsed_then_it_is_refused():
    with pytest.raises(ValidationError):
        content(started_at=datetime(2026, 10, 5, 6, 0))


@pytest.mark.parametrize("minutes,names,expected", [
    (60, ["a", "b"], [30, 30]), (61, ["a", "b", "c"], [21, 20, 20]), (5, [], []), (0, ["a"], [0])])
def test_given_a_visits_minutes_when_split_over_its_insatser_then_the_parts_add_up(minutes, names, expected):
    parts = split_minutes(minutes, names)
    assert [p.minutes for p in parts] == expected and [p.insats for p in parts] == names


def test_given_decisions_of_both_versions_when_read_per_insats_then_v1_is_one_line_and_a_refusal_none():
    common = dict(decision_id="d", case_id="c", case_number="2026-1", client=new_pnr(1940), insats="hemtjanst",
                  law="SoL", valid_from=date(2026, 1, 1), decided_at=T0)
    v1 = DecisionPublished(**common, outcome="granted", granted_minutes_per_month=600)
    v2 = DecisionPublishedV2(**common, outcome="granted", granted_minutes_per_month=900, provider_id="p",
                             granted=[GrantedTime(insats="service", minutes_per_month=300),
                                      GrantedTime(insats="personlig_omsorg", minutes_per_month=600)])
    refused = DecisionPublishedV2(**common, outcome="refused")
    assert granted_lines(v1) == [GrantedTime(insats="hemtjanst", minutes_per_month=600)]
    assert [(g.insats, g.minutes_per_month) for g in granted_lines(v2)] == [("service", 300), ("personlig_omsorg", 600)]
    assert granted_lines(refused) == []
    parsed = Envelope.model_validate_json(v2.envelope("eservices").model_dump_json()).parse()
    assert isinstance(parsed, DecisionPublished) and parsed.granted_minutes_per_month == 900
