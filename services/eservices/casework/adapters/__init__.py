"""Case work over DynamoDB: every key, index attribute, expression and ClientError of its aggregates."""
