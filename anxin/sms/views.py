"""The sandbox's codes page: what the phones would have received, for the demo."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from anxin.sms.models import SandboxSms
from anxin.sms.providers import sandbox_active

SHOWN = 20


@never_cache
def sandbox_codes(request: HttpRequest) -> HttpResponse:
    """Only while the sandbox is the provider and ANXIN_SMS_SANDBOX_PAGE allows it (the demo,
    development): anywhere else every code would be readable by anyone."""
    if not sandbox_active():
        raise Http404
    messages = list(SandboxSms.objects.order_by("-sent_at", "-pk")[:SHOWN])
    response = render(request, "sms/sandbox.html", {"messages_sent": messages})
    response["X-Robots-Tag"] = "noindex"
    return response
