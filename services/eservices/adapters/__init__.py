"""The e-services' adapters: DynamoDB repositories (every key, expression and ``ClientError``),
the population register's file and the e-ID signer."""
