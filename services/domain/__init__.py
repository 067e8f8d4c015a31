"""Domain types and rules shared by every service."""
