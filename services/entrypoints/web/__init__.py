"""The citizen web's HTTP side: the request cycle of a page (session cookie, OIDC login, CSRF,
security headers, error pages) and the views that turn a request into use-case calls and a
``Page``, ``Redirect`` or ``Json``. The templates and their rendering stay with the e-services
(``services/eservices/web``); the Chalice routes are in ``eservices_svc/chalicelib/web.py``.
Jinja2 is imported only when a page is rendered, never on the API's import path.
"""
