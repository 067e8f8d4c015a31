"""Routes: the provider's registry in the staff web's visits section (``/visits/personal``):
Frånvaro, Taggar och lås, Personal och konton, and a staff member's Mina registreringar. Views in
``services.entrypoints.web.visits`` (``absences``, ``devices``, ``people``, ``own``); the page cycle
and its views load on the first page."""
from chalice import Blueprint

from .pages import FORM_TYPES, serve_view

bp = Blueprint(__name__)
PAGES = True  # HTML pages: not in the OpenAPI document


def _page(view, **kw):
    return serve_view(bp.current_request, view, **kw)


@bp.route("/personal/franvaro", methods=["GET"])
def web_absences():
    return _page("absences.absences")


@bp.route("/personal/franvaro/ny", methods=["GET"])
def web_absence_new():
    return _page("absences.new_absence")


@bp.route("/personal/franvaro/ny", methods=["POST"], content_types=FORM_TYPES)
def web_absence_new_post():
    return _page("absences.new_absence")


@bp.route("/personal/franvaro/{absence_id}/avsluta", methods=["GET"])
def web_absence_end(absence_id):
    return _page("absences.end", absence_id=absence_id)


@bp.route("/personal/franvaro/{absence_id}/avsluta", methods=["POST"], content_types=FORM_TYPES)
def web_absence_end_post(absence_id):
    return _page("absences.end", absence_id=absence_id)


@bp.route("/personal/enheter", methods=["GET"])
def web_devices():
    return _page("devices.devices")


@bp.route("/personal/enheter", methods=["POST"], content_types=FORM_TYPES)
def web_devices_order():
    return _page("devices.devices")


@bp.route("/personal/enheter/{device_id}", methods=["GET"])
def web_device(device_id):
    return _page("devices.device", device_id=device_id)


@bp.route("/personal/enheter/{device_id}/koppla", methods=["POST"], content_types=FORM_TYPES)
def web_device_bind(device_id):
    return _page("devices.bind", device_id=device_id)


@bp.route("/personal/enheter/{device_id}/avveckla", methods=["POST"], content_types=FORM_TYPES)
def web_device_retire(device_id):
    return _page("devices.retire", device_id=device_id)


@bp.route("/personal/personal", methods=["GET"])
def web_people():
    return _page("people.people")


@bp.route("/personal/mina-registreringar", methods=["GET"])
def web_own():
    return _page("own.mine")
