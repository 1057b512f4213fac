"""`anxin ledger audit`: every ledger invariant, checked from scratch.

Stored balances are recomputed by replaying every transfer through the same posting rules the
service uses, in the order the transfers were committed; any difference, any broken limit, any
hold resolved twice or not as recorded, any incomplete linked chain is reported by name.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Sum

from anxin.ledger import posting
from anxin.ledger.models import Account, AuditRun, Transfer
from anxin.ledger.posting import Kind, LedgerError, PendingState, PendingView


def ledger_audit() -> list[str]:
    problems: list[str] = []
    accounts = {a.pk: a for a in Account.objects.all()}
    replay = {
        pk: posting.Balance(account_id=pk, flags=a.flags, currency=a.currency)
        for pk, a in accounts.items()
    }
    views: dict[str, PendingView] = {}
    resolutions: Counter[str] = Counter()
    chains: dict[str, list[int]] = defaultdict(list)
    stored_state: dict[str, str | None] = {}

    for t in Transfer.objects.select_related("pending").order_by("seq").iterator(chunk_size=5000):
        pt = t.as_posting()
        chains[str(t.chain)].append(t.chain_size)
        view = views.get(pt.pending_id) if pt.pending_id else None
        if pt.pending_id and view is None:
            problems.append(
                f"transfer {t.id}: resolves {pt.pending_id}, which comes later or does not exist"
            )
            continue
        try:
            effects = posting.apply(pt, replay, view)
        except LedgerError as e:
            problems.append(f"transfer {t.id} ({t.code} {t.ref}): replay refused: {e}")
            continue
        replay = effects.balances
        if pt.kind is Kind.PENDING:
            views[pt.id] = PendingView(pt)
            stored_state[pt.id] = t.pending_state
        if effects.resolved_pending and view is not None:
            view.state = effects.resolved_pending[1]
            resolutions[effects.resolved_pending[0]] += 1

    for pk, a in accounts.items():
        if a.as_balance() != replay[pk]:
            r = replay[pk]
            problems.append(
                f"account {a.code}: stored totals (dp={a.debits_pending} dP={a.debits_posted} "
                f"cp={a.credits_pending} cP={a.credits_posted}) differ from replayed "
                f"(dp={r.debits_pending} dP={r.debits_posted} cp={r.credits_pending} "
                f"cP={r.credits_posted})"
            )
        if a.flags & posting.Flag.DEBITS_MUST_NOT_EXCEED_CREDITS and a.available < 0:
            problems.append(f"account {a.code}: negative balance {a.available} fen")

    totals = Account.objects.aggregate(
        dp=Sum("debits_pending"),
        dP=Sum("debits_posted"),
        cp=Sum("credits_pending"),
        cP=Sum("credits_posted"),
    )
    if (totals["dP"] or 0) != (totals["cP"] or 0):
        problems.append(
            f"posted debits {totals['dP']} != posted credits {totals['cP']}: "
            "money was created or lost"
        )
    if (totals["dp"] or 0) != (totals["cp"] or 0):
        problems.append(f"pending debits {totals['dp']} != pending credits {totals['cp']}")

    for pid, view in views.items():
        if stored_state[pid] != view.state.value:
            problems.append(
                f"pending transfer {pid}: stored as {stored_state[pid]}, "
                f"transfers say {view.state.value}"
            )
        if view.state is not PendingState.PENDING and resolutions[pid] != 1:
            problems.append(f"pending transfer {pid}: resolved {resolutions[pid]} times")
    for chain, sizes in chains.items():
        if len(sizes) != sizes[0] or len(set(sizes)) != 1:
            problems.append(f"linked chain {chain}: {len(sizes)} of {sizes[0]} transfers stored")
    return problems


def audit_latest() -> AuditRun | None:
    """The last finished run of the whole books' audit (ops.audits), as pages show it."""
    return AuditRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
