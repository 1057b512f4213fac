"""anxin demo — a believable small world: five sellers (graded A to E, one blacklisted, one
closing), three buyers, staff, orders in every state, complaints at every step of the desk.
Runs through the real services and the sandbox provider, so the demo's money passes the ledger
audit like any other. Running it twice changes nothing."""

from __future__ import annotations

import base64
import datetime as dt
import io
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

DEMO_PASSWORD = "anxin-demo-2026"

SELLERS = [
    (
        "tea",
        "明前茶舍",
        "王春茶",
        "13800010001",
        "mingqian_tea",
        (46, 125, 50),
        [
            (
                "2026年明前西湖龙井 250克",
                "杭州西湖产区明前采摘，手工炒制，罐装密封。",
                "food",
                36800,
                2,
                40,
            ),
            ("安溪铁观音 清香型 500克", "兰花香，冲泡七次仍有余韵。", "food", 19800, 3, 25),
        ],
    ),
    (
        "beauty",
        "小美美妆",
        "李小美",
        "13800010002",
        "xiaomei_beauty",
        (216, 27, 96),
        [
            (
                "玻尿酸保湿精华 30毫升",
                "专柜同款，附中文标签与备案编号。",
                "cosmetics",
                12900,
                2,
                60,
            ),
        ],
    ),
    (
        "fruit",
        "果园直发",
        "赣南老陈",
        "13800010003",
        "gannan_orange",
        (245, 124, 0),
        [
            (
                "赣南脐橙 5公斤 礼盒装",
                "果园现摘现发，坏果包赔。生鲜不支持七天无理由退货。",
                "fresh_perishable",
                6990,
                1,
                200,
            ),
        ],
    ),
    (
        "formula",
        "宝贝奶粉代购",
        "周妈妈",
        "13800010004",
        "baobei_milk",
        (30, 136, 229),
        [
            ("婴幼儿配方奶粉 3段 800克", "国行正品，可查溯源码。", "food", 29800, 2, 30),
        ],
    ),
    (
        "shoes",
        "潮鞋折扣仓",
        "郑阿强",
        "13800010005",
        "chaoxie_outlet",
        (97, 97, 97),
        [("品牌跑步鞋 男款 42码", "工厂尾单，低至两折。", "apparel", 19900, 2, 80)],
    ),
]
BUYERS = [("zhangwei", "张伟"), ("lina", "李娜"), ("wangfang", "王芳")]
STAFF = [
    ("mediator", "mediator", "消协调解员 陈静"),
    ("adjudicator", "adjudicator", "裁决员 刘洋"),
    # An appeal is heard by three other adjudicators, drawn at random.
    ("adjudicator2", "adjudicator", "裁决员 王刚"),
    ("adjudicator3", "adjudicator", "裁决员 何莉"),
    ("adjudicator4", "adjudicator", "裁决员 郑凯"),
    ("regulator", "regulator", "市场监管局 赵敏"),
    ("operator", "operator", "平台运营 孙磊"),
]


def demo_totp_key(username: str) -> str:
    """The demo's TOTP secret of a staff account (hex, 20 bytes): fixed, so that a demo
    rebuilt anywhere gives the same codes, and printed by `anxin demo --logins`. A real
    operator enrols their own app at their first sign-in."""
    import hashlib

    return hashlib.sha1(f"anxin-demo-totp:{username}".encode(), usedforsecurity=False).hexdigest()


def enrol_demo_staff() -> None:
    """Operators and regulators sign in with a second factor: the demo enrols an app for each
    (idempotent), with the secret `--logins` prints and `--code NAME` turns into a code."""
    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from anxin.accounts.models import User

    for user in User.objects.filter(
        role__in=settings.ANXIN_2FA_ROLES, username__in=[s[0] for s in STAFF]
    ):
        TOTPDevice.objects.get_or_create(
            user=user,
            name="demo app",
            defaults={"key": demo_totp_key(user.username), "confirmed": True},
        )


def demo_logins() -> list[tuple[str, str, str]]:
    """Everyone the demo creates who can sign in: (username, role, the name shown). The
    statistics' two shops and their buyers (ops.demo_figures) with the first five shops and
    three buyers; the staff, among them the regulator's and the association's (the regulator
    and the mediator, ops.demo_supervision). The complainants are the demo's buyers."""
    from anxin.ops import demo_figures

    rows = [("seller-" + s[0], "seller", s[1]) for s in SELLERS]
    rows += [("seller-" + s[0], "seller", s[1]) for s in demo_figures.SHOPS]
    rows += [(b[0], "buyer", b[1]) for b in BUYERS]
    rows += [(b[0], "buyer", b[1]) for b in demo_figures.BUYERS]
    rows += [(s[0], s[1], s[2]) for s in STAFF]
    return rows


ADDRESSES = [
    "浙江省杭州市西湖区文三路 100 号",
    "上海市浦东新区世纪大道 200 号",
    "广东省深圳市南山区科技园 300 号",
]


def _picture(rgb: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 360), (250, 250, 247))
    d = ImageDraw.Draw(img)
    d.ellipse((140, 60, 340, 300), fill=rgb)
    d.rectangle((0, 320, 480, 360), fill=tuple(max(0, c - 40) for c in rgb))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


class Command(BaseCommand):
    help = "Create the demo world (idempotent). --logins prints the demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")
        parser.add_argument(
            "--code",
            metavar="USERNAME",
            help="only print the current two-step sign-in code of a demo operator or regulator",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins"]:
            self._print_logins()
            return
        if options["code"]:
            self._print_code(options["code"])
            return
        from anxin.accounts.models import User

        if User.objects.filter(username="operator").exists():
            # A demo built before staff signed in with two steps gets their apps now.
            enrol_demo_staff()
            self.stdout.write("demo data already present")
            return
        self._build()
        enrol_demo_staff()
        # The books audited once, so the operator's desk shows a result from the start (then
        # hourly, when a worker runs what `anxin deadlines` queues).
        from anxin.ops.audits import audit_recorded

        audit_recorded()
        self.stdout.write("demo data created")

    def _print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for username, role, name in demo_logins():
            self.stdout.write(f"  {username:<16} {role:<12} {name}")
        from django.conf import settings

        two_step = [s for s in STAFF if s[1] in settings.ANXIN_2FA_ROLES]
        if two_step:
            self.stdout.write(
                "Operators and regulators also give a code of their authenticator app. Add the "
                "key to an app (TOTP, 6 digits, 30 s), or print the current code with "
                "`anxin demo --code USERNAME`:"
            )
            for username, role, _name in two_step:
                key = base64.b32encode(bytes.fromhex(demo_totp_key(username))).decode()
                self.stdout.write(f"  {username:<16} {role:<12} key {key}")
        self.stdout.write(
            "Buyers can also sign up with a mobile number: the demo sends no text messages, "
            "it shows the codes at http://127.0.0.1:8000/sandbox/sms"
        )
        self.stdout.write("Open http://127.0.0.1:8000/ and log in.")

    def _print_code(self, username: str) -> None:
        from django.core.management.base import CommandError
        from django_otp.oath import TOTP
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(
            user__username=username, name="demo app", confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"{username}: not a demo account with an authenticator app")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")

    def _build(self) -> None:
        from anxin.accounts import services as accounts
        from anxin.accounts.models import User
        from anxin.bench import synthetic
        from anxin.catalog import services as catalog
        from anxin.ops.demo_desk import days_ago
        from anxin.payments.models import SandboxNotification
        from anxin.payments.providers.sandbox import SandboxProvider
        from anxin.sellers.services import LICENCE_FOR

        with transaction.atomic():
            with days_ago(60):
                # The world opened two months ago. Staff first: the operator reviews the sellers'
                # licences.
                for username, role, name in STAFF:
                    u = User(username=username, role=role, display_name=name)
                    u.set_password(DEMO_PASSWORD)
                    u.save()
                listings: dict[str, list] = {}
                for key, shop, name, phone, wechat, rgb, items in SELLERS:
                    seller = accounts.user_signup(
                        username=f"seller-{key}",
                        password=DEMO_PASSWORD,
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
                        return_address=(
                            f"杭州市西湖区文三路 {len(listings) + 1} 号 {name} 收 {phone}"
                        ),
                    )
                    # Verified, with a licence for each regulated category it sells.
                    needed = {LICENCE_FOR[c] for _, _, c, *_ in items if c in LICENCE_FOR}
                    synthetic.verify(seller, licences=tuple(sorted(needed)))
                    image = catalog.listing_image_upload(actor=seller, data=_picture(rgb))
                    listings[key] = []
                    for title, desc, cat, price, days, stock in items:
                        policy = (
                            "no_reason_excluded"
                            if cat == "fresh_perishable"
                            else "no_reason_7_days"
                        )
                        listings[key].append(
                            catalog.listing_create(
                                actor=seller,
                                stock=stock,
                                content=catalog.ListingContent(
                                    title=title,
                                    description=desc,
                                    price_fen=price,
                                    shipping_days=days,
                                    return_policy=policy,
                                    category=cat,
                                    images=[image.sha256],
                                ),
                            )
                        )
                buyers = [
                    accounts.user_signup(
                        username=u, password=DEMO_PASSWORD, role="buyer", display_name=n
                    )
                    for u, n in BUYERS
                ]
            # The tea seller edits the Longjing listing after the first sale: the first order
            # keeps the old snapshot, which the buyer can still see.
            self._orders(buyers, listings)
            self._closure(listings["formula"][0].seller)

        # Deliver what the sandbox sent and run the refunds the cancellations queued, as the
        # worker beside the server would.
        from anxin.core.worker import run_due_tasks

        provider = SandboxProvider()
        for row in SandboxNotification.objects.filter(delivered_at__isnull=True):
            provider.deliver(row.pk)
        run_due_tasks()
        for row in SandboxNotification.objects.filter(delivered_at__isnull=True):
            provider.deliver(row.pk)
        from anxin.reputation import credit

        credit.refresh()  # every seller's grade, as the nightly batch leaves it
        self._reconciliation(provider)

    def _closure(self, seller: Any) -> None:
        """The formula shop announces that it closes (ECL 16): its page shows the notice for
        the days the law asks, it trades until then, and its withdrawals stop."""
        from anxin.sellers.services import shop_closure_announce

        shop_closure_announce(
            actor=seller,
            reason="代购渠道调整，本店停止经营。已付款的订单会照常发货，售后不受影响。",
        )

    def _reconciliation(self, provider: Any) -> None:
        """Yesterday reconciled with the sandbox's bill, which has one payment that is no
        order of Anxin's (paid through the provider by mistake): the operator's alert."""
        from anxin.ops.demo_desk import days_ago
        from anxin.reconcile.services import beijing_today, reconcile_day

        with days_ago(1):
            stray = provider.create_payment(
                merchant_ref="AX-DEMO-STRAY",
                amount_fen=8800,
                description="demo",
                idempotency_key="demo-stray-payment",
            )
            provider.buyer_pays(stray.provider_payment_id)
        reconcile_day(beijing_today() - dt.timedelta(days=1))

    def _orders(self, buyers: list, listings: dict) -> None:
        from anxin.catalog import services as catalog
        from anxin.orders import services as orders
        from anxin.payments.models import SandboxNotification
        from anxin.payments.providers.sandbox import SandboxProvider

        provider = SandboxProvider()
        counter = iter(range(1000))

        def place(buyer, listing, qty=1):
            i = next(counter)
            listing.refresh_from_db()
            return orders.order_create(
                buyer=buyer,
                listing_code=listing.code,
                snapshot_id=listing.current_snapshot_id,
                quantity=qty,
                recipient_name=buyer.display_name,
                recipient_phone=f"1390000{i:04d}",
                shipping_address=ADDRESSES[i % len(ADDRESSES)],
                idempotency_key=f"demo-{i}",
            )

        def pay(order):
            p = orders.order_payment_start(actor=order.buyer, number=order.number)
            provider.buyer_pays(p.provider_payment_id)
            for row in SandboxNotification.objects.filter(delivered_at__isnull=True):
                provider.deliver(row.pk)
            order.refresh_from_db()
            return order

        def ship(order, carrier="顺丰速运", no=None):
            return orders.order_ship(
                actor=order.seller,
                number=order.number,
                carrier=carrier,
                tracking_number=no or f"SF{order.pk:010d}",
            )

        zhang, li, wang = buyers
        tea, oolong = listings["tea"]
        serum = listings["beauty"][0]
        oranges = listings["fruit"][0]
        formula = listings["formula"][0]

        done = pay(place(zhang, tea, 2))
        ship(done)
        orders.order_confirm(actor=zhang, number=done.number)
        seller = tea.seller
        snap = tea.current_snapshot
        catalog.listing_update(
            actor=seller,
            listing_id=tea.pk,
            content=catalog.ListingContent(
                title=snap.title,
                description=snap.description + " 新茶到货，数量有限。",
                price_fen=39800,
                shipping_days=snap.shipping_days,
                return_policy=snap.return_policy,
                category=snap.category,
                images=list(snap.images),
            ),
        )

        pay(place(li, serum))  # paid, to ship
        ship(pay(place(wang, oranges, 2)), carrier="京东物流", no="JD0012345678")  # shipped
        place(zhang, formula)  # awaiting payment
        o = pay(place(li, oolong))
        orders.order_cancel(actor=li, number=o.number, reason="买错了规格")  # cancelled, refunded
        o = place(wang, serum)
        orders.order_cancel(actor=wang, number=o.number, reason="不想要了")  # cancelled unpaid
        o = ship(pay(place(zhang, serum)), carrier="中通快递", no="ZT7788990011")
        orders.order_refund_request(actor=zhang, number=o.number, reason="收到的精华瓶身破损")
        o = ship(pay(place(li, formula)), carrier="EMS", no="EM123456789CN")
        orders.order_refund_request(actor=li, number=o.number, reason="奶粉罐凹陷")
        orders.order_refund_request_decide(
            actor=o.seller, number=o.number, approve=True, reason="同意退款，给您添麻烦了"
        )  # refunded
        o = pay(place(wang, tea))
        ship(o)
        orders.order_confirm(actor=wang, number=o.number)  # completed
        # Verified reviews of the two settled tea orders, one answered by the seller.
        from anxin.reputation import services as reviews

        reviews.review_create(
            actor=zhang,
            number=done.number,
            as_described=5,
            shipping=4,
            service=5,
            text="茶香清新，包装很用心。",
            # A photo of what arrived, stored as listing images are.
            photos=[catalog.listing_image_upload(actor=zhang, data=_picture((96, 150, 70))).sha256],
        )
        reviews.review_create(
            actor=wang, number=o.number, as_described=4, shipping=3, service=4, text="发货稍慢。"
        )
        reviews.review_reply(actor=seller, number=o.number, text="抱歉，春茶季订单多，已加派人手。")
        # The seller reports the slower-shipping review (a report the operator should not
        # uphold: a fair complaint is no ground for hiding), so the reviews desk has one.
        reviews.review_report(
            actor=seller,
            number=o.number,
            reason="unrelated",
            text="说的是快递公司的速度，与本店商品无关。",
        )
        self._history(place, pay, ship, buyers, listings)
        from anxin.ops import demo_desk as desk

        desk.payouts(seller=listings["tea"][1].seller)
        self._disputes(place, pay, ship, buyers, listings)
        from anxin.ops import demo_desk

        demo_desk.build(place=place, pay=pay, ship=ship, buyers=buyers, listings=listings)
        shoes = listings["shoes"][0]
        demo_desk.blacklist(
            seller=shoes.seller, listing=shoes, place=place, pay=pay, ship=ship, buyers=buyers
        )
        from anxin.ops import demo_supervision

        demo_supervision.build()

    def _history(self, place, pay, ship, buyers: list, listings: dict) -> None:
        """Records long enough for a credit grade (ANXIN_CREDIT_MIN_ORDERS paid orders in a
        year): repeat customers of four shops, shipped and confirmed. The orchard's score is
        lowered by the operator for a term, with a reason. With the complaints of the desk
        (demo_desk) and the blacklisted shoe shop, the five shops show grades A to E."""
        from django.conf import settings

        from anxin.accounts.models import User
        from anxin.orders import services as orders
        from anxin.reputation import credit

        oolong = listings["tea"][1]
        oranges = listings["fruit"][0]
        regulars = (oolong, oranges, listings["beauty"][0], listings["formula"][0])
        from anxin.ops.demo_desk import days_ago

        # Spread over the last four weeks, every other day, as regulars buy.
        for i in range(settings.ANXIN_CREDIT_MIN_ORDERS):
            with days_ago(2 * (settings.ANXIN_CREDIT_MIN_ORDERS - i) + 8):
                for listing in regulars:
                    o = ship(pay(place(buyers[i % len(buyers)], listing)))
                    orders.order_confirm(actor=o.buyer, number=o.number)
        credit.adjust(
            actor=User.objects.get(username="operator"),
            seller_id=oranges.seller_id,
            points=-250,
            reason="多笔订单的发货单号查无物流信息，已核实",
            days=90,
        )

    def _disputes(self, place, pay, ship, buyers: list, listings: dict) -> None:
        """Cases at the desk: one waiting for the seller, one in mediation (the mediator's
        queue), one settled and paid; and the platform's fee income put into the guarantee
        fund."""
        from anxin.accounts.models import User
        from anxin.disputes import services as disputes
        from anxin.ledger.services import fees_account
        from anxin.remedies.services import account_available, fund_allocate

        zhang, li, wang = buyers
        tea = listings["tea"][0]
        oranges = listings["fruit"][0]
        serum = listings["beauty"][0]
        operator = User.objects.get(username="operator")
        fees = account_available(fees_account())
        if fees:
            fund_allocate(actor=operator, amount_fen=fees, reason="首期保障金")
        o = ship(pay(place(li, oranges)), carrier="顺丰速运", no="SF9000000001")
        disputes.dispute_file(
            actor=li,
            number=o.number,
            category="not_delivered",
            claim="付款一周了，物流一直没有更新。",
            claimed_fen=o.amount_fen,
        )  # waiting for the seller
        o = ship(pay(place(wang, serum)), carrier="中通快递", no="ZT9000000002")
        d = disputes.dispute_file(
            actor=wang,
            number=o.number,
            category="not_as_described",
            claim="精华液的颜色和宣传图片完全不同，怀疑不是同一款。",
            claimed_fen=o.amount_fen,
        )
        disputes.dispute_answer(
            actor=o.seller,
            number=d.number,
            offer_fen=2000,
            text="批次不同颜色略有差异，可补偿20元。",
        )
        disputes.dispute_reply(
            actor=wang, number=d.number, accept=False, reason="不是颜色略有差异，是完全不同。"
        )  # mediation
        o = ship(pay(place(zhang, tea)), carrier="顺丰速运", no="SF9000000003")
        d = disputes.dispute_file(
            actor=zhang,
            number=o.number,
            category="quality_defect",
            claim="茶叶受潮结块，有霉味。",
            claimed_fen=o.amount_fen,
        )
        disputes.dispute_answer(
            actor=o.seller, number=d.number, offer_fen=o.amount_fen, text="非常抱歉，全额退款。"
        )  # paid
