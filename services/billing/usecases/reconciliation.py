"""The reconciliation of a provider's invoice against the basis it may see, with the due date."""
from __future__ import annotations

from ...auth.principal import Principal
from ..domain import basis as rules
from ..domain.reconcile import Reconciliation, reconcile as compare
from ..ports import BillingDeps
from ..schemas import ReconcileRequest
from .invoice_basis import invoice_basis


def reconcile(deps: BillingDeps, who: Principal, provider_id: str, month: str,
              body: ReconcileRequest) -> Reconciliation:
    shown = invoice_basis(deps, who, provider_id, month, body.version)
    b = rules.Basis(provider_id=shown.provider_id, month=shown.month, rule_pack=shown.rule_pack, lines=shown.lines,
                    totals=shown.totals, preliminary_amounts=shown.preliminary_amounts)
    return compare(b, list(body.lines), body.received_on)
