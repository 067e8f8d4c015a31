"""The visits app's section of the staff web (``/visits/personal``, besöksuppföljning): pages on the
visits service's own data. Case workers decide their clients' visit deviations here; the providers'
pages come next in the same section."""
