from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from anxin.core.errors import msg
from anxin.payments.providers import get_provider
from anxin.payments.services import notification_receive

router = Router(tags=["payments"])


class NotifyOut(Schema):
    code: str
    result: str


@router.post("/payments/notify/{provider}", response=NotifyOut, auth=None)
def notify(request: HttpRequest, provider: str) -> NotifyOut | HttpResponse:
    """The provider's asynchronous notification. Authenticated by the provider's signature over
    the raw body, not by a session; a refused notification answers 401 and is recorded."""
    try:
        result = notification_receive(
            provider_name=provider, body=request.body, headers=dict(request.headers)
        )
    except LookupError:
        from anxin.core.errors import NotFound

        raise NotFound(msg("provider {provider}: not configured", provider=provider)) from None
    ack = get_provider(provider).notification_ack
    if ack is not None:
        body, content_type = ack
        return HttpResponse(body, content_type=content_type)
    return NotifyOut(code="SUCCESS", result=result)
