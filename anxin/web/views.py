"""Pages. As thin as the API: parse the form, call a service, show the result or the error."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anxin.accounts import services as accounts
from anxin.accounts.models import Role, User
from anxin.aftersales import services as aftersales
from anxin.aftersales.models import Kind as AfterSaleKind
from anxin.catalog import selectors as catalog_sel
from anxin.catalog import services as catalog
from anxin.catalog.models import Category, ReturnPolicy
from anxin.core.errors import DomainError, Forbidden
from anxin.core.images import read_upload
from anxin.core.money import parse_yuan
from anxin.core.text import parse_int
from anxin.evidence import keys
from anxin.orders import chat, vouchers
from anxin.orders import selectors as order_sel
from anxin.orders import services as order_svc
from anxin.orders.models import HoldKind, Order, OrderStatus
from anxin.reputation import services as reviews
from anxin.reputation.models import Review, Score
from anxin.web.templatetags.anxin import record_label, record_time


class UserRequest(HttpRequest):
    """A request behind login_required: its user is a real account."""

    user: User


STAFF_ROLES = {Role.MEDIATOR, Role.ADJUDICATOR, Role.REGULATOR, Role.OPERATOR}


def role_required(*roles: str) -> Callable:
    def deco(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(request: UserRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in roles:
                return render(
                    request,
                    "web/error.html",
                    {"message": _("This page is not for your role.")},
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapper

    return deco


def page_lang() -> str:
    """Which language's text of the law's reasons a page shows: "en" or "zh-hans"."""
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


def _error_page(request: HttpRequest, e: DomainError) -> HttpResponse:
    return render(request, "web/error.html", {"message": e.detail}, status=e.status)


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "web/landing.html")
    if request.user.role == Role.SELLER:
        return redirect("web:seller_home")
    if request.user.role in STAFF_ROLES:
        return redirect("web:staff_home")
    return redirect("web:orders")


# --- checkout ------------------------------------------------------------------------------


def checkout(request: HttpRequest, code: str) -> HttpResponse:
    try:
        listing = catalog_sel.listing_by_code(code)
    except DomainError as e:
        return _error_page(request, e)
    error = None
    form: Any = {"quantity": "1", "idempotency_key": uuid.uuid4().hex}
    status = 200
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
            error, status = e.detail, e.status
            if e.code == "listing_changed":
                error = _(
                    "The seller changed this listing after you opened it. Please review "
                    "the listing as it is now before you buy."
                )
                listing = catalog_sel.listing_by_code(code)
        else:
            return redirect("web:order", number=order.number)
    snap = listing.current_snapshot
    assert snap is not None  # a listing is created with its first snapshot
    from anxin.reputation.credit import rows

    score = Score.objects.filter(seller_id=listing.seller_id).first()
    return render(
        request,
        "web/checkout.html",
        {
            "listing": listing,
            "snap": snap,
            "images": catalog_sel.snapshot_images(snap),
            "shop": listing.seller.seller_profile,
            "credit": score,
            "credit_factors": rows(score.factors) if score else [],
            "seller_id": listing.seller_id,
            "form": form,
            "error": error,
            "fee_note": settings.ANXIN_AUTO_CONFIRM_DAYS,
        },
        status=status,
    )


def checkout_qr(request: HttpRequest, code: str) -> HttpResponse:
    try:
        listing = catalog_sel.listing_by_code(code)
    except DomainError as e:
        return _error_page(request, e)
    url = f"{settings.ANXIN_SITE_URL}{reverse('web:checkout', args=[listing.code])}"
    # A file of its own (with its XML namespace): svg_inline's markup, meant for inside a
    # page, is not drawn as an <img>.
    svg = io.BytesIO()
    segno.make(url, error="m").save(svg, kind="svg", xmldecl=False, scale=6, border=2)
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


# --- orders --------------------------------------------------------------------------------


@login_required
def orders(request: UserRequest) -> HttpResponse:
    qs = order_sel.visible_orders(request.user).order_by("-created_at")[:100]
    return render(request, "web/orders.html", {"orders": qs})


def _order_context(request: UserRequest, order: Order) -> dict[str, Any]:
    u = request.user
    is_buyer = u.pk == order.buyer_id and u.role == Role.BUYER
    is_seller = u.pk == order.seller_id and u.role == Role.SELLER
    open_holds = list(order.holds.filter(closed_at__isnull=True))
    open_hold = next((h for h in open_holds if h.kind == HoldKind.REFUND_REQUEST), None)
    payment = order.payments.order_by("-pk").first()
    after_sale = order.after_sales.order_by("-pk").first()
    review = Review.objects.filter(order=order).first()
    can_request = (
        is_buyer
        and order.status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED)
        and not (after_sale and after_sale.is_open)
        and not open_holds
    )
    preview: tuple[list[Any], bool] = ([], False)
    if can_request:
        decisions, backed = aftersales.preview(
            actor=u, number=order.number, kind="no_reason_return"
        )
        preview = ([d.json() for d in decisions], backed)
    return {
        "preview_decisions": preview[0],
        "preview_backed": preview[1],
        "order": order,
        "snap": order.snapshot,
        "images": catalog_sel.snapshot_images(order.snapshot),
        "timeline": order_sel.order_timeline(order),
        "is_buyer": is_buyer,
        "is_seller": is_seller,
        "is_operator": u.role == Role.OPERATOR,
        "hold": open_hold,
        "paused": bool(open_holds),
        "after_sale": after_sale,
        "can_request_after_sale": can_request,
        "after_sale_kinds": AfterSaleKind.choices,
        "item_conditions": ITEM_CONDITIONS,
        "payment": payment,
        "review": review,
        "can_review": is_buyer and order.status == OrderStatus.COMPLETED and review is None,
        "review_fields": [
            ("as_described", _("As described")),
            ("shipping", _("Shipping")),
            ("service", _("Service")),
        ],
        "cases": list(order.disputes.order_by("-pk").values_list("number", "stage")[:5]),
        "can_complain": is_buyer
        and order.status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED)
        and not order.disputes.filter(closed_at__isnull=True).exists(),
        "S": OrderStatus,
        "messages_list": chat.messages_of(order),
        "can_chat": is_buyer or is_seller,
        "waiting_for_provider": order.status == OrderStatus.AWAITING_PAYMENT
        and payment
        and payment.status == "succeeded",
    }


@login_required
def order_detail(request: UserRequest, number: str) -> HttpResponse:
    try:
        order = order_sel.order_for(request.user, number)
    except DomainError as e:
        return _error_page(request, e)
    return render(request, "web/order.html", _order_context(request, order))


@login_required
def order_status(request: UserRequest, number: str) -> HttpResponse:
    """The status block alone, polled by htmx while the buyer waits for the payment to land."""
    try:
        order = order_sel.order_for(request.user, number)
    except DomainError as e:
        return _error_page(request, e)
    response = render(request, "web/_order_status.html", _order_context(request, order))
    if request.headers.get("HX-Request") and order.status != OrderStatus.AWAITING_PAYMENT:
        # The payment landed: the actions on the page change too, so reload all of it.
        response["HX-Refresh"] = "true"
    return response


ITEM_CONDITIONS = [
    ("intact", gettext_lazy("Intact, unopened")),
    ("opened_for_inspection", gettext_lazy("Opened to inspect it")),
    ("tried_reasonably", gettext_lazy("Tried briefly, as in a shop")),
    ("used", gettext_lazy("Used")),
    ("seal_broken", gettext_lazy("Hygiene seal broken")),
    ("tags_removed", gettext_lazy("Tags removed")),
    ("damaged", gettext_lazy("Damaged")),
]


def _fen(p: Any, name: str) -> int:
    raw = (p.get(name) or "0").strip()
    return parse_yuan(raw, field=name)


@login_required
def aftersale_preview(request: UserRequest, number: str) -> HttpResponse:
    """What the law says about the request being written (htmx, on every change)."""
    ctx: dict[str, Any] = {}
    try:
        decisions, backed = aftersales.preview(
            actor=request.user,
            number=number,
            kind=request.GET.get("kind", "no_reason_return"),
            item_condition=request.GET.get("item_condition", "intact"),
        )
        ctx = {"decisions": [d.json() for d in decisions], "backed": backed}
    except DomainError as e:
        if e.status == 404:
            return _error_page(request, e)
        ctx = {"preview_error": e.detail}
    ctx["LANG"] = page_lang()
    return render(request, "web/_law_preview.html", ctx)


def _stars(p: Any, field: str) -> int:
    return parse_int(p.get(field), field, minimum=1, maximum=5)


_ACTIONS: dict[str, Callable[..., Any]] = {
    "aftersale-request": lambda u, n, p: aftersales.request(
        actor=u,
        number=n,
        kind=p.get("kind", ""),
        reason=p.get("reason", ""),
        item_condition=p.get("item_condition", "intact"),
    ),
    "aftersale-approve": lambda u, n, p: aftersales.answer(actor=u, number=n, approve=True),
    "aftersale-refuse": lambda u, n, p: aftersales.answer(
        actor=u, number=n, approve=False, reason=p.get("reason", "")
    ),
    "aftersale-withdraw": lambda u, n, p: aftersales.withdraw(actor=u, number=n),
    "aftersale-ship-back": lambda u, n, p: aftersales.ship_back(
        actor=u,
        number=n,
        carrier=p.get("carrier", ""),
        tracking_number=p.get("tracking_number", ""),
        return_shipping_fen=_fen(p, "return_shipping"),
    ),
    "aftersale-received": lambda u, n, p: aftersales.confirm_received(
        actor=u,
        number=n,
        gifts_not_returned_fen=_fen(p, "gifts"),
        free_shipping_deduction_fen=_fen(p, "shipping_deduction"),
    ),
    "aftersale-reship": lambda u, n, p: aftersales.reship(
        actor=u,
        number=n,
        carrier=p.get("carrier", ""),
        tracking_number=p.get("tracking_number", ""),
    ),
    "aftersale-escalate": lambda u, n, p: aftersales.escalate(
        actor=u, number=n, reason=p.get("reason", "")
    ),
    "review": lambda u, n, p: reviews.review(
        actor=u,
        number=n,
        as_described=_stars(p, "as_described"),
        shipping=_stars(p, "shipping"),
        service=_stars(p, "service"),
        text=p.get("text", ""),
    ),
    "review-followup": lambda u, n, p: reviews.followup(actor=u, number=n, text=p.get("text", "")),
    "review-reply": lambda u, n, p: reviews.reply(actor=u, number=n, text=p.get("text", "")),
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


@login_required
@require_POST
def order_action(request: UserRequest, number: str, action: str) -> HttpResponse:
    try:
        if action == "pay":
            payment = order_svc.order_payment_start(actor=request.user, number=number)
            return redirect(payment.pay_url)
        if action not in _ACTIONS:
            return render(request, "web/error.html", {"message": _("Unknown action.")}, status=404)
        _ACTIONS[action](request.user, number, request.POST)
    except DomainError as e:
        messages.error(request, e.detail)
        if e.status == 404:
            return _error_page(request, e)
    return redirect("web:order", number=number)


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
                error = e.detail
    except DomainError as e:
        return _error_page(request, e)
    ctx = {**_order_context(request, order), "chat_error": error}
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return redirect(reverse("web:order", args=[number]) + "#chat")
    # 422 with the chat and the reason: htmx swaps it in (see htmx-config in base.html).
    return render(request, "web/_chat.html", ctx, status=422 if error else 200)


def _voucher_or_error(request: UserRequest, number: str) -> vouchers.OrderVoucher | HttpResponse:
    try:
        return vouchers.order_voucher(request.user, number)
    except DomainError as e:
        if e.status == 404:
            return _error_page(request, e)
        return render(request, "web/error.html", {"message": e.detail}, status=e.status)


def _voucher_lines(v: vouchers.OrderVoucher) -> list[tuple[str, str]]:
    o = v.order
    shop = getattr(getattr(o.seller, "seller_profile", None), "shop_name", "") or str(o.seller)
    return [
        (_("Order"), o.number),
        (_("Item"), o.snapshot.title),
        (_("Seller"), shop),
        (_("Amount"), f"¥{o.amount_fen / 100:.2f} ({o.quantity} × ¥{o.unit_price_fen / 100:.2f})"),
        (_("Placed at"), f"{timezone.localtime(o.created_at):%Y-%m-%d %H:%M}"),
        (_("Records proven"), str(len(v.records))),
        (_("Log entry"), str(v.index)),
        (_("Checkpoint size"), str(v.size)),
        *((record_label(r["kind"]), record_time(r["at"])) for r in v.records),
    ]


@login_required
def order_voucher(request: UserRequest, number: str) -> HttpResponse:
    v = _voucher_or_error(request, number)
    if isinstance(v, HttpResponse):
        return v
    return render(
        request,
        "web/voucher.html",
        {"v": v, "order": v.order, "qr": v.qr_svg(), "vkey": keys.log_verifier().vkey()},
    )


@login_required
def order_voucher_pdf(request: UserRequest, number: str) -> HttpResponse:
    v = _voucher_or_error(request, number)
    if isinstance(v, HttpResponse):
        return v
    pdf = vouchers.voucher_pdf(
        v, title=_("Anxin shopping voucher") + f" {v.order.number}", lines=_voucher_lines(v)
    )
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="anxin-voucher-{v.order.number}.pdf"'
    return resp


@login_required
def order_voucher_proof(request: UserRequest, number: str) -> HttpResponse:
    v = _voucher_or_error(request, number)
    if isinstance(v, HttpResponse):
        return v
    return voucher_proof_response(v)


def voucher_proof_response(v: vouchers.OrderVoucher) -> HttpResponse:
    """The machine-readable voucher as a download; the page and the API both serve it so."""
    resp = HttpResponse(v.text, content_type="text/plain; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{v.order.number}.tlog-proof"'
    return resp


@login_required
def order_bundle(request: UserRequest, number: str) -> HttpResponse:
    v = _voucher_or_error(request, number)
    if isinstance(v, HttpResponse):
        return v
    return bundle_response(request, v)


def bundle_response(request: HttpRequest, v: vouchers.OrderVoucher) -> HttpResponse:
    """The evidence bundle as a download; the page and the API both serve it this way."""
    summary = render_to_string(
        "web/evidence_summary.html",
        {
            "v": v,
            "order": v.order,
            "lines": _voucher_lines(v),
            "messages_list": chat.messages_of(v.order),
        },
        request=request,
    )
    data = vouchers.evidence_bundle(v, summary_html=summary)
    resp = HttpResponse(data, content_type="application/zip")
    resp["Content-Disposition"] = f'attachment; filename="anxin-evidence-{v.order.number}.zip"'
    return resp


# --- sellers -------------------------------------------------------------------------------


@role_required(Role.SELLER)
def seller_home(request: UserRequest) -> HttpResponse:
    return render(
        request,
        "web/seller_home.html",
        {
            "money": order_sel.seller_money(request.user),
            "to_ship": order_sel.orders_to_ship(request.user),
            "listings": catalog_sel.listings_of(request.user),
            "profile": getattr(request.user, "seller_profile", None),
        },
    )


@role_required(Role.SELLER)
def seller_profile(request: UserRequest) -> HttpResponse:
    profile = getattr(request.user, "seller_profile", None)
    error = None
    if request.method == "POST":
        try:
            accounts.seller_profile_update(
                user=request.user,
                shop_name=request.POST.get("shop_name", ""),
                contact_phone=request.POST.get("contact_phone", ""),
                wechat_id=request.POST.get("wechat_id", ""),
            )
        except DomainError as e:
            error = e.detail
        else:
            messages.success(request, _("Profile saved."))
            return redirect("web:seller_home")
    return render(request, "web/seller_profile.html", {"profile": profile, "error": error})


def _listing_form(request: UserRequest) -> tuple[catalog.ListingContent, int]:
    p = request.POST
    images = list(p.getlist("keep_image"))
    for f in request.FILES.getlist("images"):
        images.append(catalog.listing_image_upload(actor=request.user, data=f.read()).sha256)
    shipping_days = parse_int(p.get("shipping_days"), "shipping_days")
    stock = parse_int(p.get("stock"), "stock")
    content = catalog.ListingContent(
        title=p.get("title", ""),
        description=p.get("description", ""),
        price_fen=parse_yuan(p.get("price_yuan", ""), field="price"),
        shipping_days=shipping_days,
        return_policy=p.get("return_policy", ""),
        return_policy_note=p.get("return_policy_note", ""),
        category=p.get("category", ""),
        images=images,
    )
    return content, stock


def _listing_form_context(**extra: Any) -> dict[str, Any]:
    return {"categories": Category.choices, "policies": ReturnPolicy.choices, **extra}


@role_required(Role.SELLER)
def listing_new(request: UserRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            content, stock = _listing_form(request)
            listing = catalog.listing_create(actor=request.user, content=content, stock=stock)
        except DomainError as e:
            error = e.detail
        else:
            return redirect("web:listing_detail", listing_id=listing.pk)
    return render(
        request,
        "web/listing_form.html",
        _listing_form_context(error=error, form=request.POST, listing=None),
        status=400 if error else 200,
    )


@role_required(Role.SELLER)
def listing_edit(request: UserRequest, listing_id: int) -> HttpResponse:
    try:
        listing = catalog.listing_for_seller(request.user, listing_id)
    except DomainError as e:
        return _error_page(request, e)
    error = None
    if request.method == "POST":
        try:
            content, stock = _listing_form(request)
            catalog.listing_update(
                actor=request.user,
                listing_id=listing_id,
                content=content,
                stock=stock,
                is_active=request.POST.get("is_active") == "on",
            )
        except DomainError as e:
            error = e.detail
        else:
            messages.success(request, _("Listing saved."))
            return redirect("web:listing_detail", listing_id=listing_id)
    snap = listing.current_snapshot
    assert snap is not None
    form = request.POST or {
        "title": snap.title,
        "description": snap.description,
        "price_yuan": f"{snap.price_fen // 100}.{snap.price_fen % 100:02d}",
        "shipping_days": snap.shipping_days,
        "return_policy": snap.return_policy,
        "return_policy_note": snap.return_policy_note,
        "category": snap.category,
        "stock": listing.stock,
        "is_active": listing.is_active,
    }
    return render(
        request,
        "web/listing_form.html",
        _listing_form_context(
            error=error, form=form, listing=listing, images=catalog_sel.snapshot_images(snap)
        ),
        status=400 if error else 200,
    )


@role_required(Role.SELLER)
def listing_detail(request: UserRequest, listing_id: int) -> HttpResponse:
    try:
        listing = catalog.listing_for_seller(request.user, listing_id)
    except DomainError as e:
        return _error_page(request, e)
    url = f"{settings.ANXIN_SITE_URL}{reverse('web:checkout', args=[listing.code])}"
    return render(
        request,
        "web/listing_detail.html",
        {
            "listing": listing,
            "snap": listing.current_snapshot,
            "checkout_url": url,
            "snapshots": listing.snapshots.all(),
            "images": catalog_sel.snapshot_images(listing.current_snapshot)
            if listing.current_snapshot
            else [],
        },
    )


# --- staff ---------------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def staff_home(request: UserRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"role": request.user.get_role_display()}
    if request.user.role == Role.OPERATOR:
        from anxin.disputes.audit import returns_audit
        from anxin.ledger.audit import ledger_audit
        from anxin.ledger.models import Account
        from anxin.orders.audit import orders_audit

        ctx["by_status"] = dict(Order.objects.values_list("status").annotate(n=Count("pk")))
        ctx["statuses"] = OrderStatus.choices
        ctx["problems"] = ledger_audit() + orders_audit() + returns_audit()
        ctx["fees"] = (
            Account.objects.filter(code="platform:fees").aggregate(s=Sum("credits_posted"))["s"]
            or 0
        )
        ctx["fee_bps"] = settings.ANXIN_PLATFORM_FEE_BPS
        ctx["auto_confirm_days"] = settings.ANXIN_AUTO_CONFIRM_DAYS
        ctx["recent"] = order_sel.visible_orders(request.user).order_by("-created_at")[:20]
    return render(request, "web/staff_home.html", ctx)


def forbidden(request: HttpRequest, e: Forbidden) -> HttpResponse:
    return _error_page(request, e)
