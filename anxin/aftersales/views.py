"""After-sales on the order page: its section (the request and its state, what the law says
about it, the forms each side has), the law's view of the request being written, and the
actions, posted to the order's action address. As thin as the API: parse the form, call a
service, show the result or the error."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_POST

from anxin.accounts.models import SellerProfile
from anxin.accounts.pages import UserRequest
from anxin.aftersales import services as aftersales
from anxin.aftersales.models import Kind as AfterSaleKind
from anxin.core.errors import DomainError
from anxin.core.money import parse_yuan
from anxin.core.pages import error_page, page_lang, user_message
from anxin.orders.models import OrderStatus
from anxin.orders.selectors import order_for
from anxin.orders.views import order_action_run

ITEM_CONDITIONS = [
    ("intact", gettext_lazy("Intact, unopened")),
    ("opened_for_inspection", gettext_lazy("Opened to inspect it")),
    ("tried_reasonably", gettext_lazy("Tried briefly, as in a shop")),
    ("used", gettext_lazy("Used")),
    ("seal_broken", gettext_lazy("Hygiene seal broken")),
    ("tags_removed", gettext_lazy("Tags removed")),
    ("damaged", gettext_lazy("Damaged")),
]


def order_aftersales_panel(request: HttpRequest, ctx: dict[str, Any]) -> str:
    """The order page's after-sales section. A buyer may ask while the order is shipped or
    completed, nothing else is open on it, and no request is under way."""
    order = ctx["order"]
    after_sale = order.after_sales.order_by("-pk").first()
    can_request = (
        ctx["is_buyer"]
        and order.status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED)
        and not (after_sale and after_sale.is_open)
        and not ctx["paused"]
    )
    preview: tuple[list[Any], bool] = ([], False)
    if can_request:
        decisions, backed = aftersales.aftersale_preview_of(order, kind="no_reason_return")
        preview = ([d.json() for d in decisions], backed)
    profile = SellerProfile.objects.filter(user_id=order.seller_id).first()
    on_file = profile.return_address if profile is not None else ""
    return render_to_string(
        "aftersales/_aftersales.html",
        {
            **ctx,
            "after_sale": after_sale,
            # Where the goods go back: the address fixed at approval, else (approved by
            # silence before the seller set one) the seller's address on file.
            "return_address": (after_sale.return_address if after_sale else "") or on_file,
            "return_address_on_file": on_file,
            "can_request_after_sale": can_request,
            "after_sale_kinds": AfterSaleKind.choices,
            "item_conditions": ITEM_CONDITIONS,
            "preview_decisions": preview[0],
            "preview_backed": preview[1],
            # A buyer may return some of the items: how many are left to return.
            "units_left": (
                range(order.quantity - aftersales.aftersale_units_returned(order), 0, -1)
                if can_request
                else range(0)
            ),
        },
        request=request,
    )


@login_required
def aftersale_preview(request: UserRequest, number: str) -> HttpResponse:
    """What the law says about the request being written (htmx, on every change)."""
    ctx: dict[str, Any] = {}
    try:
        order = order_for(request.user, number)
        decisions, backed = aftersales.aftersale_preview_of(
            order,
            kind=request.GET.get("kind", "no_reason_return"),
            item_condition=request.GET.get("item_condition", "intact"),
            quantity=request.GET.get("quantity") or None,
        )
        # The day of the purchase, which picked the rules' versions and picks the cited
        # statutes'.
        ctx = {"decisions": [d.json() for d in decisions], "backed": backed, "on": order.paid_at}
    except DomainError as e:
        if e.status == 404:
            return error_page(request, e)
        ctx = {"preview_error": user_message(e)}
    ctx["LANG"] = page_lang()
    return render(request, "aftersales/_law_preview.html", ctx)


def _fen(p: Any, name: str) -> int:
    raw = (p.get(name) or "0").strip()
    return parse_yuan(raw, field=name)


AFTERSALE_ACTIONS = {
    "aftersale-request": lambda u, n, p: aftersales.aftersale_request(
        actor=u,
        number=n,
        kind=p.get("kind", ""),
        reason=p.get("reason", ""),
        item_condition=p.get("item_condition", "intact"),
        quantity=p.get("quantity") or None,
    ),
    "aftersale-approve": lambda u, n, p: aftersales.aftersale_answer(
        actor=u, number=n, approve=True
    ),
    "aftersale-refuse": lambda u, n, p: aftersales.aftersale_answer(
        actor=u, number=n, approve=False, reason=p.get("reason", "")
    ),
    "aftersale-withdraw": lambda u, n, p: aftersales.aftersale_withdraw(actor=u, number=n),
    "aftersale-ship-back": lambda u, n, p: aftersales.aftersale_ship_back(
        actor=u,
        number=n,
        carrier=p.get("carrier", ""),
        tracking_number=p.get("tracking_number", ""),
        return_shipping_fen=_fen(p, "return_shipping"),
    ),
    "aftersale-received": lambda u, n, p: aftersales.aftersale_confirm_received(
        actor=u,
        number=n,
        gifts_not_returned_fen=_fen(p, "gifts"),
        free_shipping_deduction_fen=_fen(p, "shipping_deduction"),
    ),
    "aftersale-reship": lambda u, n, p: aftersales.aftersale_reship(
        actor=u,
        number=n,
        carrier=p.get("carrier", ""),
        tracking_number=p.get("tracking_number", ""),
    ),
    "aftersale-escalate": lambda u, n, p: aftersales.aftersale_escalate(
        actor=u, number=n, reason=p.get("reason", "")
    ),
}


# What the order page says once each step is done (msgids, translated by order_action_run).
AFTERSALE_DONE = {
    "aftersale-request": gettext_noop("Your request is sent to the seller."),
    "aftersale-approve": gettext_noop("Request approved."),
    "aftersale-refuse": gettext_noop("Request refused."),
    "aftersale-withdraw": gettext_noop("Request withdrawn."),
    "aftersale-ship-back": gettext_noop("Return shipment recorded."),
    "aftersale-received": gettext_noop("Receipt of the returned goods confirmed."),
    "aftersale-reship": gettext_noop("Replacement shipment recorded."),
    "aftersale-escalate": gettext_noop("The request is now a complaint for Anxin's dispute desk."),
}


@login_required
@require_POST
def aftersale_action(request: UserRequest, number: str, action: str) -> HttpResponse:
    """A step of the after-sales request, posted from the order page at the order's action
    address."""
    return order_action_run(
        request, number, AFTERSALE_ACTIONS.get(action), AFTERSALE_DONE.get(action, "Done.")
    )
