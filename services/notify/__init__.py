"""Notifications by e-mail and SMS that never carry confidential content."""
