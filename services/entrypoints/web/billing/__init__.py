"""The staff web's billing section (``/billing/personal``, ekonomi): invoice bases, reconciliation,
client classification, contact-person payouts and the rules in force, for finance and the ordering unit."""
