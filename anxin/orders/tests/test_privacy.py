"""Erasing a buyer's data (PIPL Art. 47) after the retention period (ECL Art. 31) leaves the
log and every voucher already issued valid."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from PIL import Image

from anxin.conftest import deliver_all, make_listing, pay, place_order
from anxin.core.errors import Gone
from anxin.evidence import keys, sequencer, store, voucher
from anxin.evidence.audit import audit
from anxin.evidence.models import Attachment, Record
from anxin.orders import chat, privacy, services
from anxin.orders.events import order_chain
from anxin.orders.models import Order, OrderMessage

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (9, 9, 9)).save(buf, "PNG")
    return buf.getvalue()


def _completed(buyer, seller):
    order = place_order(buyer, make_listing(seller))
    pay(order)
    chat.message_post(actor=buyer, number=order.number, text="我的电话 13900001111", image=_png())
    services.order_ship(
        actor=seller, number=order.number, carrier="SF", tracking_number="SF0000002"
    )
    services.order_confirm(actor=buyer, number=order.number)
    sequencer.integrate_all()
    return order


def test_erasure_waits_for_the_retention_period_then_keeps_the_log_valid(
    buyer, seller, clock
) -> None:
    # Given a completed order with a chat message and picture, and its voucher issued
    order = _completed(buyer, seller)
    old_voucher = store.voucher_for_chain(order_chain(order)).text

    # When the buyer asks for her data to be erased at once
    result = privacy.erase_buyer(buyer)
    # Then the order is kept until the retention period ends in 2029 and nothing is erased
    assert result.erased == []
    assert [n for n, _ in result.kept] == [order.number]
    until = result.kept[0][1]
    assert until.year == 2029
    assert not Record.objects.filter(erased_at__isnull=False).exists()

    # When she asks again after the three years
    clock.shift(dt.timedelta(days=365 * 3 + 2))
    result = privacy.erase_buyer(buyer)
    # Then the order's records, address, message and picture are erased
    assert result.erased == [order.number]
    assert result.erased_records >= 5
    for r in Record.objects.filter(chain=order_chain(order)):
        assert r.salt is None
        assert "13900001111" not in r.body
        assert "张伟" not in r.body
    order.refresh_from_db()
    assert order.recipient_name == ""
    assert order.recipient_phone == ""
    assert order.shipping_address == ""
    msg = OrderMessage.objects.get(order=order)
    assert msg.text == ""
    att = Attachment.objects.get(pk=msg.attachment_id)
    assert att.erased_at is not None
    assert not att.file.storage.exists(att.file.name)

    # Then the log is intact and the voucher the buyer already holds still proves the records,
    # but no new voucher can be issued
    rep = audit(keys.log_verifier())
    assert rep.ok, rep.problems
    assert rep.erased >= 5
    v = voucher.verify(old_voucher, keys.log_verifier())
    assert v.history[0]["recipient"]["phone"] == "13900001111"
    with pytest.raises(Gone):
        store.voucher_for_chain(order_chain(order))


def test_a_scheduled_erasure_runs_when_the_period_ends(buyer, seller, clock) -> None:
    # Given a completed order whose buyer asked for erasure within the retention period
    order = _completed(buyer, seller)
    privacy.erase_buyer(buyer)
    # When due tasks run at once
    deliver_all()
    # Then nothing is erased yet
    assert Record.objects.filter(erased_at__isnull=False).count() == 0
    # When the period ends and due tasks run
    clock.shift(dt.timedelta(days=365 * 3 + 2))
    deliver_all()  # the task enqueued at the request fires now
    # Then every record of the order is erased
    assert Record.objects.filter(chain=order_chain(order), erased_at__isnull=True).count() == 0


def test_an_unfinished_order_is_never_erased(buyer, seller, clock, capsys) -> None:
    # Given a paid order never shipped, five years old
    order = place_order(buyer, make_listing(seller))
    pay(order)
    clock.shift(dt.timedelta(days=365 * 5))
    # When the buyer's data is erased from the command line
    call_command("evidence", "erase", buyer.username)
    # Then the order is kept, no record is erased and the recipient's phone stays
    out = capsys.readouterr().out
    assert f"kept {order.number}" in out
    assert "erased 0 records" in out
    assert Order.objects.get(pk=order.pk).recipient_phone == "13900001111"
