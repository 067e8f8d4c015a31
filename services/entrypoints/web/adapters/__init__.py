"""The web toolkit's stores: its sessions in DynamoDB."""
