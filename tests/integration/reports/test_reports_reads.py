"""What a report's first read costs on DynamoDB: the rows of a built report come from its clients'
summaries read by key, not from a query of every shard (33 calls for three clients, most of a cold
request's time)."""
from __future__ import annotations

from tests.integration.contracts.reports_ports import a_client, a_month, a_result

AT = "2026-11-02T12:00:00+00:00"


def test_given_a_report_of_three_clients_when_its_rows_are_read_then_one_call_reads_them(aws):
    # GIVEN three clients' summaries of a month, one of them changed after the report was built
    from services.reports.adapters.dynamo import reports_store

    store, month = reports_store(), a_month()
    a, b, c = a_client(), a_client(), a_client()
    one, two = a_result(seed=7), a_result(seed=8)
    store.save_summaries([(month, a, 1, one), (month, b, 1, one), (month, c, 1, two)], AT)
    calls: list[str] = []

    def count(model, **_):  # noqa: ANN001 - botocore's operation model
        calls.append(model.name)

    store.db.meta.events.register("before-call.dynamodb", count, unique_id="count-report-reads")
    try:
        # WHEN the results the report was built from are read
        got = store.results_at(month, {a: 1, b: 1, c: 1})
    finally:
        store.db.meta.events.unregister("before-call.dynamodb", unique_id="count-report-reads")
    # THEN they are those versions, read in one call
    assert got == {a: one, b: one, c: two}
    assert calls == ["BatchGetItem"]
