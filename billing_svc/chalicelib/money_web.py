"""Routes: the billing section's pages for paying (``/billing/personal``): Klassificering, Utbetalningar
(with the approval for payment and the payroll file) and Regler. Views in
``services.entrypoints.web.billing`` (classification, payouts, rule_pages)."""
from chalice import Blueprint

bp = Blueprint(__name__)
PAGES = True  # HTML pages: not in the OpenAPI document
FORM_TYPES = ["application/x-www-form-urlencoded"]


def _page(view, **kw):
    from services.entrypoints.web.http import serve_view

    return serve_view("services.entrypoints.web.billing", "BILLING", bp.current_request, view, **kw)


@bp.route("/personal/klassificering", methods=["GET"])
def web_classification():
    return _page("classification.page")


@bp.route("/personal/klassificering", methods=["POST"], content_types=FORM_TYPES)
def web_classification_change():
    return _page("classification.page")


@bp.route("/personal/utbetalningar", methods=["GET"])
def web_payouts():
    return _page("payouts.page")


@bp.route("/personal/utbetalningar/attestera", methods=["POST"], content_types=FORM_TYPES)
def web_payouts_approve():
    return _page("payouts.approve")


@bp.route("/personal/utbetalningar/{month}/lonefil", methods=["GET"])
def web_payouts_export(month):
    return _page("payouts.export", month=month)


@bp.route("/personal/utbetalningar/{month}/omgang/{round}/lonefil", methods=["GET"])
def web_payouts_round_export(month, round):  # noqa: A002 - a supplementary round's payroll file
    return _page("payouts.export", month=month, round=round)


@bp.route("/personal/regler", methods=["GET"])
def web_rules():
    return _page("rule_pages.page")


@bp.route("/personal/regler", methods=["POST"], content_types=FORM_TYPES)
def web_rules_post():
    return _page("rule_pages.post")
