"""The sandbox provider's cashier page: where a buyer 'pays' in the demo and in tests. A real
provider's cashier is its own app (WeChat Pay, Alipay); this one stands in for it."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.payments.models import Payment, SandboxPayment
from anxin.payments.providers.base import ProviderError
from anxin.payments.providers.sandbox import SandboxProvider

# A sandbox payment's status as the buyer reads it (the provider's own names are internal).
_STATUS = {
    "created": gettext_lazy("waiting for payment"),
    "succeeded": gettext_lazy("already paid"),
    "failed": gettext_lazy("declined"),
    "refunded": gettext_lazy("refunded"),
}


def _status_label(status: str) -> str:
    return str(_STATUS.get(status, gettext_lazy("closed")))


@login_required
def sandbox_cashier(request: HttpRequest, payment_id: str) -> HttpResponse:
    # Only the buyer of the order being paid sees the payment or acts on it: anyone else (the
    # seller, another buyer holding the link) gets the same 404 as for no such payment, so a
    # stranger can neither read what was bought nor decline the buyer's payment.
    ours = (
        Payment.objects.filter(provider="sandbox", provider_payment_id=payment_id)
        .select_related("order")
        .first()
    )
    sp = SandboxPayment.objects.filter(pk=payment_id).first()
    if ours is None or sp is None or ours.order.buyer_id != request.user.pk:
        return render(request, "web/error.html", {"message": _("Not found.")}, status=404)
    order_url = reverse("web:order", args=[ours.order.number])
    # Back to the order with ?paid=1 once the buyer has paid: the order page then says the
    # payment is being confirmed (the provider's notification may land a moment later) rather
    # than "awaiting payment" with the pay button again.
    paid_url = f"{order_url}?paid=1"
    if sp.status != "created":
        # Paid, declined or closed already (a second tap, the back button): nothing to do here.
        return redirect(paid_url if sp.status == "succeeded" else order_url)
    error = None
    if request.method == "POST":
        try:
            SandboxProvider().buyer_pays(sp.pk, succeed=request.POST.get("action") == "pay")
        except ProviderError as e:
            sp.refresh_from_db()
            error = (
                _("This payment is %(status)s: there is nothing more to do here.")
                % {"status": _status_label(sp.status)}
                if e.code == "payment_not_open"
                else _("The payment could not be made. Go back to the order and try again.")
            )
        else:
            return redirect(paid_url if request.POST.get("action") == "pay" else order_url)
        sp.refresh_from_db()
    return render(
        request,
        "payments/sandbox_cashier.html",
        {
            "payment": sp,
            "status_label": _status_label(sp.status),
            "order_url": order_url,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
def wallet_cashier(request: HttpRequest, payment_pk: int) -> HttpResponse:
    """Where a buyer pays a payment whose provider answered with something a browser cannot
    simply open: WeChat Pay's native code (a `weixin://` link, shown as a QR code image to scan
    with WeChat, or to save and pick from the album when this is the phone that pays) or its
    JSAPI prepay id (paid inside WeChat through its bridge). Only the order's buyer sees it;
    anyone else gets the 404 of no such payment. The page asks again every few seconds (htmx,
    HX-Request): once the provider's notification has landed it moves on to the order."""
    import segno

    from anxin.payments.providers import get_provider

    ours = Payment.objects.filter(pk=payment_pk).select_related("order", "order__snapshot").first()
    if ours is None or ours.order.buyer_id != request.user.pk:
        return render(request, "web/error.html", {"message": _("Not found.")}, status=404)
    order_url = reverse("web:order", args=[ours.order.number])
    done_url = f"{order_url}?paid=1" if ours.status == "succeeded" else order_url
    if request.headers.get("HX-Request"):
        # The page's own poll: nothing to change while unpaid; htmx follows HX-Redirect.
        answer = HttpResponse(status=204)
        if ours.status != "created":
            answer["HX-Redirect"] = done_url
        return answer
    if ours.status != "created":
        return redirect(done_url)
    context: dict[str, object] = {"payment": ours, "order": ours.order, "order_url": order_url}
    if ours.pay_url.startswith("weixin://"):
        # A PNG rather than inline SVG: an image can be pressed and held, to save it to the
        # album or (inside WeChat) to recognise it. img-src allows data: URIs.
        context["qr"] = segno.make(ours.pay_url, error="m").png_data_uri(scale=7, border=2)
    elif ours.pay_url.startswith("wechatpay-jsapi:prepay_id="):
        provider = get_provider(ours.provider)
        prepay = ours.pay_url.removeprefix("wechatpay-jsapi:prepay_id=")
        params = provider.jsapi_params(prepay)  # type: ignore[attr-defined]
        context["jsapi"] = params
        context["jsapi_json"] = json.dumps(params, separators=(",", ":"))
    else:
        return redirect(order_url)
    return render(request, "payments/wallet_cashier.html", context)


@login_required
def provider_return(request: HttpRequest, provider: str) -> HttpResponse:
    """Where a provider's cashier sends the buyer back once she paid (Alipay's return_url,
    ANXIN_ALIPAY_RETURN_URL = https://<host>/pay/return/alipay): to her order, which says the
    payment is being confirmed until the provider's notification lands. Only which payment it
    was is read from the parameters, never that it was paid: they prove nothing until the
    notification does. Someone else's payment, or none, leads to her orders."""
    ref = request.GET.get("out_trade_no", "")
    ours = (
        Payment.objects.filter(provider=provider, provider_payment_id=ref)
        .select_related("order")
        .first()
        if ref
        else None
    )
    if ours is None or ours.order.buyer_id != request.user.pk:
        return redirect("web:orders")
    return redirect(f"{reverse('web:order', args=[ours.order.number])}?paid=1")
