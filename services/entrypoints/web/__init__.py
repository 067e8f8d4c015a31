"""The web: server-rendered HTML pages, in two layers.

The toolkit (this package) is what every section uses: the request cycle (``http.py``: sessions,
login, CSRF, security headers, error pages), the OIDC relying party (``oidc.py``), the sessions
(``sessions.py``, stored by ``adapters/sessions.py``), rendering (``render.py``, ``filters.py``),
the form machinery (``formview.py``), the static assets and the shared templates (the layout
``base.html``, the components ``components.html`` and the form fields ``form_fields.html``).
A section is a package of its own with its views and templates and a ``Section`` that ties them to
the request cycle: the citizens' pages are ``citizen/``; staff sections will sit beside it. The
toolkit imports no section. Jinja2 is imported only when a page is rendered, never on an API's
import path; the Chalice routes are in ``eservices_svc/chalicelib/web.py``.
"""
