"""The e-services' aggregates, value objects and rules: drafts, cases, people, relatives'
approvals, signing and the forms engine. They know no store."""
