"""The sandbox provider's cashier page: where a buyer 'pays' in the demo and in tests. A real
provider's cashier is its own app (WeChat Pay, Alipay); this one stands in for it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from anxin.payments.models import Payment, SandboxPayment
from anxin.payments.providers.sandbox import ProviderError, SandboxProvider


@login_required
def sandbox_cashier(request: HttpRequest, payment_id: str) -> HttpResponse:
    sp = SandboxPayment.objects.filter(pk=payment_id).first()
    if sp is None:
        return render(request, "web/error.html", {"message": "no such payment"}, status=404)
    ours = (
        Payment.objects.filter(provider="sandbox", provider_payment_id=sp.pk)
        .select_related("order")
        .first()
    )
    order_url = reverse("web:order", args=[ours.order.number]) if ours else None
    error = None
    if request.method == "POST":
        try:
            SandboxProvider().buyer_pays(sp.pk, succeed=request.POST.get("action") == "pay")
        except ProviderError as e:
            error = str(e)
        else:
            return redirect(order_url or "web:home")
        sp.refresh_from_db()
    return render(
        request,
        "payments/sandbox_cashier.html",
        {"payment": sp, "order_url": order_url, "error": error},
        status=400 if error else 200,
    )
