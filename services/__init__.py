"""Insats shared kernel: domain rules, use cases, adapters, auth, settings and event contracts.

Every Chalice app reaches this package through a symlink in its ``vendor/`` folder.
"""
