"""The demo's public figures: two newer shops outside Zhejiang (a phone-case shop in
Guangzhou's Tianhe district and a snack shop in Shanghai's Pudong) with fewer orders than a
credit grade needs, and cases at the desk about them over the last eight weeks in every way a
case ends (settled at once or on the seller's offer, settled in mediation, withdrawn), so the
statistics page draws its charts by month, category, province, response time and mediation
from real cases. The figures are kept by the cases' own transactions, as in production."""

from __future__ import annotations

import itertools

from anxin.accounts import services as accounts
from anxin.accounts.models import User
from anxin.bench import synthetic
from anxin.catalog import services as catalog
from anxin.catalog.models import Listing
from anxin.disputes import services as disputes
from anxin.disputes.models import Dispute
from anxin.ops.demo_desk import days_ago
from anxin.ops.management.commands.demo import DEMO_PASSWORD
from anxin.orders import services as orders
from anxin.payments.models import SandboxNotification
from anxin.payments.providers.sandbox import SandboxProvider
from anxin.supervision import figures

# (key, shop, the owner's name, phone, WeChat ID, region it shows, a listing)
SHOPS = [
    ("cases", "潮玩手机壳", "黄晓东", "13800010006", "chaowan_case", "440106", "防摔手机壳", 3900),
    (
        "snacks",
        "沪上零食铺",
        "吴佳怡",
        "13800010007",
        "hushang_snack",
        "310115",
        "蝴蝶酥礼盒",
        6800,
    ),
]
ADDRESSES = {"440106": "广州市天河区天河路 385 号", "310115": "上海市浦东新区张杨路 500 号"}
# (days ago filed, shop, buyer, category, how it ends, days until the seller answers)
CASES = [
    (54, "cases", "chenyu", "quality_defect", "full", 1),
    (51, "snacks", "linxue", "not_delivered", "offer_taken", 2),
    (47, "cases", "zhaolei", "not_as_described", "mediated", 1),
    (43, "snacks", "sunli", "late", "withdrawn", None),
    (39, "cases", "chenyu", "false_advertising", "full", 0),
    (35, "snacks", "linxue", "quality_defect", "mediated", 3),
    (30, "cases", "zhaolei", "counterfeit", "offer_taken", 1),
    (26, "snacks", "sunli", "not_delivered", "full", 2),
    (21, "cases", "chenyu", "late", "full", 1),
    (17, "snacks", "linxue", "not_as_described", "mediated", 2),
    (12, "cases", "zhaolei", "after_sales_refused", "withdrawn", None),
    (8, "snacks", "sunli", "quality_defect", "offer_taken", 1),
    # Counterfeit, found after the buyer confirmed and the shop was paid: the seller accepts
    # the price back and the damages the law gives, more than its balance holds, so the
    # guarantee fund advances the rest (先行赔付) and the shop owes it to the fund.
    (5, "cases", "chenyu", "counterfeit", "advance", 1),
]
PASSWORD = DEMO_PASSWORD
# Buyers of these shops, listed by `anxin demo --logins` (each files fewer complaints than a
# day's limit, counted over the whole demo since the history is written before the present).
BUYERS = [("chenyu", "陈宇"), ("linxue", "林雪"), ("zhaolei", "赵磊"), ("sunli", "孙丽")]


def _shops() -> dict[str, User]:
    shops: dict[str, User] = {}
    with days_ago(58):
        for key, shop, name, phone, wechat, region, title, price in SHOPS:
            seller = accounts.user_signup(
                username=f"seller-{key}",
                password=PASSWORD,
                role="seller",
                display_name=name,
                shop_name=shop,
                contact_phone=phone,
                wechat_id=wechat,
            )
            accounts.seller_profile_update(
                user=seller,
                shop_name=shop,
                contact_phone=phone,
                wechat_id=wechat,
                return_address=f"{ADDRESSES[region]} {name} 收 {phone}",
                address_region=region,
            )
            synthetic.verify(seller)
            catalog.listing_create(
                actor=seller,
                stock=100,
                content=catalog.ListingContent(
                    title=title,
                    description="现货，48 小时内发货。",
                    price_fen=price,
                    shipping_days=2,
                    return_policy="no_reason_7_days",
                    category="general",
                    images=[],
                ),
            )
            shops[key] = seller
    return shops


def _shipped(buyer: User, seller: User, n: int) -> str:
    """An order of the shop's listing, paid through the sandbox and shipped: its number."""
    provider = SandboxProvider()
    listing = Listing.objects.get(seller=seller)
    assert listing.current_snapshot_id is not None
    o = orders.order_create(
        buyer=buyer,
        listing_code=listing.code,
        snapshot_id=listing.current_snapshot_id,
        quantity=1,
        recipient_name=buyer.display_name,
        recipient_phone=f"1390001{n:04d}",
        shipping_address="浙江省杭州市西湖区文三路 100 号",
        idempotency_key=f"demo-figures-{n}",
    )
    p = orders.order_payment_start(actor=buyer, number=o.number)
    provider.buyer_pays(p.provider_payment_id)
    for row in SandboxNotification.objects.filter(delivered_at__isnull=True):
        provider.deliver(row.pk)
    orders.order_ship(
        actor=seller, number=o.number, carrier="顺丰速运", tracking_number=f"SF77{n:08d}"
    )
    return o.number


def _mediator(d: Dispute) -> User:
    d.refresh_from_db()
    assert d.mediator is not None
    return d.mediator


def build() -> None:
    shops = _shops()
    with days_ago(58):
        for username, name in BUYERS:
            accounts.user_signup(
                username=username, password=PASSWORD, role="buyer", display_name=name
            )
    counter = itertools.count(1)
    for ago, key, username, category, ending, answer_after in CASES:
        seller, buyer = shops[key], User.objects.get(username=username)
        with days_ago(ago):
            number = _shipped(buyer, seller, next(counter))
            claimed = _amount(number)
            if ending == "advance":
                orders.order_confirm(actor=buyer, number=number)
                claimed = 50000  # the price and CRPL 55's least damages, 500 yuan in all
            d = disputes.dispute_file(
                actor=buyer,
                number=number,
                category=category,
                claim="商品有问题，要求退款。",
                claimed_fen=claimed,
            )
            if ending == "withdrawn":
                disputes.dispute_withdraw(actor=buyer, number=d.number, reason="已和商家协商好")
                continue
        assert answer_after is not None
        with days_ago(ago - answer_after):
            if ending in ("full", "advance"):
                disputes.dispute_answer(
                    actor=seller, number=d.number, offer_fen=d.claimed_fen, text="抱歉，全额退款。"
                )
                continue
            disputes.dispute_answer(
                actor=seller, number=d.number, offer_fen=d.claimed_fen // 2, text="可退一半。"
            )
            if ending == "offer_taken":
                disputes.dispute_reply(actor=buyer, number=d.number, accept=True)
                continue
            disputes.dispute_reply(actor=buyer, number=d.number, accept=False, reason="要调解")
            mediator = _mediator(d)
            disputes.dispute_propose(
                actor=mediator,
                number=d.number,
                amount_fen=d.claimed_fen * 3 // 4,
                text="建议退还四分之三货款。",
            )
            disputes.dispute_respond(actor=buyer, number=d.number, accept=True)
            disputes.dispute_respond(actor=seller, number=d.number, accept=True)
    # The snack shop answers its figures in public.
    figures.reply_set(
        actor=shops["snacks"],
        text="促销期间订单集中，部分发货延迟，已增加仓库人手；有问题请直接联系客服，我们当天处理。",
    )
    # The demo wrote the older shops' addresses (demo_supervision) after their cases were filed,
    # straight to their profiles and not through the services: the figures are recomputed
    # from the cases once, as `anxin figures rebuild` does after a repair.
    figures.rebuild()


def _amount(number: str) -> int:
    from anxin.orders.models import Order

    return Order.objects.get(number=number).amount_fen
