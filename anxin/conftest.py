"""Shared fixtures: named personas, a movable clock, the sandbox provider, API clients."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from anxin.accounts.models import Role, SellerProfile, User
from anxin.accounts.services import api_token_create, user_signup
from anxin.catalog.models import Listing
from anxin.catalog.services import ListingContent, listing_create

# The S3-compatible server and a fresh bucket per test (anxin/core/tests/s3server.py).
from anxin.core.tests.s3server import s3_bucket, s3_media, s3_server  # noqa: F401

PASSWORD = "correct-horse-battery"
PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"
START = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _anxin_settings(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Deterministic provider: no random duplicates or delays unless a test asks for them.
    settings.ANXIN_SANDBOX_DUPLICATE_RATE = 0.0
    settings.ANXIN_SANDBOX_MAX_DELAY_SECONDS = 0
    settings.ANXIN_PLATFORM_FEE_BPS = 60
    settings.ANXIN_AUTO_CONFIRM_DAYS = 10
    # No reconciliation queued by the deadline runs of tests that are not about it.
    settings.ANXIN_RECONCILE_DAILY = False
    # Nor the hourly audit of the books (ops/tests/test_audits.py turns it on).
    settings.ANXIN_AUDIT_EVERY_MINUTES = 0
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    # Tests make many users; a fast hasher keeps the suite fast (production keeps PBKDF2).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Plain static names: the tests never run collectstatic, so the manifest storage would
    # find no manifest (settings.py, ANXIN_STATIC_MANIFEST; test_static.py collects its own).
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC}}


_client_login = Client._login


def _login_with_both_factors(self: Client, user: Any, backend: str | None = None) -> None:
    """The test client's login() and force_login() skip the sign-in page, its password and its
    throttle; for an operator or a regulator they skip the second factor too, as if it had
    been given with a confirmed app. Tests of two-step sign-in itself sign in through the
    pages (accounts/tests/test_two_factor.py), which this does not touch."""
    from django.conf import settings
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _client_login(self, user, backend)
    if user.role in settings.ANXIN_2FA_ROLES:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture(autouse=True)
def _client_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Client, "_login", _login_with_both_factors)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """The clock, stopped at START; tests move it with clock.shift() and never sleep."""
    with time_machine.travel(START, tick=False) as t:
        yield t


def verify_seller(seller: User, *, licences: tuple[str, ...] = ()) -> None:
    """A seller verified by real name (and licensed), as every seller must be to list goods."""
    from anxin.bench import synthetic

    synthetic.verify(seller, licences=licences)


def make_user(username: str, role: str, display_name: str = "", verified: bool = True) -> User:
    if role in (Role.BUYER, Role.SELLER):
        user = user_signup(
            username=username,
            password=PASSWORD,
            role=role,
            display_name=display_name or username,
            shop_name=f"{display_name or username}的小店",
            wechat_id=f"wx_{username}",
        )
        if role == Role.SELLER:
            # Where buyers send goods back: a seller must give one before approving a return.
            SellerProfile.objects.filter(user=user).update(
                return_address=f"杭州市西湖区文三路 1 号 {display_name or username} 收"
            )
        if role == Role.SELLER and verified:
            verify_seller(user)
        return user
    u = User(username=username, role=role, display_name=display_name or username)
    u.set_password(PASSWORD)
    u.save()
    return u


@pytest.fixture
def buyer(db: None) -> User:
    return make_user("zhangwei", Role.BUYER, "张伟")


@pytest.fixture
def other_buyer(db: None) -> User:
    return make_user("lina", Role.BUYER, "李娜")


@pytest.fixture
def seller(db: None) -> User:
    return make_user("tea-seller", Role.SELLER, "王春茶")


@pytest.fixture
def other_seller(db: None) -> User:
    return make_user("fruit-seller", Role.SELLER, "赣南老陈")


@pytest.fixture
def operator(db: None) -> User:
    return make_user("operator", Role.OPERATOR, "孙磊")


@pytest.fixture
def staff(db: None) -> dict[str, User]:
    return {
        r: make_user(f"staff-{r}", r) for r in (Role.MEDIATOR, Role.ADJUDICATOR, Role.REGULATOR)
    }


def make_listing(
    seller: User, *, price_fen: int = 12800, stock: int = 10, title: str = "明前西湖龙井 250克"
) -> Listing:
    return listing_create(
        actor=seller,
        stock=stock,
        content=ListingContent(
            title=title, description="手工炒制", price_fen=price_fen, shipping_days=2
        ),
    )


@pytest.fixture
def listing(seller: User) -> Listing:
    return make_listing(seller)


def place_order(buyer: User, listing: Listing, *, quantity: int = 1, key: str | None = None):
    from anxin.orders.services import order_create

    listing.refresh_from_db()
    return order_create(
        buyer=buyer,
        listing_code=listing.code,
        snapshot_id=listing.current_snapshot_id,
        quantity=quantity,
        recipient_name="张伟",
        recipient_phone="13900001111",
        shipping_address="杭州市西湖区文三路 100 号",
        idempotency_key=key or uuid.uuid4().hex,
    )


def deliver_all() -> int:
    """Run everything due in the task queue: notification deliveries, refunds, timers."""
    from anxin.core.worker import run_due_tasks

    return run_due_tasks()


def shipped(buyer: User, seller: User, listing: Listing, tracking: str = "SF1000000001"):
    """An order of the listing, paid, and shipped by the seller with this tracking number."""
    from anxin.orders.services import order_ship

    order = place_order(buyer, listing)
    pay(order)
    order_ship(actor=seller, number=order.number, carrier="顺丰速运", tracking_number=tracking)
    order.refresh_from_db()
    return order


def pay(order, *, succeed: bool = True, deliver: bool = True):
    """The buyer pays at the sandbox cashier; the provider's notification arrives."""
    from anxin.orders.services import order_payment_start
    from anxin.payments.providers.sandbox import SandboxProvider

    payment = order_payment_start(actor=order.buyer, number=order.number)
    SandboxProvider().buyer_pays(payment.provider_payment_id, succeed=succeed)
    if deliver:
        deliver_all()
    order.refresh_from_db()
    return payment


class Api:
    """A client of the JSON API that authenticates with a bearer token, as programs do."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _, token = api_token_create(user=user)
            self.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, body: Any = None, **headers: str):
        kwargs: dict[str, Any] = {"headers": {**self.headers, **headers}}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path: str, **h: str):
        return self._call("get", path, **h)

    def post(self, path: str, body: Any = None, **h: str):
        return self._call("post", path, body if body is not None else {}, **h)

    def patch(self, path: str, body: Any, **h: str):
        return self._call("patch", path, body, **h)

    def delete(self, path: str, **h: str):
        return self._call("delete", path, **h)


@pytest.fixture
def api() -> type[Api]:
    return Api


def child_env() -> dict[str, str]:
    """Environment for a child process that must use this test's database and keys."""
    import os

    from django.conf import settings
    from django.db import connection

    env = dict(os.environ)
    env["ANXIN_STATIC_MANIFEST"] = "0"  # as in-process (_anxin_settings): no collectstatic
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    else:
        env.pop("DATABASE_URL", None)
        env["ANXIN_SQLITE_PATH"] = str(s["NAME"])
    env["ANXIN_KEYS_DIR"] = str(settings.ANXIN_KEYS_DIR)
    env["ANXIN_SANDBOX_DUPLICATE_RATE"] = "0"
    env["ANXIN_SANDBOX_MAX_DELAY_SECONDS"] = "0"
    # A child behind TLS (ANXIN_HTTPS) is a production site: the SMS sandbox, allowed.
    env.setdefault("ANXIN_SMS_SANDBOX_ALLOWED", "1")
    env["DJANGO_SETTINGS_MODULE"] = "anxin.settings"
    env.pop("ANXIN_CRASH_AT", None)
    return env


def read_deadline(due: dt.datetime, short: bool = True) -> str:
    """A deadline as a person reads it in Beijing ("m-d H:i", or "Y-m-d H:i" when not
    `short`): one at midnight ends the day before, at 24:00 (Civil Code Art. 203)."""
    day = "%m-%d" if short else "%Y-%m-%d"
    local = due.astimezone(dt.timezone(dt.timedelta(hours=8)))
    if (local.hour, local.minute) == (0, 0):
        return f"{(local - dt.timedelta(days=1)).strftime(day)} 24:00"
    return local.strftime(f"{day} %H:%M")
