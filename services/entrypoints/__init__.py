"""What the Chalice apps call: HTTP operations (auth, parsing, problem+json, OpenAPI) and SQS
batch processing (partial failures, idempotency). The apps themselves stay wiring only."""
