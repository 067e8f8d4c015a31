"""Routes: Fakturaunderlag in the staff web's billing section (``/billing/personal/fakturaunderlag``):
the month's providers, one provider's basis with its files, making it final, its versions and
their difference, the reconciliation against the provider's invoice. Views in
``services.entrypoints.web.billing.basis`` and ``.reconcile``."""
from chalice import Blueprint

bp = Blueprint(__name__)
PAGES = True  # HTML pages: not in the OpenAPI document
FORM_TYPES = ["application/x-www-form-urlencoded"]
BASIS = "/personal/fakturaunderlag/{provider_id}/{month}"


def _page(view, **kw):
    from services.entrypoints.web.http import serve_view

    return serve_view("services.entrypoints.web.billing", "BILLING", bp.current_request, view, **kw)


@bp.route("/personal/fakturaunderlag", methods=["GET"])
def basis_month():
    return _page("basis.month_list")


@bp.route(BASIS, methods=["GET"])
def basis_provider(provider_id, month):
    return _page("basis.provider_basis", provider_id=provider_id, month=month)


@bp.route(BASIS + "/fakturaunderlag.csv", methods=["GET"])
def basis_csv(provider_id, month):
    return _page("basis.csv_file", provider_id=provider_id, month=month)


@bp.route(BASIS + "/fakturaunderlag.pdf", methods=["GET"])
def basis_pdf(provider_id, month):
    return _page("basis.pdf_file", provider_id=provider_id, month=month)


@bp.route(BASIS + "/gor-slutligt", methods=["POST"], content_types=FORM_TYPES)
def basis_finalize(provider_id, month):
    return _page("basis.finalize", provider_id=provider_id, month=month)


@bp.route(BASIS + "/versioner", methods=["GET"])
def basis_versions(provider_id, month):
    return _page("basis.versions", provider_id=provider_id, month=month)


@bp.route(BASIS + "/avstamning", methods=["GET"])
def basis_reconcile_form(provider_id, month):
    return _page("reconcile.form", provider_id=provider_id, month=month)


@bp.route(BASIS + "/avstamning", methods=["POST"], content_types=FORM_TYPES)
def basis_reconcile(provider_id, month):
    return _page("reconcile.entered", provider_id=provider_id, month=month)


@bp.route(BASIS + "/avstamning/fil", methods=["POST"], content_types=["multipart/form-data"])
def basis_reconcile_file(provider_id, month):
    """A multipart form: its CSRF token is in the body, checked by the view once parsed."""
    from functools import partial

    from services.entrypoints.web.billing import reconcile
    from services.entrypoints.web.billing.section import BILLING
    from services.entrypoints.web.http import serve

    request = bp.current_request
    view = partial(reconcile.uploaded, body=request.raw_body or b"",
                   content_type=(request.headers or {}).get("content-type", ""))
    return serve(BILLING, request, view, csrf=False, provider_id=provider_id, month=month)
