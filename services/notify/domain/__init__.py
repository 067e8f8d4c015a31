"""Notify's rules and aggregates: what a notification says (templates, GSM-7), whom it reaches
(contact preferences), when (quiet hours, the lock date) and a delivery's state. No store here."""
