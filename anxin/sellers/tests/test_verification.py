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
from anxin.sellers import identity, reverification, services
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
    # When a resident ID number with one fault is checked
    # Then the refusal names the check that failed
    with pytest.raises(ValidationFailed, match=check):
        identity.resident_id(number, today=dt.date(2026, 11, 24))


def test_valid_numbers_pass_and_are_shown_masked() -> None:
    # Then valid numbers pass, normalised, and an ID number is shown masked
    assert identity.resident_id("11010119900307123" + "3") == GOOD_ID
    assert identity.resident_id("11010119900307109x") == "11010119900307109X"  # lower-case x
    assert identity.credit_code("91110000600037341l") == GOOD_USCC
    assert identity.masked(GOOD_ID) == "1101************33"
    # And a credit code with a wrong check character or length is refused, saying which
    with pytest.raises(ValidationFailed, match="check character"):
        identity.credit_code("91110000600037341M")
    with pytest.raises(ValidationFailed, match="18 characters"):
        identity.credit_code("9111000060003734")


def test_identity_is_sealed_at_rest_and_found_by_keyed_hash(seller, other_seller) -> None:
    # When a seller verifies as an individual
    v = verify_individual(seller)
    # Then her number shows masked, and her stored row holds no number, name or contact in clear
    assert v.number_masked == "1101************33"
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM sellers_verification")
        row = repr(cur.fetchall())
    assert GOOD_ID not in row
    assert "王春茶" not in row
    assert "13900002222" not in row
    # When the same person verifies a second shop
    second = verify_individual(other_seller)
    # Then it has the same index
    assert second.number_index == v.number_index
    # When another person verifies a third shop
    third = make_user("seller3", Role.SELLER, verified=False)
    # Then its index differs
    assert verify_individual(third, OTHER_ID).number_index != v.number_index
    # And the seller is at identity level, and her evidence chain has only the masked number
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
    # Given a seller who has not verified
    # When she verifies a business without its licence document
    # Then it is refused, naming the document
    with pytest.raises(ValidationFailed, match="licence_file"):
        verify_business(seller)
    # When the document is an executable named as a PDF
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90", content_type="application/pdf")
    # Then it is refused as not a JPEG, PNG or PDF
    with pytest.raises(ValidationFailed, match="JPEG, PNG or PDF"):
        verify_business(seller, fake)
    # When it is a real PDF
    v = verify_business(seller, pdf())
    # Then it is kept by its hash, and the seller is at business level
    assert len(v.licence_sha256) == 64
    assert services.seller_level(seller) == Level.BUSINESS


def test_reverification_is_reminded_then_lapses_and_blocks_orders(clock, seller) -> None:
    # Given a seller who verified as an individual
    v = verify_individual(seller)
    # When the reminder runs before it is due
    # Then it says not yet
    assert reverification.seller_reverify_remind(seller_id=seller.pk) == "not yet"
    # When it runs three days before re-verification is due
    clock.move_to(v.reverify_by - dt.timedelta(days=3))
    # Then it reminds her once; her verification does not lapse yet, and she still takes orders
    assert reverification.seller_reverify_remind(seller_id=seller.pk) == "reminded"
    assert reverification.seller_reverify_remind(seller_id=seller.pk) == "already reminded"
    assert reverification.seller_verification_lapse(seller_id=seller.pk) == "not due"
    services.seller_check_can_take_orders(seller.pk)  # still fine
    # When the re-verification date comes and the deadlines run
    clock.move_to(v.reverify_by)
    # Then her verification lapses: she may neither take orders nor list, and has no level
    assert reverification.seller_deadlines_run() == {"sellers_lapsed": 1}
    assert Verification.objects.get(seller=seller).status == Status.LAPSED
    with pytest.raises(Forbidden, match="overdue"):
        services.seller_check_can_take_orders(seller.pk)
    with pytest.raises(Forbidden, match="overdue"):
        services.seller_check_can_list(seller, "general")
    assert services.seller_level(seller) == Level.NONE
    # When she verifies again
    verify_individual(seller)  # re-verified: selling again
    # Then she takes orders again
    services.seller_check_can_take_orders(seller.pk)
    # And re-verification was due about half a year after verifying
    assert (v.reverify_by.date() - v.verified_at.date()).days in range(181, 186)


def test_regulated_categories_need_an_active_licence(clock, seller, operator) -> None:
    # Given a seller who has not verified
    # When she lists general goods
    # Then she is told to verify her identity
    with pytest.raises(Forbidden, match="verify your identity"):
        services.seller_check_can_list(seller, "general")
    # When she verifies
    verify_individual(seller)
    # Then she may list general goods, but not food without a food business licence
    services.seller_check_can_list(seller, "general")
    with pytest.raises(Forbidden, match="food business licence"):
        services.seller_check_can_list(seller, "food")
    # When she submits a food licence
    lic = services.licence_submit(
        actor=seller,
        kind="food_business",
        number="JY13301060012345",
        valid_until=dt.date(2030, 1, 1),
        document=pdf(),
    )
    # Then the same licence again is a conflict, and while it is pending she may not list food
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
    # And she may not review her own licence, nor the operator reject it without a reason
    with pytest.raises(Forbidden):
        services.licence_review(actor=seller, licence_id=lic.pk, approve=True)
    with pytest.raises(ValidationFailed, match="reason"):
        services.licence_review(actor=operator, licence_id=lic.pk, approve=False)
    # When the operator approves it
    services.licence_review(actor=operator, licence_id=lic.pk, approve=True)
    # Then she may list food, at the licensed level
    services.seller_check_can_list(seller, "food")
    assert services.seller_level(seller) == Level.LICENSED
    # And a licence that has already expired is refused
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

    # Given one person's two shops, each verified
    verify_individual(seller)
    verify_individual(other_seller)  # a second shop of the same person
    # When the first shop's registration duty is worked out
    [d] = services.seller_registration_duty(seller)
    # Then it is exempt
    assert d["outcome"] == "registration_exempt"
    # When each shop completes a sale of 60,000 yuan: 120,000 together, over the 100,000 threshold
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
    # Then, both sales completed, the first shop must register, citing OTSM article 8
    assert Order.objects.filter(status="completed").count() == 2
    [d] = services.seller_registration_duty(seller)
    assert d["outcome"] == "registration_required"
    assert any(c["statute"] == "OTSM" and c["article"] == 8 for c in d["citations"])


def test_identity_goes_only_to_the_entitled_and_every_disclosure_is_logged(
    seller, buyer, other_buyer, operator, staff
) -> None:
    from anxin.conftest import make_listing, pay, place_order

    # Given a verified seller, and a paid order from a buyer
    verify_individual(seller)
    order = place_order(buyer, make_listing(seller))
    pay(order)
    # When another buyer asks for the seller's identity citing that order, or the buyer cites
    # an order that is not hers
    # Then each is refused
    with pytest.raises(Forbidden):
        services.seller_identity_disclose(
            actor=other_buyer, seller_id=seller.pk, reference=order.number
        )
    with pytest.raises(Forbidden):
        services.seller_identity_disclose(actor=buyer, seller_id=seller.pk, reference="AX-not-mine")
    # When the buyer asks citing her order
    got = services.seller_identity_disclose(
        actor=buyer, seller_id=seller.pk, reference=order.number
    )
    # Then she gets the name and contact, but the number masked
    assert got["name"] == "王春茶"
    assert got["contact"] == "13900002222"
    assert got["number"] == "1101************33"  # a buyer gets no full number
    # When a regulator asks
    regulator = staff[Role.REGULATOR]
    # Then she gets the full number
    assert (
        services.seller_identity_disclose(actor=regulator, seller_id=seller.pk)["number"] == GOOD_ID
    )
    # And each disclosure is logged, and recorded in the seller's evidence chain
    log = list(Disclosure.objects.order_by("pk").values_list("to_id", "basis", "reference"))
    assert log == [(buyer.pk, "crpl_44", order.number), (regulator.pk, "regulator", "")]
    assert Record.objects.filter(chain=f"seller:{seller.pk}", kind="seller.disclosed").count() == 2


def test_unverified_or_lapsed_sellers_neither_list_nor_take_orders(clock, seller, buyer) -> None:
    from anxin.catalog.services import ListingContent, listing_create
    from anxin.conftest import make_listing, place_order

    # Given a seller who has not verified
    content = ListingContent(title="茶", description="", price_fen=100, shipping_days=1)
    # When she lists goods
    with pytest.raises(Forbidden) as e:
        listing_create(actor=seller, content=content, stock=1)
    # Then she is told to verify
    assert e.value.code == "not_verified"
    # When she verifies and lists goods
    v = verify_individual(seller)
    listing = make_listing(seller)
    # Then a buyer may order them
    place_order(buyer, listing)  # verified: takes orders
    # When her verification lapses
    clock.move_to(v.reverify_by)
    reverification.seller_verification_lapse(seller_id=seller.pk)
    # Then a buyer may not order and she may not list, each refusal saying why
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

    # Given a verified seller's listing, and a buyer asking for the seller's identity
    verify_individual(seller)
    listing = make_listing(seller)
    client = api(buyer)

    def ask(reference: str):
        return client.get(f"/sellers/{seller.pk}/identity?reference={reference}")

    # When the buyer cites an unpaid order
    unpaid = place_order(buyer, listing)
    r = ask(unpaid.number)
    # Then she is refused, told it is not paid
    assert r.status_code == 403
    assert r.json()["code"] == "order_not_paid"
    # When she cites an order she paid and then cancelled
    cancelled = place_order(buyer, listing)
    pay(cancelled)
    orders.order_cancel(actor=buyer, number=cancelled.number, reason="不要了")
    r = ask(cancelled.number)
    # Then she is refused, told it was cancelled
    assert r.status_code == 403
    assert r.json()["code"] == "order_cancelled"
    # When she cites her complaint about a sale elsewhere, not yet admitted
    case = outside(buyer, seller, category="not_delivered", claimed_fen=9900)
    r = ask(case.number)
    # Then she is refused, told the case is not admitted
    assert r.status_code == 403
    assert r.json()["code"] == "case_not_admitted"
    # When she cites something that is not hers
    r = ask("AX-nothing")
    # Then she is refused as not entitled, and nothing was disclosed
    assert r.status_code == 403
    assert r.json()["code"] == "not_entitled"
    assert not Disclosure.objects.exists()
    # When the mediator admits the case
    people = desk()
    clock.move_to(case.due_at)
    dispute_deadlines.dispute_deadline(dispute_id=case.pk)
    disputes.dispute_admit(actor=people["mediator"], number=case.number, reason="转账记录相符")
    r = ask(case.number)
    # Then the buyer is entitled, and gets the seller's name
    assert r.status_code == 200
    assert r.json()["name"] == "王春茶"
    # When she cites an order she paid
    paid = place_order(buyer, listing)
    pay(paid)
    # Then she is entitled too, and both disclosures are logged
    assert ask(paid.number).status_code == 200
    assert Disclosure.objects.filter(to=buyer).count() == 2
