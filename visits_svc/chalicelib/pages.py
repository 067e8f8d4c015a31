"""What every blueprint of the visits section's pages shares: the form content type they accept and
how a route hands its request to a view (``"module.view"`` in ``services.entrypoints.web.visits``).
The page cycle and its views load on the first page, never at cold start."""

FORM_TYPES = ["application/x-www-form-urlencoded"]


def serve_view(request, view, **kw):
    from services.entrypoints.web import http

    return http.serve_view("services.entrypoints.web.visits", "VISITS", request, view, **kw)
