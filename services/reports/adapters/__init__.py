"""Reports' DynamoDB adapter (``dynamo``): the only reports code that knows the table, its keys and
expressions, and botocore's errors."""
