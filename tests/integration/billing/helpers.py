"""What billing's integration tests share besides fixtures."""


def feed(billing, *envelopes):
    """Delivers the events to billing's inbox handler; every record must be processed."""
    result = billing.sqs("on_event", [e.model_dump_json() for e in envelopes])
    assert result == {"batchItemFailures": []}, result
