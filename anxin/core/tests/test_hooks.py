"""Every hook point, with the handlers the apps register in ready(): a lower app's call
reaches exactly these, in this order."""

from __future__ import annotations

import pytest

from anxin.core import hooks


def test_every_hook_point_has_these_handlers() -> None:
    # Given the apps, ready
    # When the registrations are read
    registered = hooks.registrations()
    # Then each point reaches exactly these handlers, in this order
    assert registered == {
        hooks.BUYER_REFUNDED: ["anxin.disputes.services.on_buyer_refunded"],
        hooks.CASES_CHANGED: ["anxin.supervision.figures.cases_changed"],
        hooks.DEBT_REPAID: ["anxin.disputes.services.on_debt_repaid"],
        hooks.IDENTITY_BASIS: [
            "anxin.orders.selectors.order_identity_basis",
            "anxin.disputes.selectors.case_identity_basis",
        ],
        hooks.PARCEL_DELIVERED: [
            "anxin.orders.services.order_delivered",
            "anxin.aftersales.services.aftersale_return_delivered",
        ],
        hooks.PAYMENT_FAILED: ["anxin.orders.services.order_payment_failed"],
        hooks.RECORD_SUBJECT: ["anxin.orders.selectors.order_record_subject"],
        hooks.PAYMENT_SUCCEEDED: ["anxin.orders.services.order_payment_succeeded"],
        hooks.PAYOUT_COMPLETED: ["anxin.payouts.services.payout_completed"],
        hooks.REFUND_COMPLETED: ["anxin.orders.services.order_refund_completed"],
        hooks.SELLER_PAID_OUT: ["anxin.remedies.tasks.on_seller_paid_out"],
        hooks.SELLER_SALES: ["anxin.orders.selectors.seller_sales"],
        hooks.SELLER_SHOWN_CHANGED: ["anxin.supervision.figures.seller_shown_changed"],
        hooks.SELLER_RECORD_CHANGED: ["anxin.reputation.credit.on_seller_record_changed"],
        hooks.SELLER_VERIFYING: ["anxin.reputation.blacklist.on_seller_verifying"],
    }


def test_a_hook_point_that_does_not_exist_is_refused() -> None:
    # Given no point by this name
    # When a handler is registered for it
    with pytest.raises(ValueError, match="no hook point"):
        hooks.register("order_teleported", print)
    # Then nothing was registered
    assert "order_teleported" not in hooks.registrations()
