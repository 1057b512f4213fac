"""The phone-like sessions of `anxin bench http` (anxin/bench/http.py), run by locust in its
own process: plain Python, no Django. What it needs (the listings, the sellers' pages, the
session cookies of the buyers, sellers and staff) is in the JSON file named by
ANXIN_BENCH_HTTP_CONFIG, written by the bench.

A buyer's phone, one request at a time: the seller's public page, the listing's checkout page,
the checkout form (with its CSRF token), the order page, pay (to the sandbox cashier), pay at
the cashier, the order's status polled as the page polls it until the provider's notification
has landed, a message to the seller; the seller's phone then opens its to-do list and the
order and ships; the buyer confirms receipt, and some buyers then ask for a return or file a
complaint. Each completed lifecycle is counted as a request named "lifecycle done" (type
LIFECYCLE: its time is the whole lifecycle's, and it is not a page). A staff member's phone
works the queues: the desk, the complaints, the dashboard, a complaint's page.

Request names group the URLs by page ("order page", not one name per order)."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from typing import Any

import gevent
from locust import HttpUser, between, task
from locust.clients import HttpSession

CONFIG: dict[str, Any] = json.loads(
    open(os.environ["ANXIN_BENCH_HTTP_CONFIG"], encoding="utf-8").read()
)
THINK = tuple(CONFIG.get("think_seconds", (0.1, 0.3)))
POLL_SECONDS = float(CONFIG.get("poll_seconds", 0.5))
# This step's first buyer in the world: each step (a process of its own) has people of its own.
FIRST_BUYER = int(os.environ.get("ANXIN_BENCH_HTTP_FIRST_BUYER", "0"))
POLL_LIMIT = float(CONFIG.get("poll_limit_seconds", 30))
# Each lifecycle's number in its session: every 5th asks for a return, every 5th (another)
# files a complaint.
AFTERSALE_EVERY, COMPLAINT_EVERY = 5, 5

_buyers = itertools.count()
_staff = itertools.count()
_ORDER = re.compile(r"/orders/([A-Za-z0-9-]+)$")
_CASHIER = re.compile(r"/sandbox/pay/([^/?#]+)")
_DISPUTE = re.compile(r'href="(/disputes/[A-Za-z0-9-]+/)"')


def _field(html: str, name: str) -> str:
    m = re.search(rf'name="{name}"[^>]*?value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*?name="{name}"', html
    )
    if not m:
        raise ValueError(f"no {name} field")
    return m.group(1)


class _Failed(Exception):
    """A request failed (already recorded as a failed request): start anew. Anything else
    that goes wrong is recorded as a failed "lifecycle error" or "queues error"."""


class _Phone(HttpUser):
    abstract = True
    wait_time = between(*THINK)

    def _sign_in(self, client: Any, session: str) -> None:
        client.cookies.set(CONFIG["session_cookie"], session)
        client.headers["Accept-Language"] = "zh-hans"
        client.headers["User-Agent"] = "Mozilla/5.0 (iPhone; anxin bench http)"

    def think(self) -> None:
        gevent.sleep(random.uniform(*THINK))

    def _error(self, name: str, started: float, e: Exception) -> None:
        self.environment.events.request.fire(
            request_type="ERROR",
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=f"{type(e).__name__}: {e}",
            context={},
        )

    @staticmethod
    def csrf(client: Any) -> str:
        return str(client.cookies.get("csrftoken", ""))

    def get(self, client: Any, url: str, name: str, **kw: Any) -> Any:
        with client.get(url, name=name, catch_response=True, **kw) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
                raise _Failed
            if "/login/" in r.url:
                r.failure("signed out")
                raise _Failed
            if 'class="flash error' in r.text:
                r.failure(re.sub(r"<[^>]+>", "", r.text.split('class="flash error', 1)[1])[:200])
                raise _Failed
            r.success()
            return r

    def post(self, client: Any, url: str, name: str, data: dict[str, str], **kw: Any) -> Any:
        """A form posted; it answers with a redirect (or, from htmx, the part)."""
        data = {"csrfmiddlewaretoken": self.csrf(client), **data}
        expected = kw.pop("expected", 302)
        with client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True, **kw
        ) as r:
            if r.status_code != expected:
                r.failure(f"{r.status_code}")
                raise _Failed
            r.success()
            return r


class Buyer(_Phone):
    """A buyer's phone (and, for shipping, its seller's)."""

    weight = 10

    def on_start(self) -> None:
        i = FIRST_BUYER + next(_buyers)
        me = CONFIG["buyers"][i % len(CONFIG["buyers"])]
        self.shop = CONFIG["shops"][i % len(CONFIG["shops"])]
        self._sign_in(self.client, me)
        # The seller's phone: its own cookies.
        self.seller = HttpSession(self.host, self.environment.events.request, self)
        self._sign_in(self.seller, self.shop["session"])
        self.lifecycles = 0
        self.complaints = 0

    @task
    def lifecycle(self) -> None:
        started = time.perf_counter()
        try:
            self._lifecycle()
        except _Failed:
            return
        except Exception as e:  # a page not as expected: a failure, not a crash of the bench
            self._error("lifecycle error", started, e)
            return
        self.environment.events.request.fire(
            request_type="LIFECYCLE",
            name="lifecycle done",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=None,
            context={},
        )

    def _lifecycle(self) -> None:
        c, shop = self.client, self.shop
        self.lifecycles += 1
        n = self.lifecycles
        self.get(c, shop["public"], "seller page")
        self.think()
        page = self.get(c, shop["checkout"], "checkout page").text
        self.think()
        r = self.post(
            c,
            shop["checkout"],
            "checkout",
            {
                "snapshot_id": _field(page, "snapshot_id"),
                "idempotency_key": _field(page, "idempotency_key"),
                "quantity": "1",
                "recipient_name": "压测买家",
                "recipient_phone": "13900001111",
                "shipping_address": "浙江省杭州市西湖区文三路 1 号",
                "buyer_note": "",
            },
        )
        order = r.headers["Location"]
        number = _ORDER.search(order)
        if not number:
            raise ValueError(f"checkout went to {order}, not an order")
        self.get(c, order, "order page")
        self.think()
        r = self.post(c, f"{order}/pay", "pay", {})
        cashier = _CASHIER.search(r.headers["Location"])
        if not cashier:
            raise ValueError(f"pay went to {r.headers['Location']}, not the sandbox cashier")
        cashier_url = f"/sandbox/pay/{cashier.group(1)}"
        self.get(c, cashier_url, "cashier")
        self.think()
        r = self.post(c, cashier_url, "cashier pay", {"action": "pay"})
        self.get(c, f"{order}?paid=1", "order page")
        # The page polls its status block (htmx) until the payment lands.
        deadline = time.monotonic() + POLL_LIMIT
        while True:
            gevent.sleep(POLL_SECONDS)
            r = self.get(c, f"{order}/status", "order status", headers={"HX-Request": "true"})
            if r.headers.get("HX-Refresh") == "true":
                break
            if time.monotonic() > deadline:
                raise ValueError(f"the payment had not landed after {POLL_LIMIT:g} s")
        self.get(c, order, "order page")
        self.think()
        self.post(
            c,
            f"{order}/messages",
            "chat",
            {"text": "请尽快发货，谢谢！"},
            headers={"HX-Request": "true"},
            expected=200,
        )
        # The seller's phone: the to-do list, the order, shipped.
        s = self.seller
        todo = self.get(s, "/seller/", "seller to-do").text
        if f"/orders/{number.group(1)}" not in todo:
            raise ValueError("the paid order is not on the seller's to-do list")
        self.get(s, order, "order page (seller)")
        self.post(
            s,
            f"{order}/ship",
            "ship",
            {"carrier": "顺丰速运", "tracking_number": f"SF{random.randrange(10**11):011d}"},
        )
        self.think()
        self.get(c, order, "order page")
        self.post(c, f"{order}/confirm", "confirm", {})
        self.get(c, order, "order page")
        if n % AFTERSALE_EVERY == 1:
            self.think()
            self.post(
                c,
                f"{order}/aftersale-request",
                "after-sales request",
                {"kind": "no_reason_return", "reason": "不合适", "item_condition": "intact"},
            )
            self.get(c, order, "order page")
        elif n % COMPLAINT_EVERY == 3 and self.complaints < CONFIG["complaints_per_day"]:
            self.complaints += 1
            self.think()
            new = f"/disputes/new/?order={number.group(1)}"
            self.get(c, new, "complaint form")
            r = self.post(
                c,
                new,
                "complaint",
                {
                    "order": number.group(1),
                    "category": "quality_defect",
                    "claim": "收到的茶叶受潮，要求退款。",
                    "claimed": "10",
                },
            )
            self.get(c, r.headers["Location"], "complaint page")


class Staff(_Phone):
    """A staff member's phone working the queues."""

    fixed_count = 1

    def on_start(self) -> None:
        self._sign_in(self.client, CONFIG["staff"][next(_staff) % len(CONFIG["staff"])])

    @task
    def queues(self) -> None:
        c = self.client
        started = time.perf_counter()
        try:
            desk = self.get(c, "/desk/", "desk").text
            self.think()
            self.get(c, "/disputes/", "complaints")
            self.think()
            cases = _DISPUTE.findall(desk)
            if cases:
                self.get(c, random.choice(cases), "complaint page")
                self.think()
            self.get(c, "/desk/dashboard", "dashboard")
        except _Failed:
            return
        except Exception as e:
            self._error("queues error", started, e)
