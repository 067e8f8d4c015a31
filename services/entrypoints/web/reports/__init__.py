"""The follow-up section of the staff web (``/reports/personal``, uppföljning), served by the reports app."""
