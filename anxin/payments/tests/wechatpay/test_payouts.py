"""The WeChat Pay adapter's payouts, with no network: transfers to a seller's wallet (the
transfer-bills API), their queries and notifications, and the payee's name sent encrypted.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from anxin.payments.providers.base import PayoutAccount
from anxin.payments.providers.sandbox import ProviderError
from anxin.payments.providers.wechatpay import WeChatPayProvider
from anxin.payments.tests.wechatpay.helpers import (
    APPID,
    GATEWAY,
    MCHID,
    PUB_KEY_ID,
    FakeRequests,
    Keys,
    authorization_verifies,
    notification,
)

pytestmark = pytest.mark.django_db


def test_a_payout_transfers_to_the_sellers_wallet(
    wx: WeChatPayProvider, http: FakeRequests, keys: Keys
) -> None:
    # Given WeChat accepting a transfer (the seller still has to confirm it)
    http.answer(
        200,
        {
            "out_bill_no": "PO20261204000001",
            "transfer_bill_no": "1330000071100999991182020050700019480001",
            "create_time": "2026-12-04T10:00:00+08:00",
            "state": "WAIT_USER_CONFIRM",
            "package_info": "affffddafdfafddffda==",
        },
    )
    account = PayoutAccount(kind="wechat", holder_name="", number="o-MYE42l80oelYMDE34nYD456Xoy")
    # When 1,000.00 yuan is paid out to the seller's openid
    out = wx.payout(
        payout_key="PO20261204000001", amount_fen=100_000, account=account, description="货款结算"
    )
    # Then the transfer-bills API got the amount in fen, the scene and our key
    (sent,) = http.sent
    assert (sent.method, sent.url) == (
        "POST",
        f"{GATEWAY}/v3/fund-app/mch-transfer/transfer-bills",
    )
    assert sent.json["out_bill_no"] == "PO20261204000001"
    assert sent.json["transfer_amount"] == 100_000
    assert sent.json["openid"] == "o-MYE42l80oelYMDE34nYD456Xoy"
    assert sent.json["transfer_scene_id"] == "1005"
    assert sent.json["appid"] == APPID
    assert authorization_verifies(sent, keys.merchant)
    # And the payout is processing under WeChat's bill number
    assert (out.status, out.provider_payout_id) == (
        "processing",
        "1330000071100999991182020050700019480001",
    )
    # When it is queried after it failed
    http.answer(
        200,
        {
            "out_bill_no": "PO20261204000001",
            "transfer_bill_no": "1330000071100999991182020050700019480001",
            "state": "FAIL",
            "transfer_amount": 100_000,
            "fail_reason": "PAYEE_ACCOUNT_ABNORMAL",
        },
    )
    failed = wx.query_payout("PO20261204000001")
    # Then it failed, with WeChat's reason
    assert http.sent[-1].url == (
        f"{GATEWAY}/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/PO20261204000001"
    )
    assert (failed.status, failed.failure_reason, failed.amount_fen) == (
        "failed",
        "PAYEE_ACCOUNT_ABNORMAL",
        100_000,
    )


def test_a_payout_to_a_bank_card_is_refused(wx: WeChatPayProvider, http: FakeRequests) -> None:
    # Given a bank card
    card = PayoutAccount(
        kind="bank_card", holder_name="张三", number="6222020000000000000", bank="ICBC"
    )
    # When a payout to it is asked of WeChat Pay
    # Then it is refused before anything is sent (WeChat pays wallets only)
    with pytest.raises(ProviderError) as e:
        wx.payout(payout_key="PO1234567", amount_fen=100, account=card, description="货款")
    assert e.value.code == "unsupported_account"
    assert http.sent == []


def test_the_payees_name_is_sent_encrypted_for_the_platform_key(
    wx: WeChatPayProvider, http: FakeRequests, keys: Keys
) -> None:
    # Given a payout naming the seller's real name (WeChat checks it against the wallet)
    http.answer(200, {"out_bill_no": "PO20261204000002", "state": "ACCEPTED"})
    account = PayoutAccount(
        kind="wechat", holder_name="张三", number="o-MYE42l80oelYMDE34nYD456Xoy"
    )
    # When it is paid out
    wx.payout(payout_key="PO20261204000002", amount_fen=5000, account=account, description="货款")
    # Then the name travels only encrypted (RSA-OAEP) for the platform key named in the header
    (sent,) = http.sent
    assert "张三" not in json.dumps(sent.json, ensure_ascii=False)
    assert sent.headers["Wechatpay-Serial"] == PUB_KEY_ID
    name = keys.platform.decrypt(
        base64.b64decode(sent.json["user_name"]),
        padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None),  # noqa: S303
    )
    assert name.decode() == "张三"


def test_a_transfer_notification_is_mapped_to_our_payout(wx: WeChatPayProvider, keys: Keys) -> None:
    # Given WeChat's notifications that one transfer succeeded and another was cancelled
    done = {
        "out_bill_no": "PO20261204000001",
        "transfer_bill_no": "1330000071100999991182020050700019480001",
        "state": "SUCCESS",
        "mch_id": MCHID,
        "transfer_amount": 100_000,
        "openid": "o-MYE42l80oelYMDE34nYD456Xoy",
        "create_time": "2026-12-04T10:00:00+08:00",
        "update_time": "2026-12-04T10:05:00+08:00",
    }
    ok_body, ok_headers = notification(keys, "MCHTRANSFER.BILL.FINISHED", done)
    cancelled = {**done, "out_bill_no": "PO20261204000002", "state": "CANCELLED"}
    no_body, no_headers = notification(keys, "MCHTRANSFER.BILL.FINISHED", cancelled)
    # When they are parsed
    ok = wx.parse_notification(ok_body, ok_headers)
    no = wx.parse_notification(no_body, no_headers)
    # Then each names our payout key and its outcome
    assert (ok.event_type, ok.payout_key, ok.amount_fen) == (
        "payout.succeeded",
        "PO20261204000001",
        100_000,
    )
    assert ok.provider_payout_id == "1330000071100999991182020050700019480001"
    assert ok.occurred_at == dt.datetime.fromisoformat("2026-12-04T10:05:00+08:00")
    assert (no.event_type, no.payout_key, no.failure_reason) == (
        "payout.failed",
        "PO20261204000002",
        "CANCELLED",
    )
