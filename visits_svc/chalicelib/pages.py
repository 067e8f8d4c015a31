"""What every blueprint of the visits section's pages shares: the form content type they accept and
how a route hands its request to a view (``"module.view"`` in ``services.entrypoints.web.visits``).
The page cycle and its views load on the first page, never at cold start."""

FORM_TYPES = ["application/x-www-form-urlencoded"]


def serve_view(request, view, **kw):
    import importlib

    from services.entrypoints.web.http import serve
    from services.entrypoints.web.visits.section import VISITS

    module, name = view.split(".")
    return serve(VISITS, request,
                 getattr(importlib.import_module(f"services.entrypoints.web.visits.{module}"), name), **kw)
