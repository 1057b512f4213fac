"""Reviews as shoppers expect them: stars (shown and tapped), the item and date, up to three
photos checked and stored as listing images are and committed to the order's evidence chain,
and reports of a review that the operator's desk lists first and hiding closes."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from anxin.catalog import services as catalog
from anxin.catalog.models import ListingImage
from anxin.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anxin.evidence import record as rec
from anxin.evidence.models import Record
from anxin.orders.events import order_chain
from anxin.reputation import services
from anxin.reputation.models import Review, ReviewReport
from anxin.reputation.tests.test_reviews import settled, stars

pytestmark = pytest.mark.django_db


def png(rgb: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), rgb).save(buf, "PNG")
    return buf.getvalue()


def photo(user, rgb=(200, 30, 30)) -> str:
    return catalog.listing_image_upload(actor=user, data=png(rgb)).sha256


def client_for(user=None, lang: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        c.force_login(user)
    return c


def flash(page: str, kind: str) -> str:
    m = re.search(rf'<p class="flash {kind}"[^>]*>(.*?)</p>', page, re.S)
    return m.group(1) if m else ""


# --- services: stars, photos, evidence --------------------------------------------------


@pytest.mark.parametrize("bad", [0, 6, 2.5, "4", True, None])
def test_each_rating_must_be_a_whole_number_of_stars_from_1_to_5(buyer, seller, bad) -> None:
    # Given a settled order
    order = settled(buyer, seller)
    # When its buyer rates shipping with something that is not 1 to 5 whole stars
    # Then she is refused naming the field, and there is no review
    with pytest.raises(ValidationFailed, match="shipping"):
        services.review_create(actor=buyer, number=order.number, **stars(shipping=bad))
    assert not Review.objects.exists()


def test_a_review_takes_at_most_three_photos_and_only_the_buyers_own(
    buyer, other_buyer, seller
) -> None:
    # Given a settled order, four photos its buyer uploaded and one another buyer did
    order = settled(buyer, seller)
    mine = [photo(buyer, (i * 40, 10, 10)) for i in range(4)]
    theirs = photo(other_buyer, (1, 2, 3))
    # When she reviews with four photos, with the other buyer's photo, or with a non-list
    # Then each is refused naming the photos, and there is no review
    with pytest.raises(ValidationFailed, match="at most 3"):
        services.review_create(actor=buyer, number=order.number, photos=mine, **stars())
    with pytest.raises(ValidationFailed, match="photos"):
        services.review_create(actor=buyer, number=order.number, photos=[theirs], **stars())
    with pytest.raises(ValidationFailed, match="photos"):
        services.review_create(actor=buyer, number=order.number, photos=mine[0], **stars())
    assert not Review.objects.exists()
    # When she reviews with three of her own
    r = services.review_create(actor=buyer, number=order.number, photos=mine[:3], **stars())
    # Then the review carries them in her order
    assert r.photos == mine[:3]


def test_the_reviews_evidence_record_commits_to_its_photos_sha256(buyer, seller) -> None:
    # Given a settled order and a photo its buyer uploaded
    order = settled(buyer, seller)
    sha = photo(buyer)
    # When she reviews it with the photo
    services.review_create(actor=buyer, number=order.number, photos=[sha], **stars())
    # Then the review's record on the order's chain holds the photo's SHA-256, and its
    # commitment (what the log holds) is over that body: another photo would not match it
    record = Record.objects.filter(chain=order_chain(order), kind="order.reviewed").get()
    body = json.loads(record.body)
    assert body["photos"] == [sha]
    assert bytes(record.commitment) == rec.seal(body, bytes(record.salt))[1]
    forged = {**body, "photos": ["0" * 64]}
    assert bytes(record.commitment) != rec.seal(forged, bytes(record.salt))[1]


# --- services: reports ------------------------------------------------------------------


def test_a_buyer_or_seller_reports_a_review_once_but_not_its_author_nor_staff(
    buyer, other_buyer, seller, other_seller, operator
) -> None:
    # Given a review
    order = settled(buyer, seller)
    services.review_create(actor=buyer, number=order.number, text="差", **stars(service=1))
    n = order.number
    # When its author or the operator reports it
    # Then each is refused
    for who in (buyer, operator):
        with pytest.raises(Forbidden) as e:
            services.review_report(actor=who, number=n, reason="abuse", text="辱骂")
        assert e.value.code == "may_not_report"
    # When another buyer reports it with a reason not on the list, or with no text
    # Then each is refused naming the field
    with pytest.raises(ValidationFailed, match="reason"):
        services.review_report(actor=other_buyer, number=n, reason="negative", text="差评")
    with pytest.raises(ValidationFailed, match="text"):
        services.review_report(actor=other_buyer, number=n, reason="abuse", text="  ")
    # When another buyer, the order's seller and another seller report it, then the other
    # buyer again
    for who in (other_buyer, seller, other_seller):
        services.review_report(actor=who, number=n, reason="abuse", text="含辱骂")
    # Then the three reports are kept and the second one by the same person is refused
    with pytest.raises(Conflict) as e:
        services.review_report(actor=other_buyer, number=n, reason="illegal", text="再举报")
    assert e.value.code == "reported"
    assert ReviewReport.objects.count() == 3
    # When someone reports an order that has no review
    # Then it is not found
    with pytest.raises(NotFound):
        services.review_report(actor=other_buyer, number="AX-NONE", reason="abuse", text="x")


def test_the_desk_lists_reported_reviews_first_and_hiding_closes_their_reports(
    clock, buyer, other_buyer, seller, operator
) -> None:
    # Given an older review that is reported and a newer one that is not
    old = settled(buyer, seller, tracking="SF5000000011")
    services.review_create(actor=buyer, number=old.number, text="旧评价", **stars())
    clock.shift(dt.timedelta(hours=1))
    new = settled(buyer, seller, tracking="SF5000000012")
    services.review_create(actor=buyer, number=new.number, text="新评价", **stars())
    services.review_report(actor=other_buyer, number=old.number, reason="unrelated", text="广告")
    services.review_report(actor=seller, number=old.number, reason="abuse", text="骂人")
    # When the operator opens the desk
    rows = services.review_desk_list()
    # Then the reported review comes first with both reports, oldest first
    assert [r.order.number for r in rows] == [old.number, new.number]
    assert [p.reason for p in rows[0].open_reports] == ["unrelated", "abuse"]
    assert rows[1].open_reports == []
    # When she hides it
    services.review_hide(actor=operator, number=old.number, reason="unrelated", note="广告")
    # Then its reports are closed as hidden, it is no longer first for them, and it cannot
    # be reported
    assert not ReviewReport.objects.filter(closed_at__isnull=True).exists()
    assert set(ReviewReport.objects.values_list("outcome", flat=True)) == {"hidden"}
    assert [r.order.number for r in services.review_desk_list()] == [new.number, old.number]
    with pytest.raises(Conflict):
        services.review_report(actor=other_buyer, number=old.number, reason="abuse", text="x")


def test_the_operator_keeps_a_fairly_reported_review_and_closes_its_reports(
    buyer, other_buyer, seller, operator
) -> None:
    # Given a fair bad review that its seller reported
    order = settled(buyer, seller)
    services.review_create(actor=buyer, number=order.number, text="发货慢", **stars(shipping=1))
    services.review_report(actor=seller, number=order.number, reason="unrelated", text="快递的错")
    # When the seller tries to close the report, then the operator keeps the review, twice
    # Then the seller is forbidden; the operator's first closes the report as kept and
    # leaves the review shown, the second finds nothing open
    with pytest.raises(Forbidden):
        services.review_reports_dismiss(actor=seller, number=order.number)
    assert services.review_reports_dismiss(actor=operator, number=order.number) == 1
    with pytest.raises(Conflict) as e:
        services.review_reports_dismiss(actor=operator, number=order.number)
    assert e.value.code == "no_open_reports"
    report = ReviewReport.objects.get()
    assert report.outcome == "kept"
    assert Review.objects.get().hidden_at is None
    assert services.review_desk_list()[0].open_reports == []
    # When another buyer reports it later
    # Then that report is open again, and the same seller still cannot report twice
    services.review_report(actor=other_buyer, number=order.number, reason="abuse", text="骂人")
    assert len(services.review_desk_list()[0].open_reports) == 1
    with pytest.raises(Conflict):
        services.review_report(actor=seller, number=order.number, reason="abuse", text="再报")


# --- pages ------------------------------------------------------------------------------


def test_the_seller_page_shows_stars_the_item_the_beijing_date_and_photos(
    clock, buyer, seller
) -> None:
    # Given a review with a photo written at 17:30 UTC (01:30 the next day in Beijing)
    order = settled(buyer, seller)
    sha = photo(buyer)
    clock.move_to(dt.datetime(2026, 3, 2, 17, 30, tzinfo=dt.UTC))
    services.review_create(actor=buyer, number=order.number, photos=[sha], **stars(as_described=4))
    image = ListingImage.objects.get(pk=sha)
    # When anyone opens the seller's page, in English and in Chinese
    en = client_for().get(f"/s/{seller.pk}").content.decode()
    zh = client_for(lang="zh-hans").get(f"/s/{seller.pk}").content.decode()
    # Then each rating is five stars with its number in words, the item bought and the
    # Beijing date are shown, and the photo is a thumbnail linking to the full picture
    assert "4 of 5" in en
    assert "5 of 5" in en
    assert "4 星（满分 5 星）" in zh
    assert en.count('class="off"') == 2  # 4, 4 and 5 stars: two of fifteen unlit
    assert order.snapshot.title in en
    assert "2026-03-03" in en
    assert f'<a href="{image.file.url}"' in en
    assert f'<img src="{image.file.url}"' in en


def test_the_buyer_writes_a_review_with_stars_and_photos_on_the_order_page(buyer, seller) -> None:
    # Given a settled order whose page offers its buyer the stars to tap and a photo field
    order = settled(buyer, seller)
    b = client_for(buyer)
    page = b.get(f"/orders/{order.number}").content.decode()
    assert 'type="radio" name="as_described" value="3"' in page
    assert 'name="photos" type="file"' in page
    # When she posts four stars, two photos and a text
    files = [SimpleUploadedFile(f"p{i}.png", png((i, 99, 9)), "image/png") for i in (1, 2)]
    b.post(
        f"/orders/{order.number}/review",
        {"as_described": "4", "shipping": "5", "service": "3", "text": "好", "photos": files},
    )
    # Then the review has her stars and both photos, stored as listing images are, by her
    r = Review.objects.get(order=order)
    assert (r.as_described, r.shipping, r.service) == (4, 5, 3)
    assert len(r.photos) == 2
    assert ListingImage.objects.filter(pk__in=r.photos, uploaded_by=buyer).count() == 2
    # And her order page shows them
    page = b.get(f"/orders/{order.number}").content.decode()
    assert page.count("The buyer's photo") == 2


def test_the_review_form_is_gone_once_the_days_to_review_have_passed(clock, buyer, seller) -> None:
    # Given an order settled 16 days ago (15 days to review it)
    order = settled(buyer, seller)
    clock.shift(dt.timedelta(days=16))
    # When its buyer opens its page
    page = client_for(buyer).get(f"/orders/{order.number}").content.decode()
    # Then it offers no review form that could only be refused
    assert 'data-testid="review-form"' not in page


@pytest.mark.parametrize(
    ("case", "data", "refusal"),
    [
        ("four photos", {"n": 4}, "at most 3"),
        ("not an image", {"bad": True}, "image"),
        ("six stars", {"as_described": "6"}, "As described: enter a whole number from 1 to 5."),
    ],
)
def test_a_refused_review_form_changes_nothing(buyer, seller, case, data, refusal) -> None:
    # Given a settled order
    order = settled(buyer, seller)
    b = client_for(buyer)
    # When its buyer posts the form with four photos, a file that is not an image, or six
    # stars
    if data.get("bad"):
        files = [SimpleUploadedFile("x.png", b"not an image at all", "image/png")]
    else:
        files = [
            SimpleUploadedFile(f"p{i}.png", png((i, 1, 1)), "image/png")
            for i in range(data.get("n", 1))
        ]
    form = {"as_described": "5", "shipping": "5", "service": "5", "photos": files}
    form |= {k: v for k, v in data.items() if k not in ("n", "bad")}
    page = b.post(f"/orders/{order.number}/review", form, follow=True).content.decode()
    # Then she is told why, and there is neither a review nor a stored photo
    assert refusal in flash(page, "error")
    assert not Review.objects.exists()
    assert not ListingImage.objects.exists()


def test_a_review_refused_after_its_photos_were_stored_leaves_no_file(
    settings, tmp_path, buyer, seller
) -> None:
    from anxin.conftest import make_listing, pay, place_order

    # Given a paid order not yet settled, and an empty media folder
    settings.MEDIA_ROOT = str(tmp_path)
    order = place_order(buyer, make_listing(seller))
    pay(order)
    # When its buyer posts a review with a photo (checked and stored before the order is)
    photo_file = SimpleUploadedFile("p.png", png((9, 9, 9)), "image/png")
    form = {"as_described": "5", "shipping": "5", "service": "5", "photos": [photo_file]}
    page = client_for(buyer).post(f"/orders/{order.number}/review", form, follow=True)
    # Then she is told to wait for the settlement, and neither a row nor a file is left
    assert "only a completed order can be reviewed" in flash(page.content.decode(), "error")
    assert not ListingImage.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_review_reported_on_the_seller_page_and_hidden_on_the_desk(
    buyer, other_buyer, seller, operator
) -> None:
    # Given a review
    order = settled(buyer, seller)
    services.review_create(actor=buyer, number=order.number, text="去隔壁店买", **stars())
    o = client_for(other_buyer)
    # When its author opens the seller's page
    # Then she is not offered to report it; another buyer is
    assert (
        'data-testid="report-form"' not in client_for(buyer).get(f"/s/{seller.pk}").content.decode()
    )
    assert 'data-testid="report-form"' in o.get(f"/s/{seller.pk}").content.decode()
    # When the other buyer reports it, then posts the same report again
    form = {"order": order.number, "reason": "unrelated", "text": "在做广告"}
    first = o.post(f"/s/{seller.pk}/report", form, follow=True).content.decode()
    second = o.post(f"/s/{seller.pk}/report", form, follow=True).content.decode()
    # Then the first is thanked, and the page then says she reported it; the second is
    # refused in words, and one report is kept
    assert "Thank you" in flash(first, "success")
    assert 'data-testid="reported"' in first
    assert "already reported this review" in flash(second, "error")
    assert ReviewReport.objects.count() == 1
    # When the operator opens the desk
    op = client_for(operator)
    desk = op.get("/desk/reviews").content.decode()
    # Then the review is shown reported, with the report's reason and text
    assert 'data-testid="report"' in desk
    assert "在做广告" in desk
    assert "advertising or unrelated" in desk
    # When she keeps it, then it is reported again by the seller and she hides it
    kept = op.post("/desk/reviews", {"form": "keep", "order": order.number}, follow=True)
    assert "its reports are closed" in flash(kept.content.decode(), "success")
    assert 'data-testid="report"' not in kept.content.decode()
    form["text"] = "店家也认为是广告"
    client_for(seller).post(f"/s/{seller.pk}/report", form)
    assert "by the shop reviewed" in op.get("/desk/reviews").content.decode()
    op.post("/desk/reviews", {"order": order.number, "reason": "unrelated", "note": "广告"})
    # Then the reports are closed and the desk no longer lists it as reported
    assert list(ReviewReport.objects.order_by("id").values_list("outcome", flat=True)) == [
        "kept",
        "hidden",
    ]
    assert 'data-testid="report"' not in op.get("/desk/reviews").content.decode()


# --- API --------------------------------------------------------------------------------


def test_reporting_a_review_over_the_api(api, buyer, other_buyer, seller) -> None:
    # Given a review
    order = settled(buyer, seller)
    services.review_create(actor=buyer, number=order.number, text="一般", **stars())
    url = f"/orders/{order.number}/review/reports"
    # When another buyer reports it, then again; its author reports it; someone reports an
    # order with no review; and a report with a reason not on the list
    first = api(other_buyer).post(url, {"reason": "abuse", "text": "有脏话"})
    again = api(other_buyer).post(url, {"reason": "abuse", "text": "有脏话"})
    author = api(buyer).post(url, {"reason": "abuse", "text": "后悔了"})
    missing = api(seller).post("/orders/AX-NONE/review/reports", {"reason": "abuse", "text": "x"})
    bad = api(seller).post(url, {"reason": "bad_for_sales", "text": "差评"})
    # Then the first is made, the repeat conflicts, the author is forbidden, the unknown
    # is not found and the bad reason is refused naming it
    assert first.status_code == 201, first.content
    assert first.json()["reason"] == "abuse"
    assert (again.status_code, again.json()["code"]) == (409, "reported")
    assert author.status_code == 403
    assert missing.status_code == 404
    assert bad.status_code == 422
    assert "reason" in bad.json()["detail"]
    assert ReviewReport.objects.count() == 1


def test_a_hidden_reviews_photo_goes_only_to_its_author_and_staff(
    buyer, other_buyer, seller, operator, staff
) -> None:
    # Given a review with a photo, which anyone can open by its address
    order = settled(buyer, seller)
    sha = photo(buyer)
    services.review_create(actor=buyer, number=order.number, photos=[sha], **stars())
    url = ListingImage.objects.get(pk=sha).file.url
    assert client_for().get(url).status_code == 200
    # When the operator hides the review
    services.review_hide(
        actor=operator, number=order.number, reason="personal_data", note="有电话号码"
    )
    # Then its photo's address shows nothing to the public, another buyer or the seller
    for who in (None, other_buyer, seller):
        assert client_for(who).get(url).status_code == 404, who
    # But its author, the operator and a regulator still open it, never from a shared cache
    for who in (buyer, operator, staff["regulator"]):
        resp = client_for(who).get(url)
        assert resp.status_code == 200, who
        assert "private" in resp["Cache-Control"]


def test_the_reviews_desk_over_the_api(api, buyer, other_buyer, seller, operator) -> None:
    # Given a review another buyer reported
    order = settled(buyer, seller)
    services.review_create(actor=buyer, number=order.number, text="一般", **stars())
    services.review_report(actor=other_buyer, number=order.number, reason="abuse", text="脏话")
    # When the operator reads the desk, and a buyer tries to
    desk = api(operator).get("/reviews/desk")
    refused = api(other_buyer).get("/reviews/desk")
    # Then the operator sees the reported review first with its report; the buyer is refused
    assert desk.status_code == 200, desk.content
    first = desk.json()[0]
    assert first["order"] == order.number
    assert [(r["reason"], r["by"]) for r in first["open_reports"]] == [("abuse", "buyer")]
    assert refused.status_code == 403
    # When the seller tries to dismiss the reports, then the operator keeps the review
    url = f"/orders/{order.number}/review/reports/dismiss"
    by_seller = api(seller).post(url, {})
    kept = api(operator).post(url, {})
    again = api(operator).post(url, {})
    # Then only the operator may; its reports are closed, and there is nothing left to dismiss
    assert by_seller.status_code == 403
    assert kept.status_code == 200, kept.content
    assert kept.json()["reports_closed"] == 1
    assert (again.status_code, again.json()["code"]) == (409, "no_open_reports")
    assert api(operator).get("/reviews/desk").json()[0]["open_reports"] == []
