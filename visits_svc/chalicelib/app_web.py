"""Routes: Besöksappen, the staff app in the staff web's visits section (``/visits/personal/app``):
its page, its offline shell, its day (JSON), its events (JSON), its form without JavaScript, its
manifest, files and service worker. Views in ``services.entrypoints.web.visits.staffapp``; the
page cycle and its views load on the first request, never at cold start."""
from chalice import Blueprint, Response

from .pages import FORM_TYPES, serve_view

bp = Blueprint(__name__)
PAGES = True  # HTML pages and the app's own JSON: not in the OpenAPI document

# The app's pages may name their manifest and register their service worker (the section's policy
# otherwise, ``default-src 'none'``, refuses both).
APP_CSP = " manifest-src 'self'; worker-src 'self'"


def _page(view, **kw):
    response = serve_view(bp.current_request, f"staffapp.{view}", **kw)
    policy = response.headers.get("Content-Security-Policy")
    if policy:
        response.headers["Content-Security-Policy"] = policy + ";" + APP_CSP
    return response


def _file(name):
    from services.entrypoints.web.visits.app_files import app_file

    found = app_file(name)
    if found is None:
        return Response(body="", status_code=404, headers={"Cache-Control": "no-cache"})
    body, content_type, headers = found
    return Response(body=body, status_code=200, headers={"Content-Type": content_type,
                                                         "X-Content-Type-Options": "nosniff", **headers})


@bp.route("/personal/app", methods=["GET"])
def web_app():
    return _page("app")


@bp.route("/personal/app/registrera", methods=["POST"], content_types=FORM_TYPES)
def web_app_register():
    return _page("register")


@bp.route("/personal/app/skal", methods=["GET"])
def web_app_shell():
    return _page("shell")


@bp.route("/personal/app/dag", methods=["GET"])
def web_app_day():
    return _page("day")


@bp.route("/personal/app/handelser", methods=["POST"], content_types=["application/json"])
def web_app_events():
    return _page("events", csrf=False)  # the view checks the X-CSRF-Token header


@bp.route("/personal/app/manifest.webmanifest", methods=["GET"])
def web_app_manifest():
    return _file("manifest.webmanifest")


@bp.route("/personal/app/filer/{name}", methods=["GET"])
def web_app_file(name):
    return _file(name)


@bp.route("/personal/app-sw.js", methods=["GET"])
def web_app_worker():
    return _file("staffapp-sw.js")
