"""Reports' rules, pure: a client-month from events and its result (``client_month``), a client's
grants (``grants``), a month's totals kept by version (``totals``) and added up (``fold``), the rows a
reader sees (``rows``), the nightly schedule (``schedule``) and CSV/SVG (``render``). Nothing here
knows a store. Kept empty: the app imports ``schedule`` at cold start."""
