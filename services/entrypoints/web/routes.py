"""The routes every staff section's app has (besöksuppföljning, uppföljning, ekonomi): the front
``/personal``, the login cycle (``/personal/logga-in``, ``…/klar``, ``/personal/logga-ut``,
``/personal/session``) and the toolkit's ``/web/static/{name}``, each handed to the section's
``session`` views. Light at import (chalice only, by the blueprint given): a route names its view as
text and the page cycle loads on the first page. ``PAGES = True``: the OpenAPI document and the
fuzzing leave these routes out (they read it from the route functions' module)."""
from __future__ import annotations

from typing import Any

PAGES = True  # HTML pages (and the login's OAuth endpoints): not in the OpenAPI document
FORM_TYPES = ["application/x-www-form-urlencoded"]


def add_staff_login_routes(bp: Any, package: str, section: str) -> None:
    """Register the routes on ``bp`` (a chalice Blueprint) for the section ``section`` (the name of the
    Section in ``<package>.section``), its views in ``<package>.session``."""

    def page(view: str, **kw: str) -> Any:
        from .http import serve_view

        return serve_view(package, section, bp.current_request, view, **kw)

    @bp.route("/personal", methods=["GET"])
    def web_front():
        return page("session.front")

    @bp.route("/personal/logga-in", methods=["GET"])
    def web_login():
        return page("session.login")

    @bp.route("/personal/logga-in/klar", methods=["GET"])
    def web_login_done():
        return page("session.login_done")

    @bp.route("/personal/logga-ut", methods=["POST"], content_types=FORM_TYPES)
    def web_logout():
        return page("session.logout")

    @bp.route("/personal/session", methods=["POST"], content_types=FORM_TYPES)
    def web_keep_alive():
        return page("session.keep_alive")

    @bp.route("/web/static/{name}", methods=["GET"])
    def web_static(name):
        from .http import static_response

        return static_response(name)
