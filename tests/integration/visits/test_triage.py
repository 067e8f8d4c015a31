"""Exceptions, triaged, over moto: the API (GET /exceptions, POST /visits/{id}/resolutions,
GET /reason-codes, GET /exception-statistics) and the page "Att åtgärda"
(``/visits/personal/att-atgarda``) with its resolution form; who may and who may not."""
from __future__ import annotations

import re
import urllib.parse
from datetime import timedelta

import pytest

from tests.integration.visits.test_deviation_pages import VisitsBrowser, logged_in
from tests.integration.web.helpers import text

PAGE = "/personal/att-atgarda"
MANUAL = {"receipt": {"method": "manual", "manual_reason": "technical_fault"}}


def month_of(provider, morning):
    from services.domain.calendar import month_of as local_month

    return "%04d-%02d" % local_month(morning)


def overlapping(provider, morning):
    """GIVEN anna's two visits at two clients, the second begun before the first ended."""
    first, t1 = provider.new_client()
    second, t2 = provider.new_client()
    r = provider.post([provider.event("arrival", first, t1, morning),
                       provider.event("departure", first, t1, morning + timedelta(minutes=30)),
                       provider.event("arrival", second, t2, morning + timedelta(minutes=15)),
                       provider.event("departure", second, t2, morning + timedelta(minutes=45))])
    assert r.status == 202, r.json
    provider.deliver()
    (v1,) = provider.month_visits(first, morning)
    (v2,) = provider.month_visits(second, morning)
    return (first, v1), (second, v2)


def lead(provider, role="provider_coordinator", user="cora"):
    return provider._token(role, user_id=user, provider_id=provider.id)


class TestApi:
    def test_the_month_lists_the_overlap_and_a_resolution_lets_the_visit_be_approved(self, provider, morning):
        (pnr, v1), (_, v2) = overlapping(provider, morning)
        month = month_of(provider, morning)
        # WHEN the coordinator reads the month's exceptions
        r = provider.visits.get(f"/exceptions?month={month}", token=provider.coordinator)
        assert r.status == 200, r.json
        assert [(row["visit_id"], [e["kind"] for e in row["exceptions"]]) for row in r.json] == [
            (v1["visit_id"], ["overlap"]), (v2["visit_id"], ["overlap"])]
        assert r.json[0]["exceptions"][0]["severity"] == "red" and pnr not in str(r.json)
        # AND paging one at a time gives a Link to the next
        r = provider.visits.get(f"/exceptions?month={month}&limit=1", token=provider.coordinator)
        assert len(r.json) == 1 and 'rel="next"' in r.headers["link"]
        # WHEN it approves the first THEN 409 naming the overlap
        r = provider.visits.post(f"/visits/{v1['visit_id']}/approve", {"reason": "stämmer", "version": v1["version"]},
                                 token=provider.coordinator)
        assert r.status == 409 and "unresolved red exceptions: overlap" in r.json["detail"]
        # WHEN it names a code that is not the overlap's THEN 422 and nothing stored
        r = provider.visits.post(f"/visits/{v1['visit_id']}/resolutions",
                                 {"kind": "overlap", "code": "lock_failed", "version": v1["version"]},
                                 token=provider.coordinator)
        assert r.status == 422, r.json
        # WHEN it resolves with "time_checked" THEN the visit holds the resolution and can be approved
        r = provider.visits.post(f"/visits/{v1['visit_id']}/resolutions",
                                 {"kind": "overlap", "code": "time_checked", "version": v1["version"]},
                                 token=provider.coordinator)
        assert r.status == 200, r.json
        assert r.json["resolutions"][0]["code"] == "time_checked" and r.json["history"][-1]["change"] == "resolved"
        r = provider.visits.post(f"/visits/{v1['visit_id']}/approve", {"reason": "stämmer", "version": r.json["version"]},
                                 token=provider.coordinator)
        assert r.status == 200 and r.json["status"] == "approved"
        # AND the statistics count it
        r = provider.visits.get(f"/exception-statistics?month={month}", token=lead(provider, "provider_manager", "vera"))
        assert r.status == 200 and {s["code"]: s["count"] for s in r.json}["time_checked"] == 1

    def test_a_reason_for_what_the_data_resolves_is_refused_with_how(self, provider, morning):
        pnr, tag = provider.new_client()
        provider.post([provider.event("arrival", pnr, tag, morning, **MANUAL),
                       provider.event("departure", pnr, tag, morning + timedelta(minutes=20))])
        provider.deliver()
        (v,) = provider.month_visits(pnr, morning)
        r = provider.visits.post(f"/visits/{v['visit_id']}/resolutions",
                                 {"kind": "waiting_for_case_worker", "code": "other", "text": "vill godkänna",
                                  "version": v["version"]}, token=provider.coordinator)
        assert r.status == 422 and "case worker's decision" in str(r.json)
        r = provider.visits.post(f"/visits/{v['visit_id']}/resolutions",
                                 {"kind": "manual_receipt", "code": "lock_failed", "version": v["version"]},
                                 token=provider.coordinator)
        assert r.status == 200, r.json

    def test_reason_codes_are_the_data(self, provider):
        r = provider.visits.get("/reason-codes", token=provider.coordinator)
        assert r.status == 200
        codes = {c["code"]: c for c in r.json}
        assert codes["lock_failed"]["label"] == "Låset fungerade inte" and codes["lock_failed"]["device"]
        assert codes["other"]["needs_text"] and codes["other"]["kinds"] == ["*"]

    def test_who_may(self, provider, morning):
        (_, v1), _ = overlapping(provider, morning)
        month = month_of(provider, morning)
        other = provider._token("provider_coordinator", user_id="olle", provider_id="prov-someone-else")
        # another provider's coordinator: their own (empty) month, and our visit is not found
        assert provider.visits.get(f"/exceptions?month={month}", token=other).json == []
        r = provider.visits.post(f"/visits/{v1['visit_id']}/resolutions",
                                 {"kind": "overlap", "code": "time_checked", "version": v1["version"]}, token=other)
        assert r.status == 404
        for token in (provider.token, provider._token("case_worker", user_id="hl")):
            assert provider.visits.get(f"/exceptions?month={month}", token=token).status == 403
            r = provider.visits.post(f"/visits/{v1['visit_id']}/resolutions",
                                     {"kind": "overlap", "code": "time_checked", "version": v1["version"]},
                                     token=token)
            assert r.status == 403
        assert provider.visits.get(f"/exceptions?month={month}").status == 401


def rows(r):
    return re.findall(r'href="/visits/personal/besok/([^"]+)"', r.body.decode())


class TestPages:
    def test_the_coordinator_sees_the_months_exceptions_and_resolves_one(self, provider, morning):
        (pnr, v1), (_, v2) = overlapping(provider, morning)
        b, _ = logged_in(provider, "provider_coordinator", user_id="cora", provider_id=provider.id)
        month = month_of(provider, morning)
        r = b.get(f"{PAGE}?manad={month}")
        assert r.status == 200, r.body
        page = text(r)
        assert "Att åtgärda" in page and "Måste åtgärdas" in page and "Överlappar personalens andra besök" in page
        assert "Ändra tiderna på ett av besöken" in page and pnr not in page
        assert [urllib.parse.unquote(x) for x in rows(r)] == [v1["visit_id"], v2["visit_id"]]
        # the resolution form: the overlap's codes, as data
        form = f"{PAGE}/{urllib.parse.quote(v1['visit_id'], safe='')}/overlap"
        r = b.get(form)
        assert r.status == 200 and "Tiden kontrollerad och stämmer" in text(r) and "Låset" not in text(r)
        # WHEN "other" without a text THEN 422, an error summary, nothing stored
        r = b.post(form, {"orsak": "other", "beskrivning": "", "version": str(v1["version"])})
        assert r.status == 422 and 'class="error-summary"' in r.body.decode() and "minst 3 tecken" in text(r)
        assert provider.month_visits(pnr, morning)[0]["resolutions"] == []
        # WHEN the visit changed meanwhile (an older version posted) THEN 409, nothing stored
        r = b.post(form, {"orsak": "time_checked", "version": str(v1["version"] - 1)})
        assert r.status == 409 and "Inget sparades" in text(r)
        # WHEN a code is chosen THEN it is stored, and the row is gone from the list
        r = b.post(form, {"orsak": "time_checked", "beskrivning": "", "version": str(v1["version"])})
        assert r.status == 303, r.body
        assert provider.month_visits(pnr, morning)[0]["resolutions"][0]["code"] == "time_checked"
        r = b.get(f"{PAGE}?manad={month}")
        assert [urllib.parse.unquote(x) for x in rows(r)] == [v2["visit_id"]] and "åtgärdat" in text(r)
        assert "Orsaker denna månad" in text(r) and "Tiden kontrollerad och stämmer" in text(r)
        assert b.get(form).status == 404  # resolved: nothing left to resolve

    def test_filters_and_bad_filters(self, provider, morning):
        (pnr, v1), _ = overlapping(provider, morning)
        b, _ = logged_in(provider, "provider_manager", user_id="vera", provider_id=provider.id)
        month = month_of(provider, morning)
        assert len(rows(b.get(f"{PAGE}?manad={month}&klient={pnr}"))) == 1
        assert rows(b.get(f"{PAGE}?manad={month}&allvarlighet=gra")) == []
        assert len(rows(b.get(f"{PAGE}?manad={month}&typ=overlap"))) == 2
        r = b.get(f"{PAGE}?manad=2026-13&klient=123&typ=x")
        body = r.body.decode()
        assert r.status == 200 and 'href="#f-manad"' in body and 'href="#f-klient"' in body and 'href="#f-typ"' in body

    @pytest.mark.parametrize("role", ["provider_staff", "case_worker"])
    def test_staff_and_case_workers_get_a_403(self, provider, morning, role):
        (_, v1), _ = overlapping(provider, morning)
        b, _ = logged_in(provider, role, provider_id=provider.id) if role != "case_worker" else logged_in(provider, role)
        assert b.get(PAGE).status == 403
        assert b.get(f"{PAGE}/{urllib.parse.quote(v1['visit_id'], safe='')}/overlap").status == 403

    def test_another_providers_coordinator_sees_nothing_of_ours(self, provider, morning):
        (_, v1), _ = overlapping(provider, morning)
        b, _ = logged_in(provider, "provider_coordinator", provider_id="prov-someone-else")
        r = b.get(f"{PAGE}?manad={month_of(provider, morning)}")
        assert r.status == 200 and rows(r) == []
        form = f"{PAGE}/{urllib.parse.quote(v1['visit_id'], safe='')}/overlap"
        assert b.get(form).status == 404
        b.get(PAGE)
        assert b.post(form, {"orsak": "time_checked", "version": str(v1["version"])}).status == 404

    def test_nobody_logged_in_is_sent_to_the_login(self, provider):
        r = VisitsBrowser(provider.visits).get(PAGE)
        assert r.status in (302, 303) and r.headers["location"].startswith("/visits/personal/logga-in?")


def test_a_coordinator_may_not_resolve_a_red_exception_of_their_own_visit_on_the_page(provider, morning):
    from services.visits.bootstrap import deps

    # GIVEN the coordinator cora performed two overlapping visits herself
    deps().staff.add_staff(provider.id, "cora")
    first, t1 = provider.new_client()
    second, t2 = provider.new_client()
    provider.post([provider.event("arrival", first, t1, morning, staff="cora"),
                   provider.event("departure", first, t1, morning + timedelta(minutes=30), staff="cora"),
                   provider.event("arrival", second, t2, morning + timedelta(minutes=10), staff="cora"),
                   provider.event("departure", second, t2, morning + timedelta(minutes=40), staff="cora")])
    provider.deliver()
    (v,) = provider.month_visits(first, morning)
    b, _ = logged_in(provider, "provider_coordinator", user_id="cora", provider_id=provider.id)
    form = f"{PAGE}/{urllib.parse.quote(v['visit_id'], safe='')}/overlap"
    assert b.get(form).status == 200
    # WHEN she resolves its overlap THEN 403 saying who may, and nothing is stored
    r = b.post(form, {"orsak": "time_checked", "version": str(v["version"])})
    assert r.status == 403 and "verksamhetschefen" in text(r)
    assert provider.month_visits(first, morning)[0]["resolutions"] == []
