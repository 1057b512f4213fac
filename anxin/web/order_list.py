"""What the apps above orders add to the order list: the shell wires it in (apps.ready), as
it wires their sections into the order page, so the order kernel's pages know none of them."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from anxin.aftersales.selectors import aftersale_order_ids, open_aftersale_orders
from anxin.disputes.selectors import case_order_ids, open_cases_by_order
from anxin.orders.models import Order
from anxin.orders.views import OrderListExtras
from anxin.reputation.selectors import reviewable_orders


def open_cases(orders: list[Order]) -> dict[int, str]:
    """The page of the return or complaint open on each of these orders: the complaint's
    own page, or the order page's after-sales section."""
    ids = [o.pk for o in orders]
    complaints = open_cases_by_order(ids)
    returns = open_aftersale_orders(ids)
    pages = {}
    for o in orders:
        if o.pk in complaints:
            pages[o.pk] = reverse("web:dispute", args=[complaints[o.pk]])
        elif o.pk in returns:
            pages[o.pk] = reverse("web:order", args=[o.number]) + "#after-sales"
    return pages


def with_return_or_complaint() -> Q:
    return Q(pk__in=aftersale_order_ids()) | Q(pk__in=case_order_ids())


def extras() -> OrderListExtras:
    return OrderListExtras(
        reviewable=reviewable_orders,
        after_sales=with_return_or_complaint,
        open_cases=open_cases,
    )
