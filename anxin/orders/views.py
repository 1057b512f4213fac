"""The order's pages: the checkout a listing's link opens, the buyer's and seller's orders, an
order's page with its chat, its voucher and its evidence bundle. As thin as the API: parse the
form, call a service, show the result or the error.

The apps above orders (after-sales, reviews, complaints) show their own sections on the order
page and the checkout: each registers a panel here (the web shell does it at start-up), so the
order pages know none of them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext
from django.views.decorators.http import require_POST

from anxin.accounts import selectors as account_sel
from anxin.accounts import services as account_svc
from anxin.accounts.models import Role, SavedAddress, User
from anxin.accounts.pages import UserRequest
from anxin.carriers import selectors as carrier_sel
from anxin.catalog import selectors as catalog_sel
from anxin.core.errors import DomainError
from anxin.core.images import read_upload
from anxin.core.pages import error_page, user_message
from anxin.core.text import parse_int
from anxin.evidence import keys
from anxin.orders import chat, downloads, vouchers
from anxin.orders import selectors as order_sel
from anxin.orders import services as order_svc
from anxin.orders.models import Hold, HoldKind, Order, OrderStatus

# A section of a page, drawn by an app above orders: given the request and the page's
# context, its HTML (or "" for nothing).
Panel = Callable[[HttpRequest, dict[str, Any]], str]

_ORDER_PANELS: list[Panel] = []
_CHECKOUT_PANELS: list[Panel] = []


def order_panels_register(*panels: Panel) -> None:
    """Sections shown on the order page after its actions, in this order."""
    _ORDER_PANELS[:] = panels  # ready() may run twice in tests


def checkout_panels_register(*panels: Panel) -> None:
    """Sections shown on the checkout under the seller's name, in this order."""
    _CHECKOUT_PANELS[:] = panels


@dataclass(frozen=True)
class OrderListExtras:
    """What the apps above orders add to the order list (the shell registers it, as it
    registers the panels): which orders may still be reviewed, which have a return or a
    complaint, and the page of each order's open return or complaint."""

    # Each asked afresh for every list (what may be reviewed depends on the time).
    reviewable: Callable[[], Q]
    after_sales: Callable[[], Q]
    # Orders -> the page of the return or complaint open on each (by id; those with one).
    open_cases: Callable[[list[Order]], dict[int, str]]


_LIST_EXTRAS: list[OrderListExtras] = []


def order_list_register(extras: OrderListExtras) -> None:
    _LIST_EXTRAS[:] = [extras]


def _panels(registered: list[Panel], request: HttpRequest, ctx: dict[str, Any]) -> list[str]:
    return [html for panel in registered if (html := panel(request, ctx))]


# --- checkout ------------------------------------------------------------------------------


def max_order_quantity(stock: int, unpaid: int = 0) -> int:
    """The most the quantity stepper offers: what order_create would accept at most (the stock,
    the per-order limit, the units of one listing that may wait for the buyer's payment, less
    those already waiting). The service still judges the order; this only keeps the buttons
    from offering what it refuses."""
    return max(
        1,
        min(
            stock,
            settings.ANXIN_MAX_ORDER_QUANTITY,
            settings.ANXIN_UNPAID_UNITS_PER_LISTING - unpaid,
        ),
    )


def _typed_quantity(value: Any) -> int:
    """The quantity typed, for the total shown beside it (1 when it is not a number yet)."""
    try:
        n = int(str(value or "").strip())
    except ValueError:
        return 1
    return n if 1 <= n <= 10_000 else 1


def _checkout_buyer(request: HttpRequest) -> User | None:
    """The signed-in buyer the checkout is for (her address book, her unpaid units), if any."""
    u = request.user
    return u if isinstance(u, User) and u.role == Role.BUYER else None


def _address_chosen(addresses: list[SavedAddress], asked: str | None) -> SavedAddress | None:
    """The saved address the checkout fills in: the one picked (?address=<id>, one of the
    buyer's own), else the default."""
    for a in addresses:
        if asked and str(a.pk) == asked:
            return a
    return next((a for a in addresses if a.is_default), None)


def _address_keep(request: HttpRequest, buyer: User, order: Order) -> None:
    """ "Save this address": the order is placed whatever happens here; a refusal (a full
    address book) is said on the order's page."""
    try:
        account_svc.address_save(
            user=buyer,
            recipient_name=order.recipient_name,
            recipient_phone=order.recipient_phone,
            shipping_address=order.shipping_address,
        )
    except DomainError as e:
        messages.warning(request, user_message(e))
    else:
        messages.success(request, _("Address saved to your address book."))


def checkout(request: HttpRequest, code: str) -> HttpResponse:
    try:
        listing = catalog_sel.listing_by_code(code)
    except DomainError as e:
        return error_page(request, e)
    error = None
    form: Any = {"quantity": "1", "idempotency_key": uuid.uuid4().hex}
    status = 200
    buyer = _checkout_buyer(request)
    addresses = list(account_sel.addresses_of(buyer)) if buyer is not None else []
    chosen = _address_chosen(addresses, request.GET.get("address"))
    if chosen is not None:
        form.update(
            recipient_name=chosen.recipient_name,
            recipient_phone=chosen.recipient_phone,
            shipping_address=chosen.shipping_address,
        )
    if request.method == "POST":
        form = request.POST
        if not request.user.is_authenticated:
            return redirect(f"{reverse('web:login')}?next={request.path}")
        try:
            order = order_svc.order_create(
                buyer=request.user,
                listing_code=code,
                snapshot_id=parse_int(form.get("snapshot_id"), "snapshot_id"),
                quantity=parse_int(form.get("quantity"), "quantity"),
                recipient_name=form.get("recipient_name", ""),
                recipient_phone=form.get("recipient_phone", ""),
                shipping_address=form.get("shipping_address", ""),
                buyer_note=form.get("buyer_note", ""),
                idempotency_key=form.get("idempotency_key", ""),
            )
        except DomainError as e:
            error, status = user_message(e), e.status
            if e.code == "listing_changed":
                error = _(
                    "The seller changed this listing after you opened it. Please review "
                    "the listing as it is now before you buy."
                )
                listing = catalog_sel.listing_by_code(code)
        else:
            if form.get("save_address") == "on" and buyer is not None:
                _address_keep(request, buyer, order)
            return redirect("web:order", number=order.number)
    snap = listing.current_snapshot
    assert snap is not None  # a listing is created with its first snapshot
    ctx: dict[str, Any] = {
        "listing": listing,
        "snap": snap,
        "max_quantity": max_order_quantity(
            listing.stock,
            order_sel.unpaid_units(buyer.pk, listing.pk) if buyer is not None else 0,
        ),
        "total_fen": snap.price_fen * _typed_quantity(form.get("quantity")),
        "images": catalog_sel.snapshot_images(snap),
        "shop": listing.seller.seller_profile,
        "seller_id": listing.seller_id,
        "form": form,
        "error": error,
        "fee_note": settings.ANXIN_AUTO_CONFIRM_DAYS,
        "addresses": addresses,
        "chosen": chosen,
    }
    ctx["panels"] = _panels(_CHECKOUT_PANELS, request, ctx)
    return render(request, "orders/checkout.html", ctx, status=status)


# --- orders --------------------------------------------------------------------------------


@login_required
def orders(request: UserRequest) -> HttpResponse:
    """The orders the user bought (or, for a seller, sold), by tab (`?tab=`: an unknown one
    shows them all), each with its thumbnail, shop, amount, status and the one thing to do
    next."""
    user = request.user
    extras = _LIST_EXTRAS[0] if _LIST_EXTRAS else None
    reviewable = extras.reviewable() if extras else None
    tabs = order_sel.order_tabs(
        reviewable=reviewable, after_sales=extras.after_sales() if extras else None
    )
    current = next((t for t in tabs if t.key == request.GET.get("tab")), tabs[0])
    mine = order_sel.visible_orders(user)
    counts = order_sel.order_tab_counts(mine, tabs)
    rows = list(
        mine.filter(current.where)
        .select_related("seller__seller_profile")
        .order_by("-created_at", "-pk")[:100]
    )
    ids = [o.pk for o in rows]
    open_holds = set(
        Hold.objects.filter(order_id__in=ids, closed_at__isnull=True).values_list(
            "order_id", flat=True
        )
    )
    to_review = (
        set(Order.objects.filter(reviewable, pk__in=ids).values_list("pk", flat=True))
        if reviewable is not None
        else set()
    )
    cases = extras.open_cases(rows) if extras else {}
    images = catalog_sel.first_images([o.snapshot for o in rows])
    items = [
        {
            "o": o,
            "image": images.get(o.snapshot_id),
            "shop": getattr(getattr(o.seller, "seller_profile", None), "shop_name", "")
            or o.seller.display_name,
            "next": _next_step(o, user, cases.get(o.pk), o.pk in open_holds, o.pk in to_review),
        }
        for o in rows
    ]
    return render(
        request,
        "orders/orders.html",
        {
            "items": items,
            "tabs": [{"key": t.key, "label": t.label, "n": counts[t.key]} for t in tabs],
            "tab": current.key,
        },
    )


def _next_step(
    o: Order, user: Any, case_url: str | None, on_hold: bool, to_review: bool
) -> dict[str, str] | None:
    """The one thing to do next on an order in the list, as a link to where it is done: an
    open return or complaint first (its page), then the order's own next step for this
    reader."""
    page = reverse("web:order", args=[o.number])
    if case_url:
        return {"label": _("See progress"), "url": case_url, "kind": "case"}
    if on_hold:
        return {"label": _("See progress"), "url": page, "kind": "case"}
    is_buyer = user.pk == o.buyer_id and user.role == Role.BUYER
    is_seller = user.pk == o.seller_id and user.role == Role.SELLER
    if is_buyer and o.status == OrderStatus.AWAITING_PAYMENT:
        return {"label": _("Pay"), "url": page, "kind": "pay"}
    if is_buyer and o.status == OrderStatus.SHIPPED:
        return {"label": _("Confirm receipt"), "url": page, "kind": "confirm"}
    if is_buyer and o.status == OrderStatus.COMPLETED and to_review:
        return {"label": pgettext("next step", "Review"), "url": page + "#review", "kind": "review"}
    if is_seller and o.status == OrderStatus.PAID:
        return {"label": _("Ship"), "url": page, "kind": "ship"}
    return None


def _order_context(request: UserRequest, order: Order) -> dict[str, Any]:
    user = request.user
    is_buyer = user.pk == order.buyer_id and user.role == Role.BUYER
    is_seller = user.pk == order.seller_id and user.role == Role.SELLER
    open_holds = list(order.holds.filter(closed_at__isnull=True))
    open_hold = next((h for h in open_holds if h.kind == HoldKind.REFUND_REQUEST), None)
    payment = order.payments.order_by("-pk").first()
    return {
        "order": order,
        "snap": order.snapshot,
        "images": catalog_sel.snapshot_images(order.snapshot),
        "timeline": order_sel.order_timeline(order),
        "is_buyer": is_buyer,
        "is_seller": is_seller,
        "is_operator": user.role == Role.OPERATOR,
        "hold": open_hold,
        "paused": bool(open_holds),
        # One reason per kind of open hold: a complaint or an after-sales request pauses the
        # automatic confirmation as a refund request does, and the page must say so.
        "pause_kinds": sorted({h.kind for h in open_holds}),
        "progress": order_sel.order_progress(order, paused=bool(open_holds)),
        # The parcel's journey as the carrier reported it, newest first (none before payment:
        # a reused tracking number's older parcel is not this order's).
        "parcel": list(carrier_sel.parcel_events(order.tracking_number, since=order.paid_at))
        if order.tracking_number
        else [],
        "payment": payment,
        # Which provider the pay button pays with: the page says where it takes the buyer.
        "pay_with": settings.ANXIN_PAYMENT_PROVIDER,
        "S": OrderStatus,
        "messages_list": chat.messages_of(order),
        "can_chat": is_buyer or is_seller,
        # The buyer has paid at the cashier (which sends her back with ?paid=1) but the
        # provider's notification has not been applied yet: the page says the payment is being
        # confirmed and offers no second payment.
        "waiting_for_provider": order.status == OrderStatus.AWAITING_PAYMENT
        and payment is not None
        and (payment.status == "succeeded" or request.GET.get("paid") == "1"),
    }


@login_required
def order_detail(request: UserRequest, number: str) -> HttpResponse:
    try:
        order = order_sel.order_for(request.user, number)
    except DomainError as e:
        return error_page(request, e)
    ctx = _order_context(request, order)
    ctx["panels"] = _panels(_ORDER_PANELS, request, ctx)
    return render(request, "orders/order.html", ctx)


@login_required
def order_status(request: UserRequest, number: str) -> HttpResponse:
    """The status block alone, polled by htmx while the buyer waits for the payment to land."""
    try:
        order = order_sel.order_for(request.user, number)
    except DomainError as e:
        return error_page(request, e)
    response = render(request, "orders/_order_status.html", _order_context(request, order))
    if request.htmx and order.status != OrderStatus.AWAITING_PAYMENT:
        # The payment landed: the actions on the page change too, so reload all of it.
        response["HX-Refresh"] = "true"
    return response


# The order's own actions. After-sales and reviews post to the same addresses
# (orders/<number>/aftersale-..., review...), matched first by their apps' own URLs.
_ACTIONS: dict[str, Callable[..., Any]] = {
    "ship": lambda u, n, p: order_svc.order_ship(
        actor=u,
        number=n,
        carrier=p.get("carrier", ""),
        tracking_number=p.get("tracking_number", ""),
    ),
    "confirm": lambda u, n, p: order_svc.order_confirm(actor=u, number=n),
    "cancel": lambda u, n, p: order_svc.order_cancel(actor=u, number=n, reason=p.get("reason", "")),
    "refund": lambda u, n, p: order_svc.order_refund(actor=u, number=n, reason=p.get("reason", "")),
    "refund-request": lambda u, n, p: order_svc.order_refund_request(
        actor=u, number=n, reason=p.get("reason", "")
    ),
    "refund-approve": lambda u, n, p: order_svc.order_refund_request_decide(
        actor=u, number=n, approve=True, reason=p.get("reason", "") or "approved"
    ),
    "refund-decline": lambda u, n, p: order_svc.order_refund_request_decide(
        actor=u, number=n, approve=False, reason=p.get("reason", "")
    ),
    "refund-withdraw": lambda u, n, p: order_svc.order_refund_request_withdraw(actor=u, number=n),
}


# What the order page says once each of its own actions is done (msgids: translated when shown).
_DONE: dict[str, str] = {
    "ship": gettext_noop("Marked as shipped."),
    "confirm": gettext_noop("Receipt confirmed: the payment is released to the seller."),
    "cancel": gettext_noop("The order is cancelled."),
    "refund": gettext_noop("The order is refunded."),
    "refund-request": gettext_noop(
        "Your refund request is sent to the seller. Automatic confirmation is paused meanwhile."
    ),
    "refund-approve": gettext_noop("Refund approved: the buyer is refunded in full."),
    "refund-decline": gettext_noop("Refund request declined."),
    "refund-withdraw": gettext_noop("Refund request withdrawn."),
}


def order_action_run(
    request: UserRequest,
    number: str,
    call: Callable[..., Any] | None,
    done: str = "Done.",
) -> HttpResponse:
    """Run one action posted from the order page and go back to it; a refusal is shown there,
    and so is `done` (a msgid, translated here) once it succeeded. The after-sales and review
    actions go through here too, so that every form on the order page behaves alike."""
    if call is None:
        return render(request, "web/error.html", {"message": _("Unknown action.")}, status=404)
    try:
        call(request.user, number, request.POST)
    except DomainError as e:
        messages.error(request, user_message(e))
        if e.status == 404:
            return error_page(request, e)
    else:
        messages.success(request, _(done))
    return redirect("web:order", number=number)


@login_required
@require_POST
def order_action(request: UserRequest, number: str, action: str) -> HttpResponse:
    if action == "pay":
        try:
            payment = order_svc.order_payment_start(actor=request.user, number=number)
        except DomainError as e:
            messages.error(request, user_message(e))
            if e.status == 404:
                return error_page(request, e)
            return redirect("web:order", number=number)
        if payment.pay_url.startswith(("https://", "http://", "/")):
            return redirect(payment.pay_url)
        # A wallet's code (WeChat Pay's native QR, its in-app JSAPI bridge): its own page.
        return redirect("payments:wallet_cashier", payment_pk=payment.pk)
    return order_action_run(request, number, _ACTIONS.get(action), _DONE.get(action, "Done."))


@login_required
def order_messages(request: UserRequest, number: str) -> HttpResponse:
    """GET: the chat alone (htmx polls it). POST: add a message, then the chat."""
    try:
        order = order_sel.order_for(request.user, number)
        error = None
        if request.method == "POST":
            upload = request.FILES.get("image")
            try:
                chat.message_post(
                    actor=request.user,
                    number=number,
                    text=request.POST.get("text", ""),
                    image=read_upload(upload, field="image") if upload else None,
                )
            except DomainError as e:
                if e.status == 404:
                    raise
                error = user_message(e)
    except DomainError as e:
        return error_page(request, e)
    ctx = {**_order_context(request, order), "chat_error": error}
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(reverse("web:order", args=[number]) + "#chat")
    # 422 with the chat and the reason: htmx swaps it in (see htmx-config in base.html).
    return render(request, "orders/_chat.html", ctx, status=422 if error else 200)


# --- voucher and evidence bundle -----------------------------------------------------------


def _voucher_or_error(request: UserRequest, number: str) -> vouchers.OrderVoucher | HttpResponse:
    try:
        return vouchers.order_voucher(request.user, number)
    except DomainError as e:
        return error_page(request, e)


@login_required
def order_voucher(request: UserRequest, number: str) -> HttpResponse:
    v = _voucher_or_error(request, number)
    if isinstance(v, HttpResponse):
        return v
    return render(
        request,
        "orders/voucher.html",
        {"v": v, "order": v.order, "qr": v.qr_svg(), "vkey": keys.log_verifier().vkey()},
    )


@login_required
def order_voucher_pdf(request: UserRequest, number: str) -> HttpResponse:
    v = _voucher_or_error(request, number)
    if isinstance(v, HttpResponse):
        return v
    return downloads.voucher_pdf_response(v)


@login_required
def order_voucher_proof(request: UserRequest, number: str) -> HttpResponse:
    v = _voucher_or_error(request, number)
    if isinstance(v, HttpResponse):
        return v
    return downloads.voucher_proof_response(v)


@login_required
def order_bundle(request: UserRequest, number: str) -> HttpResponse:
    v = _voucher_or_error(request, number)
    if isinstance(v, HttpResponse):
        return v
    return downloads.bundle_response(request, v)
