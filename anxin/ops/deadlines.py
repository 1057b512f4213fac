"""Every deadline that is due, from stored times: the safety net behind the timer tasks (a
worker that was down, a queue row lost with a restored backup). Each app fires its own
deadlines; this runs them in one fixed order, so what one decides (an order confirmed, a case
defaulted) is seen by the ones after it in the same run."""

from __future__ import annotations

from django.utils import timezone

from anxin.accounts.services import accounts_purge
from anxin.aftersales.services import aftersale_deadlines_run
from anxin.core.worker import reclaim_stale
from anxin.disputes.deadlines import dispute_deadlines_run as disputes_deadlines_run
from anxin.ops.tasks import audit_schedule
from anxin.orders.services import order_deadlines_run
from anxin.payments.services import provider_calls_requeue, rejected_purge
from anxin.payouts.services import payouts_requeue
from anxin.reconcile.tasks import reconcile_schedule
from anxin.reputation.blacklist import expire as blacklist_expire
from anxin.reputation.blacklist import monitor as blacklist_monitor
from anxin.reputation.credit import refresh_changed
from anxin.sellers.reverification import seller_deadlines_run
from anxin.supervision import early_warning, regulator
from anxin.supervision.mediation import mediations_due, referrals_overdue
from anxin.supervision.services import complaints_overdue


def deadlines_run(*, limit: int = 1000) -> dict[str, int]:
    """Run every app's deadlines; returns how many of each kind fired (`anxin deadlines`
    prints them in this order)."""
    now = timezone.now()
    counts = order_deadlines_run(limit=limit)
    # A provider call (or a payout) left undelivered by a crash is queued again, beside the
    # stale tasks.
    counts["tasks_reclaimed"] = (
        reclaim_stale(now=now) + provider_calls_requeue(now=now) + payouts_requeue(now=now)
    )
    counts["rejected_notifications_purged"] = rejected_purge(now=now)
    # Yesterday's bill, once the provider has it out: queued once, run by a worker.
    counts["reconciliations_queued"] = reconcile_schedule(now=now)
    # The whole books' audit, every ANXIN_AUDIT_EVERY_MINUTES, run by a worker.
    counts["audits_queued"] = audit_schedule(now=now)
    counts["blacklistings_expired"] = blacklist_expire()
    counts |= aftersale_deadlines_run(limit=limit)
    counts |= disputes_deadlines_run(limit=limit)
    counts |= seller_deadlines_run(limit=limit)
    counts |= accounts_purge()
    counts["complaints_overdue"] = complaints_overdue(now)
    counts["mediations_ended"] = mediations_due(now)
    counts["referrals_overdue"] = referrals_overdue(now)
    counts["corrections_defaulted"] = regulator.corrections_default(now)
    counts["penalty_publications_overdue"] = regulator.publications_overdue(now)
    counts["data_requests_overdue"] = regulator.data_requests_overdue(now)
    counts["early_warnings_raised"] = early_warning.monitor(now=now)
    # Last, so that what the deadlines above decided is judged and scored in this same run.
    counts["blacklistings_opened"] = blacklist_monitor()
    counts["scores_refreshed"] = refresh_changed(limit=50_000)
    return counts
