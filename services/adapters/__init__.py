"""Adapters: DynamoDB, SNS/SQS, S3, SES, SNS SMS. They turn ClientError codes into domain errors."""
