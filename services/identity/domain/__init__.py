"""The staff directory's rules: no store, no keys, no boto3."""
