"""The citizen web: server-rendered pages of the e-services and Mina sidor.

The pages are a fourth output of the form declarations (after the API, the JSON Schema and the
PDF) and call the same use cases as the API. Sessions, CSRF and the OIDC login live here; the
Chalice routes are in ``eservices_svc/chalicelib/web.py``. Jinja2 is imported only when a page is
rendered, never on the API's import path.
"""
