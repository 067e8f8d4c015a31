"""Billing's adapters: its DynamoDB table (``dynamo``), the only billing code that talks to AWS."""
