"""The demo's supervision: a consumer association and a market regulator for Hangzhou's Xihu
district (the platform's domicile in the demo), the demo's mediator and regulator as their
staff, shops that show their addresses, buyers with verified phone numbers, and complaints
to the regulator in every state a person waits at."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from anxin.accounts.models import SellerProfile, User
from anxin.law.days import BEIJING
from anxin.ops import demo_regulator
from anxin.ops.demo_desk import days_ago
from anxin.supervision import services
from anxin.supervision.models import Organisation, OrgKind, OrgStaff

XIHU, SHANGCHENG = "330106", "330102"
PHONES = {"zhangwei": "13900001111", "lina": "13900002222", "wangfang": "13900003333"}
# Where each demo shop says it is (most in Xihu; the orchard in Ganzhou's Xinfeng county, whose
# complaints go up to the province's office when the county has none in Anxin).
SHOP_REGIONS = {
    "seller-tea": XIHU,
    "seller-beauty": SHANGCHENG,
    "seller-fruit": "360722",
    "seller-formula": XIHU,
}


def _who(name: str) -> User:
    return User.objects.get(username=name)


def _materials(name: str, knew_days: int, request: str, facts: str, paid: int):
    today = timezone.localtime(timezone.now(), BEIJING).date()
    return services.Materials(
        name=name,
        address="浙江省杭州市西湖区文三路 90 号",
        request=request,
        facts=facts,
        knew_at=today - dt.timedelta(days=knew_days),
        paid_fen=paid,
    )


def build() -> dict[str, Organisation]:
    regulator = Organisation.objects.create(
        kind=OrgKind.REGULATOR, region=XIHU, name="杭州市西湖区市场监督管理局"
    )
    association = Organisation.objects.create(
        kind=OrgKind.ASSOCIATION, region=XIHU, name="杭州市西湖区消费者权益保护委员会"
    )
    OrgStaff.objects.create(user=_who("regulator"), organisation=regulator)
    OrgStaff.objects.create(user=_who("mediator"), organisation=association)
    for username, phone in PHONES.items():
        User.objects.filter(username=username).update(phone=phone)
    for username, region in SHOP_REGIONS.items():
        SellerProfile.objects.filter(user__username=username).update(address_region=region)
    zhang, li, wang = _who("zhangwei"), _who("lina"), _who("wangfang")
    outside = services.SellerNamed(
        name="阿芳代购", wechat="wx_afang_daigou", platform="微信朋友圈", region=XIHU
    )
    # Received eight working days ago and still undecided: overdue on the regulator's queue.
    with days_ago(12):
        services.complaint_file(
            actor=zhang,
            seller=outside,
            materials=_materials(
                "张伟",
                15,
                "退还定金 500 元",
                "在朋友圈交了定金预订奶粉，一个月没发货，也不退款。",
                50000,
            ),
        )
    # Received today: waiting for the regulator's decision.
    services.complaint_file(
        actor=li,
        seller=services.SellerNamed(
            name="潮流鞋铺", wechat="wx_chaoliu", platform="抖音直播间", region=XIHU
        ),
        materials=_materials(
            "李娜", 3, "退货退款 399 元", "直播间说是正品，收到后鞋底开胶，商家拉黑了我。", 39900
        ),
    )
    # Accepted: a complaint about an Anxin shop, routed by the address it shows.
    with days_ago(5):
        accepted = services.complaint_file(
            actor=wang,
            seller=services.SellerNamed(seller_id=_who("seller-formula").pk),
            materials=_materials(
                "王芳", 6, "退还差价 120 元", "下单后商家以缺货为由要求加价才发货。", 12000
            ),
        )
        services.complaint_admit(actor=_who("regulator"), number=accepted.number)
    # Refused by the regulator: bought for resale.
    with days_ago(4):
        refused = services.complaint_file(
            actor=zhang,
            seller=outside,
            materials=_materials(
                "张伟",
                9,
                "赔偿损失 3000 元",
                "批发了 50 盒面膜准备转卖，质量不好卖不出去。",
                300000,
            ),
        )
        services.complaint_refuse(
            actor=_who("regulator"),
            number=refused.number,
            ground="not_consumer",
            note="所购商品为批发转售，不属于为生活消费需要购买，建议通过民事诉讼解决。",
        )
    # Refused by the law at once: more than three years after the buyer knew.
    services.complaint_file(
        actor=li,
        seller=outside,
        materials=_materials(
            "李娜", 3 * 365 + 40, "退款 88 元", "三年多前买的护手霜过敏，当时没有处理。", 8800
        ),
    )
    # Withdrawn by the complainant once the seller refunded.
    with days_ago(2):
        withdrawn = services.complaint_file(
            actor=wang,
            seller=outside,
            materials=_materials("王芳", 4, "退款 59 元", "买的水果有一半烂了。", 5900),
        )
        services.complaint_withdraw(actor=wang, number=withdrawn.number)
    _association_work(accepted_number=accepted.number, refused_number=refused.number)
    from anxin.ops import demo_figures

    demo_figures.build()
    demo_regulator.build()  # the regulator at work: anxin/ops/demo_regulator.py
    return {"regulator": regulator, "association": association}


def _association_work(*, accepted_number: str, refused_number: str) -> None:
    """The association's mediations in every state, a referral answered and one waiting, and a
    typical case on the public page."""
    from anxin.disputes.models import Dispute
    from anxin.supervision import mediation

    staff, regulator = _who("mediator"), _who("regulator")
    zhang, li = _who("zhangwei"), _who("lina")
    # Entrusted by the regulator, both parties agreeing: mediating now.
    mediation.mediation_entrust(
        actor=regulator, complaint_number=accepted_number, parties_agree=True
    )
    # Asked by the complainant after the regulator refused: the face cream sent for testing.
    testing = mediation.mediation_ask(actor=zhang, complaint_number=refused_number)
    mediation.mediation_testing(
        actor=staff, number=testing.number, start=True, note="面膜送检，检测成分是否合格"
    )
    # A desk case handed over with its whole file, settled by agreement and published.
    in_xihu = Dispute.objects.filter(
        order__isnull=False, seller__seller_profile__address_region=XIHU
    ).order_by("id")
    case = in_xihu.filter(buyer=li).first() or in_xihu.first()
    if case is not None:
        with days_ago(2):
            settled = mediation.mediation_from_case(
                actor=User.objects.get(pk=case.buyer_id), case_number=case.number
            )
            mediation.mediation_end(
                actor=staff,
                number=settled.number,
                agreed=True,
                text="商家同意退还全部货款，并承担退货运费。",
                settled_fen=settled.claimed_fen,
            )
        mediation.typical_case_publish(
            actor=staff,
            mediation_number=settled.number,
            title="水果迟迟不发货，调解后全额退款",
            summary="一位消费者付款一周后物流仍未更新，商家以缺货为由拖延。经调解，商家退还全部货款并承担运费。",
            lesson="付款后久不发货的，可以要求经营者退款；保留付款和聊天记录。",
        )
    # Handed over by a buyer, the seller refusing to mediate: ended without agreement, so
    # the next routes' packages (the regulator, a court) are open to the buyer.
    other = (in_xihu.exclude(pk=case.pk) if case is not None else in_xihu).first()
    if other is not None:
        lapsed = mediation.mediation_from_case(
            actor=User.objects.get(pk=other.buyer_id), case_number=other.number
        )
        mediation.mediation_end(
            actor=staff,
            number=lapsed.number,
            agreed=False,
            text="经营者拒绝参加调解，调解终止。",
        )
    # A referral answered, and one waiting for the regulator.
    with days_ago(10):
        answered = mediation.referral_make(
            actor=staff,
            seller_name="阿芳代购",
            text="近一个月收到多起同一代购的投诉：收取定金后不发货、不退款。",
            cases=[],
        )
    mediation.referral_answer(
        actor=regulator, number=answered.number, answer="已约谈经营者，责令十日内退还定金。"
    )
    mediation.referral_make(
        actor=staff,
        seller_name="潮流鞋铺",
        text="直播间宣称正品，消费者反映收到的鞋存在质量问题，商家拒绝退货。",
        cases=[],
    )
