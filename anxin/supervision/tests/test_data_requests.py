"""A regulator's data request (OTSM Art. 34) answered with the seller's whole trade in the
period: orders, payments and refunds (with the ledger's escrow), shipments with their tracking,
and after-sales requests, one CSV each in a ZIP with a manifest of their digests, sealed on the
evidence log; downloaded by the office that asked, and no one else."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.test import Client
from django.utils import timezone

from anxin.accounts.models import Role, User
from anxin.aftersales import services as aftersales
from anxin.carriers.sandbox import SandboxCarrier
from anxin.conftest import Api, deliver_all, make_listing, pay, place_order, shipped
from anxin.evidence.models import Record
from anxin.law.days import BEIJING
from anxin.orders.services import order_refund
from anxin.supervision import regulator as reg
from anxin.supervision.models import OrgKind
from anxin.supervision.models_regulator import DataRequest
from anxin.supervision.tests.test_regulator import XIHU, office

pytestmark = pytest.mark.django_db

FILES = ["orders.csv", "payments.csv", "shipments.csv", "aftersales.csv"]


@pytest.fixture
def xihu(seller: User) -> User:
    from anxin.accounts.models import SellerProfile

    SellerProfile.objects.filter(user=seller).update(address_region=XIHU)
    return office(OrgKind.REGULATOR, XIHU, "xihu-officer")


def local_today() -> dt.date:
    return timezone.localtime(timezone.now(), BEIJING).date()


def rows_of(z: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    data = z.read(name)
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads the Chinese text
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def a_trade_in_and_out_of_the_period(clock, buyer: User, seller: User) -> dict[str, str]:
    """An order shipped, delivered and returned before the period; then, in the period, the
    same again and an order paid and refunded. The numbers of the orders, by name."""
    listing = make_listing(seller, stock=20)
    before = shipped(buyer, seller, listing, tracking="SF0000000001")
    SandboxCarrier().deliver_now("SF0000000001")
    aftersales.aftersale_request(
        actor=buyer, number=before.number, kind="no_reason_return", reason="不喜欢"
    )
    clock.shift(dt.timedelta(days=20))
    inside = shipped(buyer, seller, listing, tracking="SF0000000002")
    SandboxCarrier().deliver_now("SF0000000002")
    aftersales.aftersale_request(
        actor=buyer, number=inside.number, kind="no_reason_return", reason="尺寸不合适"
    )
    refunded = place_order(buyer, listing)
    pay(refunded)
    order_refund(actor=seller, number=refunded.number, reason="缺货")
    deliver_all()
    return {"before": before.number, "inside": inside.number, "refunded": refunded.number}


def ask_and_answer(xihu: User, seller: User, operator: User) -> DataRequest:
    r = reg.data_request_make(
        actor=xihu,
        seller_id=seller.pk,
        purpose="案件调查：虚假宣传",
        period_from=local_today() - dt.timedelta(days=5),
        period_to=local_today(),
    )
    return reg.data_request_answer(actor=operator, number=r.number, note="见附件")


def test_the_answer_holds_four_files_of_the_period_with_a_manifest_of_their_digests(
    clock, xihu: User, seller: User, buyer: User, operator: User
) -> None:
    # Given a seller's orders, payments, a refund, shipments and after-sales requests, some
    # before the period asked about and some in it
    n = a_trade_in_and_out_of_the_period(clock, buyer, seller)
    # When the office asks for the last five days and the operator answers
    r = ask_and_answer(xihu, seller, operator)
    # Then the answer is a ZIP of the four files and a manifest
    z = zipfile.ZipFile(io.BytesIO(r.file.read()))
    assert sorted(z.namelist()) == sorted([*FILES, "manifest.json"])
    # And each file holds the rows of the period only
    orders = rows_of(z, "orders.csv")
    assert {o["number"] for o in orders} == {n["inside"], n["refunded"]}
    payments = rows_of(z, "payments.csv")
    assert {p["order"] for p in payments} == {n["inside"], n["refunded"]}
    kinds = {(p["kind"], p["order"]) for p in payments}
    assert ("payment", n["inside"]) in kinds
    assert ("refund", n["refunded"]) in kinds
    assert ("escrow", n["inside"]) in kinds
    shipments = rows_of(z, "shipments.csv")
    assert {s["order"] for s in shipments} == {n["inside"]}
    assert [(s["event"], s["status"]) for s in shipments] == [
        ("shipped", ""),
        ("tracking", "delivered"),
    ]
    after = rows_of(z, "aftersales.csv")
    assert [(a["order"], a["kind"]) for a in after] == [(n["inside"], "no_reason_return")]
    # And no buyer's name, phone, address or free text is in any file
    everything = b"".join(z.read(f) for f in FILES).decode("utf-8-sig")
    for personal in ("张伟", "13900001111", "文三路 100", "尺寸不合适"):
        assert personal not in everything
    assert {o["buyer"] for o in orders} == {str(buyer.pk)}
    # And the manifest gives each file's digest, which matches the file
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["request"] == r.number
    listed = {f["name"]: f for f in manifest["files"]}
    assert sorted(listed) == sorted(FILES)
    for name in FILES:
        assert listed[name]["sha256"] == hashlib.sha256(z.read(name)).hexdigest()
    assert listed["orders.csv"]["rows"] == 2
    assert r.rows == sum(f["rows"] for f in manifest["files"])


def test_the_zip_and_each_file_are_sealed_on_the_evidence_log(
    clock, xihu: User, seller: User, buyer: User, operator: User
) -> None:
    # Given an answered request about a seller with trade in the period
    a_trade_in_and_out_of_the_period(clock, buyer, seller)
    r = ask_and_answer(xihu, seller, operator)
    # When the evidence record of the answer is read
    body = json.loads(
        Record.objects.get(chain=reg.request_chain(r), kind="data_request.answered").body
    )
    # Then its digest is the stored ZIP's, and each file's the file's in the ZIP
    data = r.file.read()
    assert body["sha256"] == hashlib.sha256(data).hexdigest() == r.sha256
    z = zipfile.ZipFile(io.BytesIO(data))
    assert body["files"] == {f: hashlib.sha256(z.read(f)).hexdigest() for f in FILES}
    assert {f["name"]: f["sha256"] for f in r.files} == body["files"]


def test_only_the_office_that_asked_downloads_the_answer(
    clock, xihu: User, seller: User, buyer: User, operator: User
) -> None:
    # Given an answered request of Xihu's office
    a_trade_in_and_out_of_the_period(clock, buyer, seller)
    r = ask_and_answer(xihu, seller, operator)
    other_office = office(OrgKind.REGULATOR, "330102", "shangcheng-officer")
    association = office(OrgKind.ASSOCIATION, XIHU, "xihu-association", Role.MEDIATOR)
    before = (DataRequest.objects.values().get(pk=r.pk), Record.objects.count())
    # When the office downloads it from its page and from the API
    page = Client()
    page.force_login(xihu)
    got = page.get(f"/supervision/data-requests/{r.number}/file")
    through_api = Api(xihu).get(f"/supervision/data-requests/{r.number}/file")
    # Then both are the ZIP whose digest is on the log
    for resp in (got, through_api):
        assert resp.status_code == 200
        assert resp["Content-Type"] == "application/zip"
        body = b"".join(resp.streaming_content)
        assert hashlib.sha256(body).hexdigest() == r.sha256
    # And the API shows the request with each file's digest
    shown = Api(xihu).get(f"/supervision/data-requests/{r.number}").json()
    assert shown["sha256"] == r.sha256
    assert [f["name"] for f in shown["files"]] == FILES
    # When anyone else asks for the file: the seller, the buyer, the operator, another
    # regulator's office, an association, a visitor
    for who in (seller, buyer, operator, other_office, association):
        # Then it is not found, on the page and in the API
        c = Client()
        c.force_login(who)
        assert c.get(f"/supervision/data-requests/{r.number}/file").status_code == 404
        assert Api(who).get(f"/supervision/data-requests/{r.number}/file").status_code == 404
    assert Client().get(f"/supervision/data-requests/{r.number}/file").status_code == 302
    assert Api(None).get(f"/supervision/data-requests/{r.number}/file").status_code == 401
    # And the operator still sees the request (not its data), others not at all
    assert Api(operator).get(f"/supervision/data-requests/{r.number}").status_code == 200
    assert Api(seller).get(f"/supervision/data-requests/{r.number}").status_code == 404
    # And nothing changed
    assert (DataRequest.objects.values().get(pk=r.pk), Record.objects.count()) == before


def test_the_page_lists_each_file_and_its_digest_and_only_the_office_gets_the_link(
    clock, xihu: User, seller: User, buyer: User, operator: User
) -> None:
    # Given an answered request
    a_trade_in_and_out_of_the_period(clock, buyer, seller)
    r = ask_and_answer(xihu, seller, operator)
    # When the office and the operator open its page
    pages = {}
    for who in (xihu, operator):
        c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        c.force_login(who)
        pages[who.username] = c.get(f"/supervision/data-requests/{r.number}").content.decode()
    # Then both see each file with its digest; only the office has the download link
    for page in pages.values():
        for f in r.files:
            assert f["name"] in page
            assert f["sha256"] in page
    assert f"/supervision/data-requests/{r.number}/file" in pages["xihu-officer"]
    assert f"/supervision/data-requests/{r.number}/file" not in pages["operator"]


def test_a_seller_with_no_trade_in_the_period_gets_four_files_of_headers(
    xihu: User, seller: User, operator: User
) -> None:
    # Given a seller that sold nothing
    # When the office asks about it and the operator answers
    r = ask_and_answer(xihu, seller, operator)
    # Then the ZIP still holds the four files, each with its header row only
    z = zipfile.ZipFile(io.BytesIO(r.file.read()))
    for name in FILES:
        assert rows_of(z, name) == []
        assert z.read(name).decode("utf-8-sig").count("\n") == 1
    assert r.rows == 0


def test_a_large_answer_is_spooled_to_disk_and_still_sealed_whole(
    clock, xihu: User, seller: User, buyer: User, operator: User, monkeypatch
) -> None:
    from anxin.supervision import data_export

    # Given a seller's trade, and an export that keeps at most 512 bytes of a file in memory
    a_trade_in_and_out_of_the_period(clock, buyer, seller)
    monkeypatch.setattr(data_export, "SPOOL_BYTES", 512)
    rolled: list[bool] = []
    real = data_export.build

    def watched(r: DataRequest, made_at: dt.datetime) -> data_export.Export:
        out = real(r, made_at)
        rolled.append(bool(getattr(out.file, "_rolled", False)))
        return out

    monkeypatch.setattr(data_export, "build", watched)
    # When the operator answers
    r = ask_and_answer(xihu, seller, operator)
    # Then the ZIP went to a file on disk rather than memory
    assert rolled == [True]
    # And the stored ZIP is whole: its digest is the one sealed, and each file's digest in
    # the manifest matches the file
    data = r.file.read()
    assert hashlib.sha256(data).hexdigest() == r.sha256
    z = zipfile.ZipFile(io.BytesIO(data))
    listed = {f["name"]: f for f in json.loads(z.read("manifest.json"))["files"]}
    for name in FILES:
        assert listed[name]["sha256"] == hashlib.sha256(z.read(name)).hexdigest()
        assert listed[name]["bytes"] == len(z.read(name))
    assert rows_of(z, "orders.csv")
