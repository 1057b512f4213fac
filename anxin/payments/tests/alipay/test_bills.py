"""The Alipay adapter's daily bills, with no network: the trade bill (业务明细) reconciliation
matches payments and refunds against, and the account bill (账务明细) that gives the payouts.

Alipay answers the bill's download URL (alipay.data.dataservice.bill.downloadurl.query), then
the file behind it: a zip of GBK CSV files with GBK member names (helpers.gbk_zip).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from anxin.payments.providers.alipay import AlipayProvider
from anxin.payments.tests.alipay.helpers import (
    CST,
    FakeGateway,
    gbk_zip,
)

pytestmark = pytest.mark.django_db


DETAILS = """#支付宝业务明细查询
#账号：[20881234567890120156]
#起始日期：[2026年12月04日 00:00:00]   终止日期：[2026年12月05日 00:00:00]
#-----------------------------------------业务明细列表----------------------------------------
支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注
2026120422001404070500001234\t,AX20261204ABCD1234_1\t,交易\t,明前龙井 250g\t,2026-12-04 10:00:00,2026-12-04 10:00:03,\t,\t,\t,\t,buy***@example.com\t,12.34,12.34,0.00,0.00,0.00,0.00,0.00,\t,0.00,0.00,\t,-0.07,0.00,AX20261204ABCD1234\t
2026120422001404070500001234\t,AX20261204ABCD1234_1\t,退款\t,明前龙井 250g\t,2026-12-04 12:00:00,2026-12-04 12:00:00,\t,\t,\t,\t,buy***@example.com\t,-5.00,-5.00,0.00,0.00,0.00,0.00,0.00,\t,0.00,0.00,AX20261204ABCD1234:refund\t,0.03,0.00,\t
#-----------------------------------------业务明细列表结束------------------------------------
#交易合计：1笔，商家实收：12.34元，商家优惠：0.00元
#退款合计：1笔，商家实收：-5.00元，商家优惠：0.00元
#导出时间：[2026年12月05日 09:00:00]
"""


def _bill_zip() -> bytes:
    return gbk_zip(
        {
            "20881234567890120156_20261204_业务明细.csv": DETAILS,
            "20881234567890120156_20261204_业务明细(汇总).csv": "#汇总\n门店编号,交易订单总笔数\n",
        }
    )


def test_the_trade_bill_is_fetched_and_read(ali: AlipayProvider, gateway: FakeGateway) -> None:
    # Given Alipay's bill URL for 4 December, and the zip behind it
    url = "https://dwbillcenter.alipay.com/downloadBillFile.resource?bizType=trade&userId=20881234567890120156&fileType=csv.zip&bizDates=20261204"
    gateway.answer(
        "alipay.data.dataservice.bill.downloadurl.query",
        {"code": "10000", "msg": "Success", "bill_download_url": url},
    )
    gateway.file(_bill_zip())
    # When the day's bill is downloaded
    data = ali.download_bill(dt.date(2026, 12, 4))
    # Then the URL was asked for the day's trade bill, then fetched
    assert json.loads(gateway.request(0)["biz_content"]) == {
        "bill_type": "trade",
        "bill_date": "2026-12-04",
    }
    assert gateway.urls[1] == url
    # When it is read
    payment, refund = ali.parse_bill(data)
    # Then its payment and its refund are the lines reconciliation matches (totals skipped)
    assert (payment.kind, payment.provider_id, payment.merchant_ref, payment.amount_fen) == (
        "payment",
        "AX20261204ABCD1234_1",
        "AX20261204ABCD1234",
        1234,
    )
    assert payment.occurred_at == dt.datetime(2026, 12, 4, 10, 0, 3, tzinfo=CST)
    assert (refund.kind, refund.provider_id, refund.amount_fen, refund.provider_payment_id) == (
        "refund",
        "AX20261204ABCD1234:refund",
        500,
        "AX20261204ABCD1234_1",
    )


ACCOUNT_DETAILS = """#支付宝账务明细查询
#账号：[20881234567890120156]
#起始日期：[2026年12月04日 00:00:00]   终止日期：[2026年12月05日 00:00:00]
#-----------------------------------------账务明细列表----------------------------------------
账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注
20261204000000000001\t,2026120422001412341234567890\t,AX20261204ABCD1234_1\t,明前龙井\t,2026-12-04 10:00:03,buyer@example.com,12.34,0.00,12.34,WAP,在线支付,
20261204000000000002\t,20261204110070000006210012345678\t,AXPO0123456789ABCDEF0123\t,Anxin withdrawal\t,2026-12-04 15:20:00,seller@example.com,0.00,-80.00,-67.66,OPENAPI,转账,
#-----------------------------------------账务明细列表结束------------------------------------
#收入合计：12.34元，支出合计：-80.00元
"""


def test_the_account_bill_gives_the_payouts(ali: AlipayProvider, gateway: FakeGateway) -> None:
    # Given Alipay's account bill (账务明细) for 4 December: a payment in, a transfer out
    data = gbk_zip(
        {
            "20881234567890120156_20261204_账务明细.csv": ACCOUNT_DETAILS,
            "20881234567890120156_20261204_账务明细(汇总).csv": "#汇总\n业务类型,收入\n",
        }
    )
    url = "https://dwbillcenter.alipay.com/downloadBillFile.resource?bizType=signcustomer&bizDates=20261204"
    gateway.answer(
        "alipay.data.dataservice.bill.downloadurl.query",
        {"code": "10000", "msg": "Success", "bill_download_url": url},
    )
    gateway.file(data)
    # When the day's payout bill is downloaded and read
    lines = ali.parse_bill(ali.download_payout_bill(dt.date(2026, 12, 4)))
    # Then the account bill was asked for, and the transfer is the one payout line
    assert json.loads(gateway.request(0)["biz_content"]) == {
        "bill_type": "signcustomer",
        "bill_date": "2026-12-04",
    }
    assert [(x.kind, x.merchant_ref, x.amount_fen, x.status) for x in lines] == [
        ("payout", "AXPO0123456789ABCDEF0123", 8000, "succeeded")
    ]
    assert lines[0].occurred_at == dt.datetime(2026, 12, 4, 15, 20, tzinfo=CST)


def test_a_day_without_a_bill_is_an_empty_bill(ali: AlipayProvider, gateway: FakeGateway) -> None:
    # Given Alipay saying there is no bill for the day
    gateway.answer(
        "alipay.data.dataservice.bill.downloadurl.query",
        {"code": "40004", "msg": "Business Failed", "sub_code": "isp.bill_not_exist"},
    )
    # When the day's bill is downloaded and read
    data = ali.download_bill(dt.date(2026, 12, 3))
    # Then it is empty, and so are its lines
    assert data == b""
    assert ali.parse_bill(data) == []
