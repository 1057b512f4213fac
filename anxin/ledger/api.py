from __future__ import annotations

from ninja import Router, Schema

from anxin.accounts.models import Role
from anxin.api.auth import AuthedRequest
from anxin.core.errors import Forbidden

router = Router(tags=["ledger"])


class AuditOut(Schema):
    ok: bool
    problems: list[str]


@router.get("/ledger/audit", response=AuditOut)
def audit(request: AuthedRequest) -> AuditOut:
    if request.auth.role != Role.OPERATOR:
        raise Forbidden("only operators can run the ledger audit", code="not_an_operator")
    from anxin.disputes.audit import returns_audit
    from anxin.ledger.audit import ledger_audit
    from anxin.orders.audit import orders_audit
    from anxin.payouts.audit import payouts_audit

    problems = ledger_audit() + orders_audit() + returns_audit() + payouts_audit()
    return AuditOut(ok=not problems, problems=problems)
