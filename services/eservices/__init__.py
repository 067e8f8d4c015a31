"""Citizen e-services and case work: forms, drafts, submissions, cases, messages."""
