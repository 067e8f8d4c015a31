"""Follow-up (reports) and billing: what they keep of other services' events.

The nightly report rebuild and the invoice basis (next round) recompute only what changed; the
inbox below records *what* changed, per month, provider and client, and keeps the granted time
from decisions. Each of reports and billing keeps its own copy in its own table.
"""
