"""Case work's aggregates and rules: no store, no HTTP."""
