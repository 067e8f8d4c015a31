"""The citizen e-services' use cases: each takes its deps (typed with ``ports.py``), who acts and
the command's fields."""
