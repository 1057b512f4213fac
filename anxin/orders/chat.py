"""The order's chat between buyer and seller. Messages are only ever added: there is no edit
and no delete. Each message, with the SHA-256 of its image, is an evidence record in the
order's chain, written in the same transaction."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from anxin.accounts.models import User
from anxin.core.errors import ValidationFailed
from anxin.core.images import check_image
from anxin.core.text import clean_text
from anxin.evidence import services as evidence
from anxin.evidence.models import Attachment, Record, attachment_upload_to
from anxin.orders.events import order_chain
from anxin.orders.locks import order_actor_require, order_lock_for
from anxin.orders.models import Order, OrderMessage
from anxin.orders.notify import order_notice


def _store(actor: User, data: bytes) -> Attachment:
    img = check_image(data, field="image")
    sha = hashlib.sha256(data).hexdigest()
    att = Attachment(
        sha256=sha,
        content_type=img.content_type,
        extension=img.extension,
        size=len(data),
        uploaded_by=actor,
        at=timezone.now(),
    )
    # Content-addressed: the same picture sent twice is stored once.
    name = attachment_upload_to(att, "")
    if att.file.storage.exists(name):
        att.file.name = name
    else:
        att.file.save(f"{sha}.{img.extension}", ContentFile(data), save=False)
    att.save(force_insert=True)
    return att


@transaction.atomic
def message_post(
    *, actor: User, number: str, text: str = "", image: bytes | None = None
) -> OrderMessage:
    order = order_lock_for(actor, number).order
    order_actor_require(actor, order, "buyer", "seller")
    text = clean_text(text, "text", settings.ANXIN_CHAT_MAX_TEXT, required=False, multiline=True)
    if not text and not image:
        raise ValidationFailed("text: write a message or attach an image", field="text")
    att = _store(actor, image) if image else None
    role = "buyer" if actor.pk == order.buyer_id else "seller"
    now = timezone.now()
    body = {
        "order": order.number,
        "author": actor.pk,
        "author_role": role,
        "text": text,
        "attachment": (
            {"sha256": att.sha256, "content_type": att.content_type, "size": att.size}
            if att
            else None
        ),
    }
    values = evidence.prepare(
        chain=order_chain(order), kind="chat.message", body=body, at=now, prev=order.evidence_head
    )
    record = Record.objects.create(**values)
    Order.objects.filter(pk=order.pk).update(evidence_head=values["commitment"])
    message = OrderMessage.objects.create(
        order=order,
        author=actor,
        author_role=role,
        text=text,
        attachment=att,
        record=record,
        at=now,
    )
    other = order.seller_id if role == "buyer" else order.buyer_id
    order_notice(order, [other], "order_message", actor=actor)
    return message


def messages_of(order: Order) -> QuerySet[OrderMessage]:
    return order.messages.select_related("attachment").order_by("pk")
