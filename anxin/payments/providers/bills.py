"""Daily trade bills in the providers' own formats: writing them (the sandbox's bills) and
reading them back into BillLines (reconciliation).

WeChat Pay: the trade bill of bill type ALL (APIv3 `GET /v3/bill/tradebill`, then the file at its
`download_url`; the same layout as APIv2 `/pay/downloadbill`), as pay.weixin.qq.com documents it
("交易账单文件格式说明", docs/merchant/products/bill-download/format-trade.html): CSV, a header row
of the detail fields, one row per payment (at its success time) and per refund (at the time the
refund was accepted), every field of a data row prefixed with a backtick (so that a spreadsheet
keeps long numbers whole), then the summary's header row and its one row, prefixed likewise.
Amounts are in yuan with two decimals; times are Beijing time, `YYYY-MM-DD HH:MM:SS`. A payment
row has 交易状态 SUCCESS and empty refund fields; a refund row has 交易状态 REFUND, the original
payment's ids, and the refund's id, merchant refund number, amount and 退款状态 (SUCCESS,
PROCESSING, CHANGE for a refund that failed at the bank).

Alipay: the `trade` bill of `alipay.data.dataservice.bill.downloadurl.query`, whose URL serves a
zip archive of GBK-encoded CSV files: `<pid>_<yyyymmdd>_业务明细.csv` (the detail) and
`<pid>_<yyyymmdd>_业务明细(汇总).csv` (the summary). The detail file opens with `#` comment lines
(its title, the account, the period), then the header row (支付宝交易号, 商户订单号, 业务类型, ...),
one row per trade (业务类型 交易) and per refund (业务类型 退款, negative amounts, the original
trade's numbers and the refund request number 退款批次号/请求号), and closing `#` lines with the
totals. Alipay gives a refund no id of its own: its line carries the request number only.

Only the fields reconciliation reads carry values in the sandbox's bills; the others are there,
empty or with the sandbox's constants, so that a parser written for the real files reads them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from decimal import Decimal

from anxin.law.days import BEIJING
from anxin.payments.providers.base import BillLine

_TIME = "%Y-%m-%d %H:%M:%S"

WECHAT_HEADER = [
    "交易时间",
    "公众账号ID",
    "商户号",
    "特约商户号",
    "设备号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "付款银行",
    "货币种类",
    "应结订单金额",
    "代金券金额",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
]
WECHAT_SUMMARY_HEADER = [
    "总交易单数",
    "应结订单总金额",
    "退款总金额",
    "充值券退款总金额",
    "手续费总金额",
    "订单总金额",
    "申请退款总金额",
]
ALIPAY_HEADER = [
    "支付宝交易号",
    "商户订单号",
    "业务类型",
    "商品名称",
    "创建时间",
    "完成时间",
    "门店编号",
    "门店名称",
    "操作员",
    "终端号",
    "对方账户",
    "订单金额（元）",
    "商家实收（元）",
    "支付宝红包（元）",
    "集分宝（元）",
    "支付宝优惠（元）",
    "商家优惠（元）",
    "券核销金额（元）",
    "券名称",
    "商家红包消费金额（元）",
    "卡消费金额（元）",
    "退款批次号/请求号",
    "服务费（元）",
    "分润（元）",
    "备注",
]
# The refund statuses of a WeChat Pay bill, as BillLine statuses (CHANGE: failed at the bank).
_WECHAT_REFUND_STATUS = {"SUCCESS": "succeeded", "PROCESSING": "processing", "CHANGE": "failed"}
_WECHAT_REFUND_STATUS_OUT = {v: k for k, v in _WECHAT_REFUND_STATUS.items()}
SANDBOX_MCH_ID = "1900000109"
SANDBOX_APPID = "wxsandbox00000001"
SANDBOX_ALIPAY_PID = "2088000000000001"


class BillFormatError(ValueError):
    """The bytes are not a bill this module can read."""


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def _fen(yuan: str) -> int:
    return int((Decimal(yuan.strip() or "0") * 100).to_integral_exact())


def _local(at: dt.datetime) -> str:
    return at.astimezone(BEIJING).strftime(_TIME)


def _parse_local(text: str) -> dt.datetime:
    return dt.datetime.strptime(text.strip(), _TIME).replace(tzinfo=BEIJING)


class Row(dict[str, str]):
    """One data row of a bill: its cells by column name (names and cells stripped; a missing
    cell reads as '')."""

    def __missing__(self, key: str) -> str:
        return ""

    def starting(self, prefix: str) -> str:
        """The cell of the first column whose name starts with `prefix` (Alipay writes some
        amounts' units into the name: 订单金额（元）)."""
        return next((v for k, v in self.items() if k.startswith(prefix)), "")


def wechat_rows(data: bytes, *, first: str, summary: str, what: str) -> list[Row]:
    """The data rows of a WeChat Pay bill, trade or fund flow: UTF-8 CSV, a header row whose
    first column is `first`, every field of a data row prefixed with a backtick (so that a
    spreadsheet keeps long numbers whole), then a summary whose header row starts with
    `summary`. Column names are read with ASCII parentheses (WeChat writes both kinds)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = [c.strip().replace("（", "(").replace("）", ")") for c in rows[0]] if rows else []
    if not header or header[0] != first:
        raise BillFormatError(f"not a WeChat Pay {what}: no header row")
    out: list[Row] = []
    for raw in rows[1:]:
        if not raw or not any(c.strip() for c in raw):
            continue
        if raw[0].strip() == summary:
            break  # the summary's header: the details are over
        cells = [c.strip().removeprefix("`").strip() for c in raw]
        out.append(Row(zip(header, cells, strict=False)))
    return out


def alipay_rows(text: str, *, first: str, what: str) -> list[Row]:
    """The data rows of an Alipay bill's detail file (GBK text already decoded): '#' lines
    around a header row whose first column is `first`; fields padded with spaces and tabs."""
    body = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(body))
    header = [c.strip() for c in rows[0]] if rows else []
    if not header or header[0] != first:
        raise BillFormatError(f"not an Alipay {what}: no header row")
    return [Row(zip(header, [c.strip() for c in raw], strict=False)) for raw in rows[1:]]


def alipay_detail(data: bytes, suffix: str, what: str) -> str:
    """The text of the archive's detail file whose name ends with `suffix` (业务明细.csv,
    账务明细.csv): Alipay's bills are zips of GBK CSV files named in GBK."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BillFormatError(f"not an Alipay {what}: not a zip archive") from None
    for info in z.infolist():
        if zip_member_name(info).endswith(suffix):
            return z.read(info).decode("gbk")
    raise BillFormatError(f"not an Alipay {what}: no {suffix} file in the archive")


# --- WeChat Pay ----------------------------------------------------------------------------------


def wechat_bill_write(lines: Iterable[BillLine]) -> bytes:
    """The trade bill (type ALL) of `lines`, in WeChat Pay's CSV layout (UTF-8, CRLF)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(WECHAT_HEADER)
    count = settled = refunded = ordered = asked = 0
    for line in lines:
        if line.kind == "payment":
            row = {
                "微信订单号": line.provider_id,
                "商户订单号": line.merchant_ref,
                "交易状态": "SUCCESS",
                "应结订单金额": _yuan(line.amount_fen),
                "代金券金额": "0.00",
                "退款金额": "0.00",
                "充值券退款金额": "0.00",
                "订单金额": _yuan(line.amount_fen),
                "申请退款金额": "0.00",
            }
            settled += line.amount_fen
            ordered += line.amount_fen
        elif line.kind == "refund":
            row = {
                "微信订单号": line.provider_payment_id,
                "商户订单号": "",
                "交易状态": "REFUND",
                "应结订单金额": "0.00",
                "代金券金额": "0.00",
                "微信退款单号": line.provider_id,
                "商户退款单号": line.merchant_ref,
                "退款金额": _yuan(line.amount_fen),
                "充值券退款金额": "0.00",
                "退款类型": "ORIGINAL",
                "退款状态": _WECHAT_REFUND_STATUS_OUT.get(line.status, "PROCESSING"),
                "订单金额": "0.00",
                "申请退款金额": _yuan(line.amount_fen),
            }
            refunded += line.amount_fen
            asked += line.amount_fen
        else:
            continue  # a trade bill has payments and refunds only
        row |= {
            "交易时间": _local(line.occurred_at),
            "公众账号ID": SANDBOX_APPID,
            "商户号": SANDBOX_MCH_ID,
            "交易类型": "JSAPI",
            "付款银行": "OTHERS",
            "货币种类": "CNY",
            "手续费": "0.00",
            "费率": "0.60%",
        }
        count += 1
        w.writerow(["`" + row.get(name, "") for name in WECHAT_HEADER])
    w.writerow(WECHAT_SUMMARY_HEADER)
    totals = [count, _yuan(settled), _yuan(refunded), "0.00", "0.00", _yuan(ordered), _yuan(asked)]
    w.writerow([f"`{v}" for v in totals])
    return out.getvalue().encode()


def wechat_bill_parse(data: bytes) -> list[BillLine]:
    """The payments and refunds of the sandbox's WeChat Pay trade bill (ALL, SUCCESS or
    REFUND): the sandbox's payment id is the bill's 微信订单号, ours its 商户订单号."""
    out: list[BillLine] = []
    for r in wechat_rows(data, first="交易时间", summary="总交易单数", what="trade bill"):
        at = _parse_local(r["交易时间"])
        if r["交易状态"] == "REFUND":
            out.append(
                BillLine(
                    kind="refund",
                    provider_id=r["微信退款单号"],
                    merchant_ref=r["商户退款单号"],
                    amount_fen=_fen(r["退款金额"] or r["申请退款金额"]),
                    status=_WECHAT_REFUND_STATUS.get(r["退款状态"], "processing"),
                    occurred_at=at,
                    provider_payment_id=r["微信订单号"],
                )
            )
        else:
            out.append(
                BillLine(
                    kind="payment",
                    provider_id=r["微信订单号"],
                    merchant_ref=r["商户订单号"],
                    amount_fen=_fen(r["订单金额"] or r["应结订单金额"]),
                    status="succeeded",
                    occurred_at=at,
                )
            )
    return out


# --- Alipay --------------------------------------------------------------------------------------


def _alipay_names(day: dt.date) -> tuple[str, str]:
    stem = f"{SANDBOX_ALIPAY_PID}_{day:%Y%m%d}"
    return f"{stem}_业务明细.csv", f"{stem}_业务明细(汇总).csv"


def alipay_bill_write(day: dt.date, lines: Iterable[BillLine]) -> bytes:
    """The `trade` bill of `day`: a zip of the detail and summary CSV files, GBK-encoded."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    start = f"{day:%Y年%m月%d日} 00:00:00"
    end = f"{day + dt.timedelta(days=1):%Y年%m月%d日} 00:00:00"
    out.write("#支付宝业务明细查询\r\n")
    out.write(f"#账号：[{SANDBOX_ALIPAY_PID}0156]\r\n")
    out.write(f"#起始日期：[{start}]   终止日期：[{end}]\r\n")
    out.write(
        "#-----------------------------------------业务明细列表----------------------------------------\r\n"
    )
    w.writerow(ALIPAY_HEADER)
    trades = trade_fen = refunds = refund_fen = 0
    for line in lines:
        if line.kind == "payment":
            row = {
                "支付宝交易号": line.provider_id,
                "商户订单号": line.merchant_ref,
                "业务类型": "交易",
                "订单金额（元）": _yuan(line.amount_fen),
                "商家实收（元）": _yuan(line.amount_fen),
            }
            trades += 1
            trade_fen += line.amount_fen
        elif line.kind == "refund":
            if line.status != "succeeded":
                continue  # Alipay's bill lists the refunds that went through
            row = {
                "支付宝交易号": line.provider_payment_id,
                "业务类型": "退款",
                "订单金额（元）": _yuan(-line.amount_fen),
                "商家实收（元）": _yuan(-line.amount_fen),
                "退款批次号/请求号": line.merchant_ref,
            }
            refunds += 1
            refund_fen += line.amount_fen
        else:
            continue
        when = _local(line.occurred_at)
        row |= {"创建时间": when, "完成时间": when}
        for money in [*ALIPAY_HEADER[13:21], "服务费（元）", "分润（元）"]:
            row.setdefault(money, "" if money == "券名称" else "0.00")
        w.writerow([row.get(name, "") for name in ALIPAY_HEADER])
    out.write(
        "#-----------------------------------------业务明细列表结束------------------------------------\r\n"
    )
    out.write(f"#交易合计：{trades}笔，商家实收共：{_yuan(trade_fen)}元，商家优惠共：0.00元\r\n")
    out.write(
        f"#退款合计：{refunds}笔，商家实收退款共：{_yuan(-refund_fen)}元，商家优惠退款共：0.00元\r\n"
    )
    out.write(f"#导出时间：[{day + dt.timedelta(days=1):%Y年%m月%d日} 09:00:00]\r\n")
    summary = io.StringIO()
    s = csv.writer(summary, lineterminator="\r\n")
    summary.write("#支付宝业务汇总查询\r\n")
    s.writerow(
        [
            "门店编号",
            "门店名称",
            "交易订单总笔数",
            "退款订单总笔数",
            "订单金额（元）",
            "商家实收（元）",
        ]
    )
    s.writerow(
        ["", "", trades, refunds, _yuan(trade_fen - refund_fen), _yuan(trade_fen - refund_fen)]
    )
    detail_name, summary_name = _alipay_names(day)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(detail_name, out.getvalue().encode("gbk"))
        z.writestr(summary_name, summary.getvalue().encode("gbk"))
    return buf.getvalue()


def alipay_bill_parse(data: bytes) -> list[BillLine]:
    """The trades and refunds of the sandbox's Alipay `trade` bill archive (its 业务明细 file):
    the sandbox's payment id is the bill's 支付宝交易号, ours its 商户订单号."""
    text = alipay_detail(data, "业务明细.csv", "trade bill")
    out: list[BillLine] = []
    for r in alipay_rows(text, first="支付宝交易号", what="trade bill"):
        at = _parse_local(r["完成时间"] or r["创建时间"])
        amount = abs(_fen(r.starting("订单金额")))
        if r["业务类型"] == "退款":
            out.append(
                BillLine(
                    kind="refund",
                    provider_id="",
                    merchant_ref=r.starting("退款批次号"),
                    amount_fen=amount,
                    status="succeeded",
                    occurred_at=at,
                    provider_payment_id=r["支付宝交易号"],
                )
            )
        else:
            out.append(
                BillLine(
                    kind="payment",
                    provider_id=r["支付宝交易号"],
                    merchant_ref=r["商户订单号"],
                    amount_fen=amount,
                    status="succeeded",
                    occurred_at=at,
                )
            )
    return out


# --- payouts: the fund bills ---------------------------------------------------------------------
#
# A payout is not a trade: it is on neither provider's trade bill but on the bill of the
# merchant account's money (its fund flow), one line per movement, with our payout key as the
# line's voucher number.
#
# WeChat Pay: the fund-flow bill of the basic account ("资金账单", APIv3
# `GET /v3/bill/fundflowbill?account_type=BASIC`): CSV with backtick-prefixed fields like the
# trade bill's, the columns of WECHAT_FUND_HEADER, then a summary. 收支类型 is 收入 (in) or
# 支出 (out); 业务凭证号 is our reference.
#
# Alipay: the account bill ("账务明细", `bill_type` signcustomer): a zip of GBK CSV files like
# the trade bill's, the columns of ALIPAY_FUND_HEADER; 商户订单号 is our reference.
#
# A payout paid out is an outgoing line; a payout the bank sent back is an incoming line with
# the same reference (status `returned`). Lines of other business (trades and refunds: the
# trade bill has them; fees; top-ups) are not payouts and are skipped.

WECHAT_FUND_HEADER = [
    "记账时间",
    "微信支付业务单号",
    "资金流水单号",
    "业务名称",
    "业务类型",
    "收支类型",
    "收支金额(元)",
    "账户结余(元)",
    "资金变更提交申请人",
    "备注",
    "业务凭证号",
]
WECHAT_FUND_SUMMARY_HEADER = ["资金流水总笔数", "收入笔数", "收入金额", "支出笔数", "支出金额"]
ALIPAY_FUND_HEADER = [
    "账务流水号",
    "业务流水号",
    "商户订单号",
    "商品名称",
    "发生时间",
    "对方账号",
    "收入金额（+元）",
    "支出金额（-元）",
    "账户余额（元）",
    "交易渠道",
    "业务类型",
    "备注",
]
# The business types of a payout (and of its return) on each fund bill.
WECHAT_PAYOUT_TYPES = frozenset({"商家转账", "企业付款", "商家转账退回", "企业付款退款"})
ALIPAY_PAYOUT_TYPES = frozenset({"转账", "转账退回", "单笔转账"})


def _payout_lines(lines: Iterable[BillLine]) -> list[BillLine]:
    return [line for line in lines if line.kind == "payout" and line.status in _MOVED]


# A payout line is money that moved: paid out, or sent back.
_MOVED = ("succeeded", "returned")


def wechat_fund_bill_write(lines: Iterable[BillLine]) -> bytes:
    """The basic account's fund-flow bill of the payout lines in `lines`, in WeChat Pay's CSV
    layout (UTF-8, CRLF). The balance column is left empty: the sandbox keeps no account."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(WECHAT_FUND_HEADER)
    income = income_fen = spent = spent_fen = 0
    for n, line in enumerate(_payout_lines(lines), start=1):
        back = line.status == "returned"
        if back:
            income, income_fen = income + 1, income_fen + line.amount_fen
        else:
            spent, spent_fen = spent + 1, spent_fen + line.amount_fen
        row = {
            "记账时间": _local(line.occurred_at),
            "微信支付业务单号": line.provider_id,
            "资金流水单号": f"{line.occurred_at.astimezone(BEIJING):%Y%m%d}{n:010d}",
            "业务名称": "商家转账",
            "业务类型": "商家转账退回" if back else "商家转账",
            "收支类型": "收入" if back else "支出",
            "收支金额(元)": _yuan(line.amount_fen),
            "资金变更提交申请人": SANDBOX_MCH_ID,
            "业务凭证号": line.merchant_ref,
        }
        w.writerow(["`" + row.get(name, "") for name in WECHAT_FUND_HEADER])
    w.writerow(WECHAT_FUND_SUMMARY_HEADER)
    totals = [income + spent, income, _yuan(income_fen), spent, _yuan(spent_fen)]
    w.writerow([f"`{v}" for v in totals])
    return out.getvalue().encode()


def wechat_fund_bill_parse(data: bytes) -> list[BillLine]:
    """The payouts (and payouts sent back) of a WeChat Pay fund-flow bill."""
    return [
        BillLine(
            kind="payout",
            provider_id=r["微信支付业务单号"],
            merchant_ref=r["业务凭证号"],
            amount_fen=abs(_fen(r["收支金额(元)"])),
            status="returned" if r["收支类型"] == "收入" else "succeeded",
            occurred_at=_parse_local(r["记账时间"]),
        )
        for r in wechat_rows(
            data, first="记账时间", summary="资金流水总笔数", what="fund-flow bill"
        )
        if r["业务类型"] in WECHAT_PAYOUT_TYPES
    ]


def _alipay_fund_names(day: dt.date) -> tuple[str, str]:
    stem = f"{SANDBOX_ALIPAY_PID}_{day:%Y%m%d}"
    return f"{stem}_账务明细.csv", f"{stem}_账务明细(汇总).csv"


def alipay_fund_bill_write(day: dt.date, lines: Iterable[BillLine]) -> bytes:
    """The account bill (signcustomer) of `day` with the payout lines of `lines`: a zip of the
    detail and summary CSV files, GBK-encoded."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    out.write("#支付宝账务明细查询\r\n")
    out.write(f"#账号：[{SANDBOX_ALIPAY_PID}0156]\r\n")
    out.write(
        f"#起始日期：[{day:%Y年%m月%d日} 00:00:00]   "
        f"终止日期：[{day + dt.timedelta(days=1):%Y年%m月%d日} 00:00:00]\r\n"
    )
    out.write(
        "#-----------------------------------------账务明细列表----------------------------------------\r\n"
    )
    w.writerow(ALIPAY_FUND_HEADER)
    income_fen = spent_fen = count = 0
    for n, line in enumerate(_payout_lines(lines), start=1):
        back = line.status == "returned"
        count += 1
        if back:
            income_fen += line.amount_fen
        else:
            spent_fen += line.amount_fen
        row = {
            "账务流水号": f"{line.occurred_at.astimezone(BEIJING):%Y%m%d}{n:012d}",
            "业务流水号": line.provider_id,
            "商户订单号": line.merchant_ref,
            "商品名称": "Anxin withdrawal",
            "发生时间": _local(line.occurred_at),
            "收入金额（+元）": _yuan(line.amount_fen) if back else "0.00",
            "支出金额（-元）": "0.00" if back else _yuan(-line.amount_fen),
            "交易渠道": "OPENAPI",
            "业务类型": "转账退回" if back else "转账",
        }
        w.writerow([row.get(name, "") for name in ALIPAY_FUND_HEADER])
    out.write(
        "#-----------------------------------------账务明细列表结束------------------------------------\r\n"
    )
    out.write(f"#收入合计：{_yuan(income_fen)}元，支出合计：{_yuan(-spent_fen)}元，共{count}笔\r\n")
    summary = io.StringIO()
    summary.write("#支付宝账务汇总查询\r\n")
    s = csv.writer(summary, lineterminator="\r\n")
    s.writerow(["业务类型", "收入金额（+元）", "支出金额（-元）"])
    s.writerow(["转账", _yuan(income_fen), _yuan(-spent_fen)])
    detail_name, summary_name = _alipay_fund_names(day)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(detail_name, out.getvalue().encode("gbk"))
        z.writestr(summary_name, summary.getvalue().encode("gbk"))
    return buf.getvalue()


def alipay_fund_rows(text: str) -> list[BillLine]:
    """The payouts (and payouts sent back) of an Alipay account bill's detail file."""
    out: list[BillLine] = []
    for r in alipay_rows(text, first="账务流水号", what="account bill"):
        if r["业务类型"] not in ALIPAY_PAYOUT_TYPES:
            continue
        income = _fen(r.starting("收入金额"))
        out.append(
            BillLine(
                kind="payout",
                provider_id=r["业务流水号"],
                merchant_ref=r["商户订单号"],
                amount_fen=abs(income) if income else abs(_fen(r.starting("支出金额"))),
                status="returned" if income > 0 else "succeeded",
                occurred_at=_parse_local(r["发生时间"]),
            )
        )
    return out


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as Alipay meant it: GBK unless the archive flags it UTF-8."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def is_wechat_fund_bill(data: bytes) -> bool:
    """Whether a WeChat Pay bill is the fund-flow bill (its first column 记账时间), not the
    trade bill (交易时间)."""
    return data[:200].decode("utf-8-sig", errors="replace").lstrip().startswith("记账时间")


def bill_parse(data: bytes) -> list[BillLine]:
    """A bill of the sandbox in either provider's format, trade or fund: Alipay's is a zip
    archive (its detail file named 业务明细 for trades, 账务明细 for the account's money),
    WeChat Pay's plain CSV (its first column 交易时间 for trades, 记账时间 for the fund flow).
    b'' is an empty bill."""
    if not data:
        return []
    if data[:2] == b"PK":
        try:
            return alipay_fund_rows(alipay_detail(data, "账务明细.csv", "account bill"))
        except BillFormatError:
            return alipay_bill_parse(data)
    if is_wechat_fund_bill(data):
        return wechat_fund_bill_parse(data)
    return wechat_bill_parse(data)
