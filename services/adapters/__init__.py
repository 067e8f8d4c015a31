"""Adapters: DynamoDB, SNS/SQS, S3, SES, SNS SMS (they turn ClientError codes into domain errors),
and PDF files."""
