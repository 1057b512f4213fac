"""The WeChat Pay adapter's daily bills, with no network: the trade bill reconciliation matches
payments and refunds against, and the basic account's fund-flow bill that gives the payouts.

WeChat answers a bill's download URL with the file's SHA1, then the gzipped file; the adapter
checks the digest.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib

import pytest

from anxin.payments.providers.sandbox import ProviderError
from anxin.payments.providers.wechatpay import WeChatPayProvider
from anxin.payments.tests.wechatpay.helpers import (
    GATEWAY,
    FakeRequests,
    Keys,
    authorization_verifies,
)

pytestmark = pytest.mark.django_db


BILL = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,"
    "费率备注\r\n"
    "`2026-12-04 10:00:03,`wxd678efh567hg6787,`1900000109,`0,`,`4200000001202612041234567890,"
    "`AX20261204ABCD1234_1,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`SUCCESS,`OTHERS,`CNY,`12.34,"
    "`0.00,`0,`0,`0.00,`0.00,`,`,`明前龙井 250g,`AX20261204ABCD1234,`0.07000,`0.60%,`12.34,"
    "`0.00,`\r\n"
    "`2026-12-04 12:00:00,`wxd678efh567hg6787,`1900000109,`0,`,`4200000001202612041234567890,"
    "`AX20261204ABCD1234_1,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`REFUND,`OTHERS,`CNY,`0.00,"
    "`0.00,`50000000382019052709732678859,`AX20261204ABCD1234|refund,`5.00,`0.00,`ORIGINAL,"
    "`SUCCESS,`明前龙井 250g,`AX20261204ABCD1234,`-0.03000,`0.60%,`0.00,`5.00,`\r\n"
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,"
    "申请退款总金额\r\n"
    "`2,`12.34,`5.00,`0.00,`0.04000,`12.34,`5.00\r\n"
)


def serve_bill(http: FakeRequests, raw: bytes, token: str) -> None:
    """WeChat's two answers for a bill: its download URL with the bill's SHA1, then the
    gzipped file."""
    http.answer(
        200,
        {
            "hash_type": "SHA1",
            "hash_value": hashlib.sha1(raw).hexdigest(),  # noqa: S324
            "download_url": f"{GATEWAY}/v3/billdownload/file?token={token}",
        },
    )
    http.answer(200, gzip.compress(raw))


def test_the_trade_bill_is_downloaded_checked_and_read(
    wx: WeChatPayProvider, http: FakeRequests, keys: Keys
) -> None:
    # Given WeChat's bill for 4 December: its download URL and digest, then the gzip file
    raw = BILL.encode()
    serve_bill(http, raw, "6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO")
    # When the day's bill is downloaded
    data = wx.download_bill(dt.date(2026, 12, 4))
    # Then the bill was asked for that day, fetched from its URL, and checked
    assert http.sent[0].url == (
        f"{GATEWAY}/v3/bill/tradebill?bill_date=2026-12-04&bill_type=ALL&tar_type=GZIP"
    )
    assert http.sent[1].url.startswith(f"{GATEWAY}/v3/billdownload/file?token=")
    assert authorization_verifies(http.sent[1], keys.merchant)
    assert data == raw
    # When it is read
    payment, refund = wx.parse_bill(data)
    # Then the payment and the refund are the lines reconciliation matches
    cst = dt.timezone(dt.timedelta(hours=8))
    assert (payment.kind, payment.provider_id, payment.merchant_ref, payment.amount_fen) == (
        "payment",
        "AX20261204ABCD1234_1",
        "AX20261204ABCD1234",
        1234,
    )
    assert payment.occurred_at == dt.datetime(2026, 12, 4, 10, 0, 3, tzinfo=cst)
    assert (refund.kind, refund.provider_id, refund.merchant_ref, refund.amount_fen) == (
        "refund",
        "50000000382019052709732678859",
        "AX20261204ABCD1234:refund",
        500,
    )
    assert refund.provider_payment_id == "AX20261204ABCD1234_1"


def test_a_bill_that_does_not_match_its_digest_is_refused(
    wx: WeChatPayProvider, http: FakeRequests
) -> None:
    # Given a bill whose content differs from the digest WeChat announced
    http.answer(
        200,
        {
            "hash_type": "SHA1",
            "hash_value": "0" * 40,
            "download_url": f"{GATEWAY}/v3/billdownload/file?token=x",
        },
    )
    http.answer(200, gzip.compress(BILL.encode()))
    # When it is downloaded
    # Then it is refused
    with pytest.raises(ProviderError) as e:
        wx.download_bill(dt.date(2026, 12, 4))
    assert e.value.code == "bill_digest_mismatch"


FUND_BILL = (
    "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),"
    "资金变更提交申请人,备注,业务凭证号\r\n"
    "`2026-12-04 10:00:03,`4200000001202612041234567890,`4200000001202612041234567890,"
    "`交易,`交易,`收入,`12.34,`12.34,`system,`,`AX20261204ABCD1234_1\r\n"
    "`2026-12-04 15:20:00,`1330000114850082306132000012345678,`1900000109202612040000000001,"
    "`商家转账,`商家转账,`支出,`80.00,`-67.66,`1900000109,`,`AXPO0123456789ABCDEF0123\r\n"
    "`2026-12-04 18:00:00,`1330000114850082306132000012345678,`1900000109202612040000000002,"
    "`商家转账,`商家转账退回,`收入,`80.00,`12.34,`system,`,`AXPO0123456789ABCDEF0123\r\n"
    "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额\r\n"
    "`3,`2,`92.34,`1,`80.00\r\n"
)


def test_the_fund_bill_gives_the_payouts_paid_and_sent_back(
    wx: WeChatPayProvider, http: FakeRequests
) -> None:
    # Given WeChat's fund-flow bill of the basic account for 4 December: a payment, a
    # transfer to a seller, and the transfer sent back
    raw = FUND_BILL.encode()
    serve_bill(http, raw, "fund")
    # When the day's payout bill is downloaded and read
    data = wx.download_payout_bill(dt.date(2026, 12, 4))
    lines = wx.parse_bill(data)
    # Then the basic account's fund-flow bill was asked for, and its transfers are the lines
    assert http.sent[0].url == (
        f"{GATEWAY}/v3/bill/fundflowbill?bill_date=2026-12-04&account_type=BASIC&tar_type=GZIP"
    )
    cst = dt.timezone(dt.timedelta(hours=8))
    assert [(x.kind, x.merchant_ref, x.amount_fen, x.status, x.occurred_at) for x in lines] == [
        (
            "payout",
            "AXPO0123456789ABCDEF0123",
            8000,
            "succeeded",
            dt.datetime(2026, 12, 4, 15, 20, tzinfo=cst),
        ),
        (
            "payout",
            "AXPO0123456789ABCDEF0123",
            8000,
            "returned",
            dt.datetime(2026, 12, 4, 18, 0, tzinfo=cst),
        ),
    ]
    assert lines[0].provider_id == "1330000114850082306132000012345678"


def test_a_day_without_a_bill_is_an_empty_bill(wx: WeChatPayProvider, http: FakeRequests) -> None:
    # Given WeChat saying there is no bill for the day
    http.answer(400, {"code": "NO_STATEMENT_EXIST", "message": "账单文件不存在"})
    # When the day's bill is downloaded and read
    data = wx.download_bill(dt.date(2026, 12, 3))
    # Then it is empty, and so are its lines
    assert data == b""
    assert wx.parse_bill(data) == []
