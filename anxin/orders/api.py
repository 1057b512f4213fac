from __future__ import annotations

from typing import Annotated

from django.http import HttpResponse
from django.urls import reverse
from ninja import File, Form, Header, Query, Router, Status
from ninja.files import UploadedFile
from pydantic import Field

from anxin.accounts.models import Role
from anxin.api.auth import AuthedRequest
from anxin.api.types import WholeParam
from anxin.catalog.api import snapshot_out
from anxin.core.errors import Forbidden, ValidationFailed, msg
from anxin.core.images import read_upload
from anxin.orders import chat, downloads, selectors, services, vouchers
from anxin.orders.models import Order, OrderMessage, OrderStatus
from anxin.orders.schemas import (
    AttachmentOut,
    DecideIn,
    EventOut,
    MessageOut,
    OrderCreateIn,
    OrderDetailOut,
    OrderOut,
    OrderShipIn,
    PaymentOut,
    ReasonIn,
    SellerDashboardOut,
)

router = Router(tags=["orders"])


def _common(o: Order) -> dict:
    return dict(
        number=o.number,
        status=o.status,
        buyer_id=o.buyer_id,
        seller_id=o.seller_id,
        quantity=o.quantity,
        unit_price_fen=o.unit_price_fen,
        amount_fen=o.amount_fen,
        fee_fen=o.fee_fen,
        seller_share_fen=o.seller_share_fen,
        currency=o.currency,
        created_at=o.created_at,
        pay_by=o.pay_by,
        paid_at=o.paid_at,
        shipped_at=o.shipped_at,
        carrier=o.carrier,
        tracking_number=o.tracking_number,
        auto_confirm_at=o.auto_confirm_at,
        auto_confirm_paused=o.holds.filter(closed_at__isnull=True).exists(),
        completed_at=o.completed_at,
        confirmed_by=o.confirmed_by,
        closed_at=o.closed_at,
        close_reason=o.close_reason,
        snapshot=snapshot_out(o.snapshot),
    )


def order_out(o: Order) -> OrderOut:
    return OrderOut(**_common(o))


def order_detail(o: Order) -> OrderDetailOut:
    timeline = [
        EventOut(
            kind=e.kind,
            from_status=e.from_status,
            to_status=e.to_status,
            actor_role=e.actor_role,
            at=e.at,
            detail=e.detail,
        )
        for e in selectors.order_timeline(o)
    ]
    return OrderDetailOut(
        **_common(o),
        recipient_name=o.recipient_name,
        recipient_phone=o.recipient_phone,
        shipping_address=o.shipping_address,
        buyer_note=o.buyer_note,
        timeline=timeline,
    )


@router.post("/orders", response={201: OrderDetailOut})
def order_create(
    request: AuthedRequest,
    payload: OrderCreateIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", max_length=80),
):
    order = services.order_create(
        buyer=request.auth, idempotency_key=idempotency_key, **payload.dict()
    )
    return Status(201, order_detail(order))


@router.get("/orders", response=list[OrderOut])
def orders(
    request: AuthedRequest,
    status: str | None = Query(None),
    limit: Annotated[WholeParam, Field(ge=1, le=200)] = 50,
    offset: Annotated[WholeParam, Field(ge=0)] = 0,
) -> list[OrderOut]:
    qs = selectors.visible_orders(request.auth).order_by("-created_at", "-pk")
    if status is not None:
        if status not in OrderStatus.values:
            raise ValidationFailed(
                msg("status: must be one of {join}", join=", ".join(OrderStatus.values)),
                field="status",
            )
        qs = qs.filter(status=status)
    return [order_out(o) for o in qs[offset : offset + limit]]


@router.get("/orders/{number}", response=OrderDetailOut)
def order_get(request: AuthedRequest, number: str) -> OrderDetailOut:
    return order_detail(selectors.order_for(request.auth, number))


@router.post("/orders/{number}/pay", response=PaymentOut)
def order_pay(request: AuthedRequest, number: str) -> PaymentOut:
    p = services.order_payment_start(actor=request.auth, number=number)
    return PaymentOut(
        provider=p.provider,
        provider_payment_id=p.provider_payment_id,
        amount_fen=p.amount_fen,
        status=p.status,
        pay_url=p.pay_url,
    )


@router.post("/orders/{number}/ship", response=OrderDetailOut)
def order_ship(request: AuthedRequest, number: str, payload: OrderShipIn) -> OrderDetailOut:
    return order_detail(services.order_ship(actor=request.auth, number=number, **payload.dict()))


@router.post("/orders/{number}/confirm", response=OrderDetailOut)
def order_confirm(request: AuthedRequest, number: str) -> OrderDetailOut:
    return order_detail(services.order_confirm(actor=request.auth, number=number))


@router.post("/orders/{number}/cancel", response=OrderDetailOut)
def order_cancel(request: AuthedRequest, number: str, payload: ReasonIn) -> OrderDetailOut:
    return order_detail(
        services.order_cancel(actor=request.auth, number=number, reason=payload.reason)
    )


@router.post("/orders/{number}/refund", response=OrderDetailOut)
def order_refund(request: AuthedRequest, number: str, payload: ReasonIn) -> OrderDetailOut:
    return order_detail(
        services.order_refund(actor=request.auth, number=number, reason=payload.reason)
    )


@router.post("/orders/{number}/refund-request", response=OrderDetailOut)
def refund_request(request: AuthedRequest, number: str, payload: ReasonIn) -> OrderDetailOut:
    services.order_refund_request(actor=request.auth, number=number, reason=payload.reason)
    return order_detail(selectors.order_for(request.auth, number))


@router.post("/orders/{number}/refund-request/decide", response=OrderDetailOut)
def refund_request_decide(request: AuthedRequest, number: str, payload: DecideIn) -> OrderDetailOut:
    return order_detail(
        services.order_refund_request_decide(
            actor=request.auth, number=number, approve=payload.approve, reason=payload.reason
        )
    )


@router.post("/orders/{number}/refund-request/withdraw", response=OrderDetailOut)
def refund_request_withdraw(request: AuthedRequest, number: str) -> OrderDetailOut:
    return order_detail(services.order_refund_request_withdraw(actor=request.auth, number=number))


@router.get("/seller/dashboard", response=SellerDashboardOut)
def seller_dashboard(request: AuthedRequest) -> SellerDashboardOut:
    if request.auth.role != Role.SELLER:
        raise Forbidden("only sellers have a dashboard", code="not_a_seller")
    money = selectors.seller_money(request.auth)
    return SellerDashboardOut(
        held_fen=money["held_fen"],
        released_fen=money["released_fen"],
        fees_fen=money["fees_fen"],
        balance_fen=money["balance_fen"],
        to_ship=[order_out(o) for o in selectors.orders_to_ship(request.auth)],
    )


# --- chat, voucher and evidence bundle -----------------------------------------------------------


def _message_out(request: AuthedRequest, m: OrderMessage) -> MessageOut:
    att = m.attachment
    return MessageOut(
        id=m.pk,
        author_role=m.author_role,
        mine=m.author_id == request.auth.pk,
        text=m.text,
        attachment=AttachmentOut(
            id=att.pk,
            sha256=att.sha256,
            content_type=att.content_type,
            size=att.size,
            url=None
            if att.erased_at
            else reverse("web:order_attachment", args=[m.order.number, att.pk]),
        )
        if att
        else None,
        at=m.at,
    )


@router.get("/orders/{number}/messages", response=list[MessageOut])
def messages_list(request: AuthedRequest, number: str) -> list[MessageOut]:
    order = selectors.order_for(request.auth, number)
    return [_message_out(request, m) for m in chat.messages_of(order).select_related("order")]


@router.post("/orders/{number}/messages", response={201: MessageOut})
def message_post(
    request: AuthedRequest,
    number: str,
    text: Form[str] = "",
    image: File[UploadedFile] = None,  # type: ignore[assignment]
):
    """A message in the order's chat (multipart form: `text`, optional `image`). Messages
    cannot be edited or deleted; each is committed to the evidence log."""
    data = read_upload(image, field="image") if image is not None else None
    m = chat.message_post(actor=request.auth, number=number, text=text, image=data)
    return Status(201, _message_out(request, m))


@router.get(
    "/orders/{number}/voucher",
    response={200: str},
    openapi_extra={
        "responses": {"200": {"content": {"text/plain": {"schema": {"type": "string"}}}}}
    },
)
def voucher_get(request: AuthedRequest, number: str) -> HttpResponse:
    """The order's voucher: a C2SP tlog-proof whose extra line carries every record of the
    order with its salt. Check it offline with `anxin verify FILE --key VKEY`. 409 while the
    order's first record is not yet in the log (a few seconds)."""
    return downloads.voucher_proof_response(vouchers.order_voucher(request.auth, number))


@router.get(
    "/orders/{number}/evidence-bundle",
    response={200: bytes},
    openapi_extra={
        "responses": {
            "200": {
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
            }
        }
    },
)
def evidence_bundle_get(request: AuthedRequest, number: str) -> HttpResponse:
    """The evidence bundle for a dispute (ZIP): records, attachments, voucher, checkpoint,
    the log's key, a readable summary and a manifest of SHA-256s."""
    return downloads.bundle_response(request, vouchers.order_voucher(request.auth, number))
