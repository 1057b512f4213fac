"""The demo's regulator at work (issue 18, items 4 and 7): Xihu's market regulator has held an
interview, given a warning, ordered a correction still open, one the seller answered with a
photo and a PDF, and one the seller let pass,
decided a penalty it published and one it has still to publish, referred the shop that let
its order pass to the blacklist (appealed and dismissed), asked the platform for data
(one request answered, one open), and an early warning has been raised about a shop whose
complaints rose sharply."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anxin.accounts.models import User
from anxin.law.days import BEIJING
from anxin.ops.demo_desk import days_ago
from anxin.reputation import blacklist
from anxin.supervision import early_warning, services
from anxin.supervision import regulator as reg
from anxin.supervision.models import Complaint


def _who(name: str) -> User:
    return User.objects.get(username=name)


def _today() -> dt.date:
    return timezone.localtime(timezone.now(), BEIJING).date()


def _evidence() -> list[SimpleUploadedFile]:
    """A photo of the shop's page and a PDF, as a seller shows a correction."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (360, 240), (250, 250, 247))
    ImageDraw.Draw(img).rectangle((20, 20, 340, 80), fill=(30, 136, 229))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    pdf = "%PDF-1.4\n% 报关单号和溯源码查询入口的整改说明\n%%EOF\n".encode()
    return [
        SimpleUploadedFile("店铺首页截图.png", buf.getvalue(), "image/png"),
        SimpleUploadedFile("整改说明.pdf", pdf, "application/pdf"),
    ]


def build() -> None:
    officer, operator = _who("regulator"), _who("operator")
    formula, tea = _who("seller-formula"), _who("seller-tea")
    shop = reg.Target(seller_id=formula.pk)
    # An interview about the seller named in a complaint (not on Anxin).
    outside = Complaint.objects.filter(seller__isnull=True, status="refused").first()
    if outside is not None:
        with days_ago(3):
            reg.action_record(
                actor=officer,
                target=reg.Target(complaint=outside.number),
                kind="interview",
                summary="约谈阿芳代购经营者：朋友圈预售奶粉收取定金后长期不发货，要求限期退款。",
            )
    # A warning and an order to correct still open, to the formula shop.
    with days_ago(6):
        reg.action_record(
            actor=officer,
            target=shop,
            kind="warning",
            summary="以缺货为由要求消费者加价后才发货，违反明码标价规定，予以警告。",
        )
    reg.action_record(
        actor=officer,
        target=shop,
        kind="correction",
        summary="限期改正：在店铺首页显著位置公示营业执照信息。",
        correct_days=10,
    )
    # An order to correct the formula shop answered in time, with its evidence.
    with days_ago(8):
        answered_order = reg.action_record(
            actor=officer,
            target=shop,
            kind="correction",
            summary="限期改正：在商品详情页标明奶粉的进口报关单号和溯源码查询方式。",
            correct_days=7,
        )
    with days_ago(5):
        reg.correction_answer(
            actor=formula,
            number=answered_order.number,
            note="已在全部奶粉商品详情页补充报关单号和溯源码查询入口，截图和说明见附件。",
            files=_evidence(),
        )
    # An order to correct the tea shop let pass: defaulted by the deadline runner.
    with days_ago(9):
        reg.action_record(
            actor=officer,
            target=reg.Target(seller_id=tea.pk),
            kind="correction",
            summary="限期改正：商品详情页删除“最高级”“国家级”等用语。",
            correct_days=5,
        )
    reg.corrections_default(timezone.now())
    # A penalty decided and published; another decided, still to publish.
    with days_ago(20):
        published = reg.penalty_decide(
            actor=officer,
            target=shop,
            summary="对商品作引人误解的宣传，违法所得 1,200 元。责令改正，罚款 3,000 元。",
            terms=reg.PenaltyTerms(
                offence="crpl_56",
                committed_at=_today() - dt.timedelta(days=60),
                illegal_gains_fen=120000,
                fine_fen=300000,
            ),
        )
    with days_ago(15):
        reg.penalty_publish(actor=officer, number=published.number)
    reg.penalty_decide(
        actor=officer,
        target=reg.Target(seller_id=tea.pk),
        summary="未在首页公示营业执照信息，逾期未改正。罚款 2,000 元。",
        terms=reg.PenaltyTerms(
            offence="ecl_76",
            committed_at=_today() - dt.timedelta(days=10),
            illegal_gains_fen=0,
            fine_fen=200000,
            minor=True,
        ),
    )
    # The tea shop let its order to correct pass: the office referred it to the blacklist,
    # whose own due process ran: the shop appealed (it had since corrected its pages) and the
    # operator dismissed it.
    referred = reg.referral_make(
        actor=officer,
        target=reg.Target(seller_id=tea.pk),
        summary="责令改正逾期未改正，仍在商品详情页使用“国家级”等用语，移送黑名单程序。",
        evidence_refs=[],
    )
    assert referred.blacklist_entry_id is not None
    blacklist.appeal(
        actor=tea,
        entry_id=referred.blacklist_entry_id,
        text="已于期限届满后两日内删除全部违规用语，附整改前后页面截图，请求不予列入。",
    )
    blacklist.decide(
        actor=operator,
        entry_id=referred.blacklist_entry_id,
        list_seller=False,
        reasons="卖家已改正，且为首次违规；不予列入黑名单，罚款另行执行。",
    )
    # Data requests: one the platform answered, one open.
    with days_ago(4):
        answered = reg.data_request_make(
            actor=officer,
            seller_id=formula.pk,
            purpose="案件调查：加价发货投诉，调取近三个月订单。",
            period_from=_today() - dt.timedelta(days=90),
            period_to=_today() - dt.timedelta(days=4),
        )
    with days_ago(2):
        reg.data_request_answer(
            actor=operator, number=answered.number, note="订单、支付、物流和售后数据见附件。"
        )
    reg.data_request_make(
        actor=officer,
        seller_id=tea.pk,
        purpose="监督检查：核查商品宣传用语整改前后的订单。",
        period_from=_today() - dt.timedelta(days=30),
        period_to=_today(),
    )
    # Complaints about the tea shop rising this month: an early warning to Xihu's offices.
    for username, knew, request, facts in (
        ("zhangwei", 3, "退款 128 元", "详情页写“国家级名茶”，实为普通绿茶。"),
        ("lina", 5, "退款 256 元", "宣传“明前特级”，收到的是碎茶末。"),
        ("wangfang", 8, "退还差价 60 元", "直播间价格与下单价格不一致。"),
    ):
        with days_ago(knew - 1):
            services.complaint_file(
                actor=_who(username),
                seller=services.SellerNamed(seller_id=tea.pk),
                materials=services.Materials(
                    name=_who(username).display_name or username,
                    address="浙江省杭州市西湖区文三路 90 号",
                    request=request,
                    facts=facts,
                    knew_at=_today() - dt.timedelta(days=knew),
                    paid_fen=12800,
                ),
            )
    early_warning.monitor()
