"""Seller verification: identity checks that name what failed, identity data sealed at rest
and found by keyed hash, re-verification timers, licences for regulated goods, the
registration duty across shops, and disclosure only to those entitled, every time logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from anxin.accounts.models import Role
from anxin.conftest import make_user
from anxin.core.errors import Conflict, Forbidden, ValidationFailed
from anxin.evidence.models import Record
from anxin.sellers import identity, services
from anxin.sellers.models import Disclosure, Level, Status, Verification

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(db: None):
    """A seller who has not verified yet (the shared fixture's seller is verified)."""
    return make_user("seller-new", Role.SELLER, verified=False)


@pytest.fixture
def other_seller(db: None):
    return make_user("seller-new2", Role.SELLER, verified=False)


GOOD_ID = "110101199003071233"
OTHER_ID = "440305198512124565"
GOOD_USCC = "91110000600037341L"


def pdf(name: str = "licence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n%test\n", content_type="application/pdf")


def verify_individual(seller, number: str = GOOD_ID):
    return services.seller_verify(
        actor=seller,
        kind="individual",
        name="王春茶",
        number=number,
        address="杭州市西湖区龙井路 1 号",
        contact="13900002222",
    )


@pytest.mark.parametrize(
    ("number", "check"),
    [
        ("11010119900307123", "18 characters"),
        ("11010119900307123A", "first 17 characters must be digits"),
        ("110101199013071233", "not a valid birth date"),  # month 13
        ("110101209903071233", "not possible"),  # born in the future
        ("990101199003071233", "not a region code"),
        ("110101199003071234", "check digit is wrong"),
    ],
)
def test_resident_id_refusals_name_the_check_that_failed(number, check) -> None:
    with pytest.raises(ValidationFailed, match=check):
        identity.resident_id(number, today=dt.date(2026, 11, 24))


def test_valid_numbers_pass_and_are_shown_masked() -> None:
    assert identity.resident_id("11010119900307123" + "3") == GOOD_ID
    assert identity.resident_id("11010119900307109x") == "11010119900307109X"  # lower-case x
    assert identity.credit_code("91110000600037341l") == GOOD_USCC
    assert identity.masked(GOOD_ID) == "1101************33"
    with pytest.raises(ValidationFailed, match="check character"):
        identity.credit_code("91110000600037341M")
    with pytest.raises(ValidationFailed, match="18 characters"):
        identity.credit_code("9111000060003734")


def test_identity_is_sealed_at_rest_and_found_by_keyed_hash(seller, other_seller) -> None:
    v = verify_individual(seller)
    assert v.number_masked == "1101************33"
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM sellers_verification")
        row = repr(cur.fetchall())
    assert GOOD_ID not in row
    assert "王春茶" not in row
    assert "13900002222" not in row
    # The same person's second shop has the same index; another person does not.
    second = verify_individual(other_seller)
    assert second.number_index == v.number_index
    third = make_user("seller3", Role.SELLER, verified=False)
    assert verify_individual(third, OTHER_ID).number_index != v.number_index
    assert services.seller_level(seller) == Level.IDENTITY
    record = Record.objects.filter(chain=f"seller:{seller.pk}", kind="seller.verified").get()
    assert GOOD_ID not in record.body
    assert v.number_masked in record.body


def verify_business(seller, licence_file=None):
    return services.seller_verify(
        actor=seller,
        kind="business",
        name="杭州春茶有限公司",
        number=GOOD_USCC,
        address="杭州",
        contact="13900002222",
        licence_file=licence_file,
    )


def test_businesses_need_their_licence_document(seller) -> None:
    with pytest.raises(ValidationFailed, match="licence_file"):
        verify_business(seller)
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90", content_type="application/pdf")
    with pytest.raises(ValidationFailed, match="JPEG, PNG or PDF"):
        verify_business(seller, fake)
    v = verify_business(seller, pdf())
    assert len(v.licence_sha256) == 64
    assert services.seller_level(seller) == Level.BUSINESS


def test_reverification_is_reminded_then_lapses_and_blocks_orders(clock, seller) -> None:
    v = verify_individual(seller)
    assert services.seller_reverify_remind(seller_id=seller.pk) == "not yet"
    clock.move_to(v.reverify_by - dt.timedelta(days=3))
    assert services.seller_reverify_remind(seller_id=seller.pk) == "reminded"
    assert services.seller_reverify_remind(seller_id=seller.pk) == "already reminded"
    assert services.seller_verification_lapse(seller_id=seller.pk) == "not due"
    services.seller_check_can_take_orders(seller.pk)  # still fine
    clock.move_to(v.reverify_by)
    assert services.seller_deadlines_run() == {"sellers_lapsed": 1}
    assert Verification.objects.get(seller=seller).status == Status.LAPSED
    with pytest.raises(Forbidden, match="overdue"):
        services.seller_check_can_take_orders(seller.pk)
    with pytest.raises(Forbidden, match="overdue"):
        services.seller_check_can_list(seller, "general")
    assert services.seller_level(seller) == Level.NONE
    verify_individual(seller)  # re-verified: selling again
    services.seller_check_can_take_orders(seller.pk)
    assert (v.reverify_by.date() - v.verified_at.date()).days in range(181, 186)


def test_regulated_categories_need_an_active_licence(clock, seller, operator) -> None:
    with pytest.raises(Forbidden, match="verify your identity"):
        services.seller_check_can_list(seller, "general")
    verify_individual(seller)
    services.seller_check_can_list(seller, "general")
    with pytest.raises(Forbidden, match="food business licence"):
        services.seller_check_can_list(seller, "food")
    lic = services.licence_submit(
        actor=seller,
        kind="food_business",
        number="JY13301060012345",
        valid_until=dt.date(2030, 1, 1),
        document=pdf(),
    )
    with pytest.raises(Conflict):
        services.licence_submit(
            actor=seller,
            kind="food_business",
            number="JY13301060012345",
            valid_until=dt.date(2030, 1, 1),
            document=pdf(),
        )
    with pytest.raises(Forbidden):  # still pending
        services.seller_check_can_list(seller, "food")
    with pytest.raises(Forbidden):
        services.licence_review(actor=seller, licence_id=lic.pk, approve=True)
    with pytest.raises(ValidationFailed, match="reason"):
        services.licence_review(actor=operator, licence_id=lic.pk, approve=False)
    services.licence_review(actor=operator, licence_id=lic.pk, approve=True)
    services.seller_check_can_list(seller, "food")
    assert services.seller_level(seller) == Level.LICENSED
    with pytest.raises(ValidationFailed, match="still be valid"):
        services.licence_submit(
            actor=seller,
            kind="medical_device",
            number="X1",
            valid_until=dt.date(2020, 1, 1),
            document=pdf(),
        )


def test_registration_duty_adds_sales_across_the_same_persons_shops(
    clock, seller, other_seller, buyer
) -> None:
    from anxin.orders.models import Order

    verify_individual(seller)
    verify_individual(other_seller)  # a second shop of the same person
    [d] = services.seller_registration_duty(seller)
    assert d["outcome"] == "registration_exempt"
    # Sales of 60,000 yuan in each shop: 120,000 together, over the 100,000 threshold.
    from anxin.conftest import make_listing, pay, place_order
    from anxin.orders import services as orders

    for s in (seller, other_seller):
        listing = make_listing(s, price_fen=6_000_000)
        o = place_order(buyer, listing)
        pay(o)
        orders.order_ship(
            actor=s, number=o.number, carrier="顺丰", tracking_number=f"SF40{s.pk:08d}"
        )
        orders.order_confirm(actor=buyer, number=o.number)
    assert Order.objects.filter(status="completed").count() == 2
    [d] = services.seller_registration_duty(seller)
    assert d["outcome"] == "registration_required"
    assert any(c["statute"] == "OTSM" and c["article"] == 8 for c in d["citations"])


def test_identity_goes_only_to_the_entitled_and_every_disclosure_is_logged(
    seller, buyer, other_buyer, operator, staff
) -> None:
    from anxin.conftest import make_listing, pay, place_order

    verify_individual(seller)
    order = place_order(buyer, make_listing(seller))
    pay(order)
    with pytest.raises(Forbidden):
        services.seller_identity_disclose(
            actor=other_buyer, seller_id=seller.pk, reference=order.number
        )
    with pytest.raises(Forbidden):
        services.seller_identity_disclose(actor=buyer, seller_id=seller.pk, reference="AX-not-mine")
    got = services.seller_identity_disclose(
        actor=buyer, seller_id=seller.pk, reference=order.number
    )
    assert got["name"] == "王春茶"
    assert got["contact"] == "13900002222"
    assert got["number"] == "1101************33"  # a buyer gets no full number
    regulator = staff[Role.REGULATOR]
    assert (
        services.seller_identity_disclose(actor=regulator, seller_id=seller.pk)["number"] == GOOD_ID
    )
    log = list(Disclosure.objects.order_by("pk").values_list("to_id", "basis", "reference"))
    assert log == [(buyer.pk, "crpl_44", order.number), (regulator.pk, "regulator", "")]
    assert Record.objects.filter(chain=f"seller:{seller.pk}", kind="seller.disclosed").count() == 2


def test_unverified_or_lapsed_sellers_neither_list_nor_take_orders(clock, seller, buyer) -> None:
    from anxin.catalog.services import ListingContent, listing_create
    from anxin.conftest import make_listing, place_order

    content = ListingContent(title="茶", description="", price_fen=100, shipping_days=1)
    with pytest.raises(Forbidden) as e:
        listing_create(actor=seller, content=content, stock=1)
    assert e.value.code == "not_verified"
    v = verify_individual(seller)
    listing = make_listing(seller)
    place_order(buyer, listing)  # verified: takes orders
    clock.move_to(v.reverify_by)
    services.seller_verification_lapse(seller_id=seller.pk)
    with pytest.raises(Forbidden) as e:
        place_order(buyer, listing)
    assert e.value.code == "seller_lapsed"
    with pytest.raises(Forbidden) as e:
        listing_create(actor=seller, content=content, stock=1)
    assert e.value.code == "verification_lapsed"


def test_identity_goes_only_to_a_harmed_buyer_and_each_refusal_says_why(
    clock, seller, buyer, api
) -> None:
    """CRPL Art. 44: a buyer who paid (and did not cancel before shipment), or whose case
    Anxin admitted. An unpaid or cancelled order, or a complaint the buyer filed itself about
    a sale elsewhere, is no ground: that was how any sign-up could read a seller's address."""
    from anxin.conftest import make_listing, pay, place_order
    from anxin.disputes import deadlines as dispute_deadlines
    from anxin.disputes import services as disputes
    from anxin.disputes.tests.helpers import desk
    from anxin.disputes.tests.test_owed_once import outside
    from anxin.orders import services as orders

    verify_individual(seller)
    listing = make_listing(seller)
    client = api(buyer)

    def ask(reference: str):
        return client.get(f"/sellers/{seller.pk}/identity?reference={reference}")

    unpaid = place_order(buyer, listing)
    r = ask(unpaid.number)
    assert r.status_code == 403
    assert r.json()["code"] == "order_not_paid"
    cancelled = place_order(buyer, listing)
    pay(cancelled)
    orders.order_cancel(actor=buyer, number=cancelled.number, reason="不要了")
    r = ask(cancelled.number)
    assert r.status_code == 403
    assert r.json()["code"] == "order_cancelled"
    case = outside(buyer, seller, category="not_delivered", claimed_fen=9900)
    r = ask(case.number)
    assert r.status_code == 403
    assert r.json()["code"] == "case_not_admitted"
    r = ask("AX-nothing")
    assert r.status_code == 403
    assert r.json()["code"] == "not_entitled"
    assert not Disclosure.objects.exists()
    # Admitted by the mediator: now the buyer is entitled, and the disclosure is logged.
    people = desk()
    clock.move_to(case.due_at)
    dispute_deadlines.dispute_deadline(dispute_id=case.pk)
    disputes.dispute_admit(actor=people["mediator"], number=case.number, reason="转账记录相符")
    r = ask(case.number)
    assert r.status_code == 200
    assert r.json()["name"] == "王春茶"
    paid = place_order(buyer, listing)
    pay(paid)
    assert ask(paid.number).status_code == 200
    assert Disclosure.objects.filter(to=buyer).count() == 2
