"""The Alipay adapter's payouts, with no network: transfers to a seller's Alipay account or bank
card (alipay.fund.trans.uni.transfer), their queries and notifications, and the certificate
mode Alipay requires for transfers.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from anxin.payments.providers.alipay import AlipayConfig, AlipayProvider
from anxin.payments.providers.base import PayoutAccount
from anxin.payments.providers.sandbox import ProviderError
from anxin.payments.tests.alipay.helpers import (
    APPID,
    NOTIFY,
    FakeGateway,
    Keys,
    app_signature_verifies,
    notification,
)
from anxin.payments.tests.pem import private_pem

pytestmark = pytest.mark.django_db


def test_a_payout_transfers_to_the_sellers_alipay_account(
    ali: AlipayProvider, gateway: FakeGateway, keys: Keys
) -> None:
    # Given Alipay accepting a transfer
    gateway.answer(
        "alipay.fund.trans.uni.transfer",
        {
            "code": "10000",
            "msg": "Success",
            "out_biz_no": "PO20261204000001",
            "order_id": "20261204110070000006210012345678",
            "pay_fund_order_id": "20261204110070001506210012345678",
            "status": "SUCCESS",
            "trans_date": "2026-12-04 10:00:00",
        },
    )
    account = PayoutAccount(kind="alipay", holder_name="张三", number="seller@example.com")
    # When 1,000.00 yuan is paid out
    out = ali.payout(
        payout_key="PO20261204000001", amount_fen=100_000, account=account, description="货款结算"
    )
    # Then alipay.fund.trans.uni.transfer got the payee, the amount in yuan and our key
    r = gateway.request()
    assert r["method"] == "alipay.fund.trans.uni.transfer"
    assert json.loads(r["biz_content"]) == {
        "out_biz_no": "PO20261204000001",
        "trans_amount": "1000.00",
        "product_code": "TRANS_ACCOUNT_NO_PWD",
        "biz_scene": "DIRECT_TRANSFER",
        "order_title": "货款结算",
        "payee_info": {
            "identity": "seller@example.com",
            "identity_type": "ALIPAY_LOGON_ID",
            "name": "张三",
        },
    }
    assert app_signature_verifies(r, keys.app)
    assert (out.status, out.provider_payout_id) == (
        "succeeded",
        "20261204110070000006210012345678",
    )
    # When it is queried after the bank returned it
    gateway.answer(
        "alipay.fund.trans.common.query",
        {"code": "10000", "status": "REFUND", "trans_amount": "1000.00", "order_id": "2026"},
    )
    back = ali.query_payout("PO20261204000001")
    # Then it is returned
    assert gateway.request()["method"] == "alipay.fund.trans.common.query"
    assert (back.status, back.amount_fen) == ("returned", 100_000)


def test_a_payout_elsewhere_than_alipay_is_refused(
    ali: AlipayProvider, gateway: FakeGateway
) -> None:
    # Given a WeChat wallet
    wallet = PayoutAccount(kind="wechat", holder_name="张三", number="o-MYE42l80oelYMDE34nYD456Xoy")
    # When a payout to it is asked of Alipay
    # Then it is refused before anything is sent
    with pytest.raises(ProviderError) as e:
        ali.payout(payout_key="PO1234567", amount_fen=100, account=wallet, description="货款")
    assert e.value.code == "unsupported_account"
    assert gateway.urls == []


# Alipay's published shape of a transfer to a personal bank card (alipay-sdk-java-all's
# AlipayFundTransUniTransferModel, Participant and BankcardExtInfo): product TRANS_BANKCARD_NO_PWD,
# scene DIRECT_TRANSFER, the payee as BANKCARD_ACCOUNT with the name on the card, and the card's
# bankcard_ext_info (account_type "2", 对私; inst_name, the bank). Its answer is the one the
# reference gives for the call (order_id, pay_fund_order_id, status, trans_date), with status
# DEALING, as a card transfer answers while the bank handles it.
CARD = PayoutAccount(
    kind="bank_card", holder_name="张三", number="6222020200112233445", bank="中国工商银行"
)


def test_a_payout_transfers_to_the_sellers_bank_card(
    ali: AlipayProvider, gateway: FakeGateway, keys: Keys
) -> None:
    # Given Alipay accepting a transfer to a card, the bank still to pay it
    gateway.answer(
        "alipay.fund.trans.uni.transfer",
        {
            "code": "10000",
            "msg": "Success",
            "out_biz_no": "PO20261204000002",
            "order_id": "20261204110070000006210012345679",
            "pay_fund_order_id": "20261204110070001506210012345679",
            "status": "DEALING",
            "trans_date": "2026-12-04 10:00:00",
        },
    )
    # When 500.00 yuan is paid out to the seller's card
    out = ali.payout(
        payout_key="PO20261204000002", amount_fen=50_000, account=CARD, description="货款结算"
    )
    # Then alipay.fund.trans.uni.transfer got the card as Alipay's model names it, signed
    r = gateway.request()
    assert r["method"] == "alipay.fund.trans.uni.transfer"
    assert json.loads(r["biz_content"]) == {
        "out_biz_no": "PO20261204000002",
        "trans_amount": "500.00",
        "product_code": "TRANS_BANKCARD_NO_PWD",
        "biz_scene": "DIRECT_TRANSFER",
        "order_title": "货款结算",
        "payee_info": {
            "identity": "6222020200112233445",
            "identity_type": "BANKCARD_ACCOUNT",
            "name": "张三",
            "bankcard_ext_info": {"account_type": "2", "inst_name": "中国工商银行"},
        },
    }
    assert app_signature_verifies(r, keys.app)
    # And the payout is on its way, under Alipay's transfer order id
    assert (out.status, out.provider_payout_id) == (
        "processing",
        "20261204110070000006210012345679",
    )


def test_a_card_payout_is_queried_as_a_card_transfer(
    ali: AlipayProvider, gateway: FakeGateway
) -> None:
    # Given a card transfer Alipay knows only under the card product: asked as a transfer to
    # an Alipay account it answers that there is no such order
    gateway.answer(
        "alipay.fund.trans.common.query",
        {
            "code": "40004",
            "msg": "Business Failed",
            "sub_code": "ORDER_NOT_EXIST",
            "sub_msg": "转账订单不存在",
        },
    )
    gateway.answer(
        "alipay.fund.trans.common.query",
        {
            "code": "10000",
            "msg": "Success",
            "order_id": "20261204110070000006210012345679",
            "out_biz_no": "PO20261204000002",
            "status": "SUCCESS",
            "trans_amount": "500.00",
            "pay_date": "2026-12-05 10:00:00",
        },
    )
    # When the payout is queried by our key
    got = ali.query_payout("PO20261204000002")
    # Then the second question named the card product, and the payout is paid
    first, second = (
        json.loads(gateway.request(0)["biz_content"]),
        json.loads(gateway.request(1)["biz_content"]),
    )
    assert first["product_code"] == "TRANS_ACCOUNT_NO_PWD"
    assert second == {
        "out_biz_no": "PO20261204000002",
        "product_code": "TRANS_BANKCARD_NO_PWD",
        "biz_scene": "DIRECT_TRANSFER",
    }
    assert (got.status, got.amount_fen) == ("succeeded", 50_000)


def test_a_card_without_its_name_or_bank_is_refused_before_sending(
    ali: AlipayProvider, gateway: FakeGateway
) -> None:
    # Given cards missing the name on the card, or the bank
    for card in (
        PayoutAccount(kind="bank_card", holder_name="", number=CARD.number, bank=CARD.bank),
        PayoutAccount(kind="bank_card", holder_name="张三", number=CARD.number, bank=""),
    ):
        # When a payout to it is asked of Alipay
        # Then it is refused as an invalid account (the payout fails, nothing retried), unsent
        with pytest.raises(ProviderError) as e:
            ali.payout(payout_key="PO1234567", amount_fen=100, account=card, description="货款")
        assert e.value.code == "invalid_account"
    assert gateway.urls == []


def test_a_payout_notification_is_mapped(ali: AlipayProvider, keys: Keys) -> None:
    # Given Alipay's message that a transfer was returned by the payee's side
    biz = {
        "out_biz_no": "PO20261204000001",
        "order_id": "20261204110070000006210012345678",
        "status": "REFUND",
        "trans_amount": "1000.00",
    }
    body = notification(
        keys,
        notify_id="2026120400222000000000000001",
        msg_method="alipay.fund.trans.order.changed",
        biz_content=json.dumps(biz),
    )
    # When it is parsed
    n = ali.parse_notification(body, {})
    # Then our payout came back
    assert (n.event_type, n.payout_key, n.amount_fen) == (
        "payout.returned",
        "PO20261204000001",
        100_000,
    )


def _cert(
    subject: str, key: rsa.RSAPrivateKey, issuer: str, issuer_key: rsa.RSAPrivateKey, serial: int
) -> str:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ant Financial"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Certification Authority"),
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
            ]
        )

    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(name(issuer))
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(issuer_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_certificate_mode_names_the_certificates_and_verifies_with_alipays(
    keys: Keys, gateway: FakeGateway
) -> None:
    import hashlib

    # Given an app in certificate mode: a root, and the app's and Alipay's certificates under it
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_cn, class2 = (
        "Ant Financial Certification Authority R1",
        "Ant Financial Certification Authority Class 2 R1",
    )
    root = _cert(root_cn, root_key, root_cn, root_key, 0x3E3A3F4B)
    app_cert = _cert(APPID, keys.app, class2, root_key, 0x1A2B3C4D5E)
    alipay_cert = _cert(
        "支付宝(中国)网络技术有限公司-2088", keys.alipay, class2, root_key, 0x2B3C4D5E6F
    )
    ali = AlipayProvider(
        AlipayConfig(
            appid=APPID,
            app_private_key=private_pem(keys.app),
            alipay_public_key="",
            notify_url=NOTIFY,
            app_cert=app_cert,
            alipay_cert=alipay_cert,
            alipay_root_cert=root,
        )
    )
    # When a payout is sent (Alipay requires certificate mode for transfers)
    gateway.answer(
        "alipay.fund.trans.uni.transfer",
        {"code": "10000", "msg": "Success", "order_id": "2026", "status": "DEALING"},
    )
    account = PayoutAccount(kind="alipay", holder_name="张三", number="2088123412341234")
    out = ali.payout(
        payout_key="PO20261204000003", amount_fen=100, account=account, description="货款"
    )
    # Then the request names both certificates by Alipay's SN rule (MD5 of issuer and serial)
    r = gateway.request()

    def sn(issuer_cn: str, serial: int) -> str:
        issuer = f"CN={issuer_cn},OU=Certification Authority,O=Ant Financial,C=CN"
        return hashlib.md5(f"{issuer}{serial}".encode()).hexdigest()  # noqa: S324

    assert r["app_cert_sn"] == sn(class2, 0x1A2B3C4D5E)
    assert r["alipay_root_cert_sn"] == sn(root_cn, 0x3E3A3F4B)
    assert app_signature_verifies(r, keys.app)
    assert json.loads(r["biz_content"])["payee_info"]["identity_type"] == "ALIPAY_USER_ID"
    # And Alipay's answer verified with the key in Alipay's certificate
    assert out.status == "processing"
