"""Routes: a case worker approves a contact person's report against its assignment (for payouts)."""
from chalice import Blueprint

from services.entrypoints.http import HttpApi
from services.eservices.bootstrap import deps

M = "services.eservices.casework"  # imported on the first approval, not at a cold start

bp = Blueprint(__name__)
api = HttpApi(bp, "eservices")


@bp.route("/cases/{case_id}/report-approval", methods=["POST"])
@api.operation("contact_reports.approve", body=f"{M}.models.report_approval:ReportApprovalRequest",
               response=f"{M}.domain.report_approval:ReportApproval", status=201,
               tags=("case work",), summary="Approve a contact person's monthly or time report against its assignment")
def approve_report(call, body, case_id):
    from services.eservices.casework.usecases import report_approval

    return report_approval.approve(deps(), call.who, case_id, body)
