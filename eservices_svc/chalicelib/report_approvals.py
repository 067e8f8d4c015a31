"""Routes: a case worker approves a contact person's report against its assignment (for payouts)."""
from chalice import Blueprint

from services.entrypoints.http import HttpApi
from services.eservices.bootstrap import deps
from services.eservices.casework import report_approval
from services.eservices.casework.report_approval import ReportApproval, ReportApprovalRequest

bp = Blueprint(__name__)
api = HttpApi(bp, "eservices")


@bp.route("/cases/{case_id}/report-approval", methods=["POST"])
@api.operation("contact_reports.approve", body=ReportApprovalRequest, response=ReportApproval, status=201,
               tags=("case work",), summary="Approve a contact person's monthly or time report against its assignment")
def approve_report(call, body, case_id):
    return report_approval.approve(deps(), call, case_id, body)
