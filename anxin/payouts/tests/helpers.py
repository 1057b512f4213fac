"""Set-ups the payouts tests share: a seller with settled money, and its card."""

from __future__ import annotations

import datetime as dt

from anxin.accounts.models import User
from anxin.catalog.models import Listing
from anxin.conftest import deliver_all, shipped
from anxin.orders.models import Order
from anxin.orders.services import order_confirm
from anxin.payouts.models import SellerPayoutAccount
from anxin.payouts.services import payout_account_add

CARD = "6222020200112233445"
REFUSED_CARD = "6222020200110002"  # the sandbox's bank refuses it
RETURNED_CARD = "6222020200110003"  # the sandbox's bank pays it, then it comes back
# Past the longest after-sales window (7 days from delivery, moved off holidays).
PAST_WINDOW = dt.timedelta(days=20)
SETTLE = dt.timedelta(seconds=61)
RETURN = dt.timedelta(seconds=3601)


def settled_order(buyer: User, seller: User, listing: Listing, tracking: str) -> Order:
    """An order the buyer confirmed: its money is in the seller's balance."""
    order = shipped(buyer, seller, listing, tracking=tracking)
    order_confirm(actor=buyer, number=order.number)
    deliver_all()
    order.refresh_from_db()
    return order


def card(seller: User, number: str = CARD) -> SellerPayoutAccount:
    return payout_account_add(
        actor=seller, kind="bank_card", holder_name="张三", number=number, bank="工商银行"
    )
