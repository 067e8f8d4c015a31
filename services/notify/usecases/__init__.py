"""Notify's use cases, one module each: a notification requested (``deliver``), preferences
changed (``preferences``), delivery feedback from SES (``feedback``), held SMS put back when the
quiet hours end (``held_sms``), the lock-date reminder (``lock_date_reminder``), providers' contacts
loaded (``provider_contacts``); ``inbox`` routes notify's queue to them."""
