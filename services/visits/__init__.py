"""Home-care visits (seed 004): staff app events in; visits, deviations, approvals and absences out."""
