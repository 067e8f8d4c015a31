"""Case work's use cases: each takes the deps (typed with ``ports.py``), who acts, and the command."""
