"""What every change to a seller's record takes: the seller's lock, which orders its evidence
chain, and the rescore that follows (the verification level is a credit factor)."""

from __future__ import annotations

from anxin.accounts.models import User
from anxin.core import hooks


def seller_rescore(seller_id: int) -> None:
    """The verification level is a credit factor: whoever scores sellers rescores this one."""
    hooks.call(hooks.SELLER_RECORD_CHANGED, seller_id=seller_id)


def seller_lock(seller_id: int) -> bool:
    """Lock the seller's account row: what orders the seller's evidence chain ("seller:N")
    and its verification, so two first verifications (or a verification and a lapse) never
    both append after the same record. Taken first, before any other row of the seller's.
    False if there is no such account."""
    return (
        User.objects.select_for_update().filter(pk=seller_id).values_list("pk").first() is not None
    )
