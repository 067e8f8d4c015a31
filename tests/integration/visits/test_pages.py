"""Lists that can grow are read in pages: at most ``limit`` items, the next page in ``Link: <…>;
rel="next"``, an opaque cursor a client cannot forge into anything else."""
import re
from datetime import timedelta


def follow(provider, path):
    """Every page of a list, following rel=next; the pages' sizes."""
    items, sizes = [], []
    while path:
        r = provider.visits.get(path, token=provider.token)
        assert r.status == 200, r.json
        items += r.json
        sizes.append(len(r.json))
        link = r.headers.get("link")
        path = re.match(r'<([^>]+)>; rel="next"', link).group(1) if link else None
    return items, sizes


def test_a_month_is_paged_and_every_visit_comes_once(provider, morning):
    # GIVEN 5 visits of two clients
    first, tag_1 = provider.new_client()
    second, tag_2 = provider.new_client()
    events = []
    for pnr, tag, n in ((first, tag_1, 3), (second, tag_2, 2)):
        for k in range(n):
            at = morning + timedelta(hours=k)
            events += [provider.event("arrival", pnr, tag, at),
                       provider.event("departure", pnr, tag, at + timedelta(minutes=20))]
    provider.post(events)
    provider.deliver()
    month = morning.strftime("%Y-%m")
    # WHEN the month is read 2 at a time
    items, sizes = follow(provider, f"/visits?month={month}&limit=2")
    # THEN 3 pages of at most 2, each visit once; one client's list is paged the same way
    assert sizes == [2, 2, 1]
    assert len({v["visit_id"] for v in items}) == 5
    one, sizes = follow(provider, f"/visits?month={month}&limit=2&client={first}")
    assert sizes == [2, 1] and len({v["visit_id"] for v in one}) == 3


def test_the_rejected_events_are_paged(provider, morning):
    pnr, _ = provider.new_client()
    provider.post([provider.event("arrival", pnr, "TAG-none", morning + timedelta(minutes=k)) for k in range(3)])
    provider.deliver()
    items, sizes = follow(provider, "/rejected-events?limit=2")
    assert sizes == [2, 1] and len({r["event_id"] for r in items}) == 3


def test_a_limit_out_of_bounds_or_a_forged_cursor_is_refused_naming_the_field(provider, morning):
    month = morning.strftime("%Y-%m")
    for query, field in (("limit=0", "query.limit"), ("limit=1001", "query.limit"),
                         ("cursor=bm90LWEtY3Vyc29y", "query.cursor"), ("cursor=%7B%7D", "query.cursor")):
        r = provider.visits.get(f"/visits?month={month}&{query}", token=provider.token)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == [field], (query, r.json)
