"""The order chat, the voucher (page, PDF, .tlog-proof) and the evidence bundle: only the
parties (and the operator) get them, bad input is refused naming the field, and everything
they contain verifies against the log's key."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.test import Client
from PIL import Image

from anxin.conftest import PASSWORD, make_listing, pay, place_order
from anxin.core.errors import Forbidden, NotFound, ValidationFailed
from anxin.evidence import keys, sequencer, spans, voucher
from anxin.evidence.models import Record
from anxin.orders import chat, services
from anxin.orders.models import OrderMessage

pytestmark = pytest.mark.django_db


def _png(color=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def order(buyer, seller, clock):
    o = place_order(buyer, make_listing(seller))
    pay(o)
    return o


def test_parties_chat_and_each_message_is_evidence(order, buyer, seller) -> None:
    # Given a paid order
    # When the buyer asks a question and the seller answers with a picture
    m1 = chat.message_post(actor=buyer, number=order.number, text="请问什么时候发货？")
    m2 = chat.message_post(actor=seller, number=order.number, text="今天下午", image=_png())
    # Then each message carries its author's role
    assert m1.author_role == "buyer"
    assert m2.author_role == "seller"
    # Then the answer is an evidence record chained after the order's, with the picture's hash,
    # and the chat lists both messages in order
    rec = json.loads(Record.objects.get(pk=m2.record_id).body)
    assert rec["kind"] == "chat.message"
    assert rec["text"] == "今天下午"
    assert rec["attachment"]["sha256"] == hashlib.sha256(_png()).hexdigest()
    assert rec["prev"]  # chained after the order's earlier records
    assert list(chat.messages_of(order)) == [m1, m2]


def test_only_the_two_parties_post(order, other_buyer, operator, staff) -> None:
    # Given a paid order
    # When another buyer, the operator and a mediator post in its chat
    # Then the stranger and the mediator find no such order, the operator is forbidden
    with pytest.raises(NotFound):
        chat.message_post(actor=other_buyer, number=order.number, text="hi")
    with pytest.raises(Forbidden):
        chat.message_post(actor=operator, number=order.number, text="hi")
    with pytest.raises(NotFound):
        chat.message_post(actor=staff["mediator"], number=order.number, text="hi")
    # Then no message was saved
    assert not OrderMessage.objects.exists()


@pytest.mark.parametrize(
    ("text", "image", "match"),
    [
        ("", None, "text: write a message"),
        ("x" * 2001, None, "text: at most 2000"),
        ("bell\x07", None, "text: contains control"),
        ("", b"%PDF-1.4 not an image", "image: not a readable"),
        ("", b"GIF89a" + b"\0" * 30, "image: not a readable"),
    ],
)
def test_bad_messages_are_refused_naming_the_field(order, buyer, text, image, match) -> None:
    # Given a paid order
    # When the buyer posts an empty, overlong or control-character text, or a non-image file
    # Then she is refused with the field named
    with pytest.raises(ValidationFailed, match=match):
        chat.message_post(actor=buyer, number=order.number, text=text, image=image)
    # Then neither a message nor an evidence record was saved
    assert not OrderMessage.objects.exists()
    assert not Record.objects.filter(kind="chat.message").exists()


def test_an_oversized_image_is_refused(order, buyer, settings) -> None:
    # Given a 50-byte limit on images
    settings.ANXIN_MAX_IMAGE_BYTES = 50
    # When the buyer posts a larger picture
    # Then she is refused with its size and the limit
    with pytest.raises(ValidationFailed, match=r"image: \d+ bytes is over the 50-byte limit"):
        chat.message_post(actor=buyer, number=order.number, image=_png())


def test_the_chat_api_and_attachment_access(order, buyer, seller, other_buyer, api) -> None:
    # Given a paid order
    # When the buyer posts a message with a picture through the API
    b = api(buyer)
    r = b.client.post(
        f"/api/v1/orders/{order.number}/messages",
        {"text": "看看这个", "image": io.BytesIO(_png())},
        headers=b.headers,
    )
    # Then it is created as hers, and the seller sees it as not his
    assert r.status_code == 201, r.content
    url = r.json()["attachment"]["url"]
    assert r.json()["mine"] is True
    listed = api(seller).get(f"/orders/{order.number}/messages").json()
    assert [m["text"] for m in listed] == ["看看这个"]
    assert listed[0]["mine"] is False
    # When the buyer posts a file that is not an image
    bad = b.client.post(
        f"/api/v1/orders/{order.number}/messages",
        {"text": "", "image": io.BytesIO(b"not an image")},
        headers=b.headers,
    )
    # Then it is refused naming the image field, and a stranger cannot list the chat
    assert bad.status_code == 422
    assert bad.json()["field"] == "image"
    assert api(other_buyer).get(f"/orders/{order.number}/messages").status_code == 404
    # When the seller and then a stranger fetch the picture on the site
    # Attachments are served to the parties only.
    c = Client()
    c.login(username=seller.username, password=PASSWORD)
    got = c.get(url)
    # Then the seller gets the picture and the stranger finds nothing
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == _png()
    assert got["Content-Type"] == "image/png"
    c.login(username=other_buyer.username, password=PASSWORD)
    assert c.get(url).status_code == 404


def test_voucher_api_waits_for_the_log_then_verifies(
    order, buyer, seller, other_buyer, api
) -> None:
    # Given a shipped order with a chat message not yet in the log
    services.order_ship(
        actor=seller, number=order.number, carrier="SF", tracking_number="SF0000001"
    )
    chat.message_post(actor=buyer, number=order.number, text="收到了吗")
    # When the buyer asks for the voucher
    r = api(buyer).get(f"/orders/{order.number}/voucher")
    # Then she is told the evidence is pending
    assert r.status_code == 409
    assert r.json()["code"] == "evidence_pending"
    # When the log takes in the records and she asks again
    sequencer.integrate_all()
    r = api(buyer).get(f"/orders/{order.number}/voucher")
    # Then the voucher verifies against the log's key, from the order's creation to the message
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/plain")
    v = voucher.verify(r.content.decode(), keys.log_verifier())
    kinds = [x["kind"] for x in [*v.history, v.record]]
    assert kinds[0] == "order.created"
    assert kinds[-1] == "chat.message"
    # Then the seller gets it too, and a stranger finds nothing
    assert api(seller).get(f"/orders/{order.number}/voucher").status_code == 200
    assert api(other_buyer).get(f"/orders/{order.number}/voucher").status_code == 404


def test_the_evidence_bundle_holds_everything_and_checks_out(order, buyer, seller, api) -> None:
    # Given a paid order whose seller sent an invoice picture, all in the log
    chat.message_post(actor=seller, number=order.number, text="发票", image=_png((1, 2, 3)))
    sequencer.integrate_all()
    # When the buyer downloads the evidence bundle
    r = api(buyer).get(f"/orders/{order.number}/evidence-bundle")
    # Then it is a zip whose manifest hashes every file, with the picture itself
    assert r.status_code == 200
    assert r["Content-Type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    files = {n.split("/", 1)[1]: z.read(n) for n in z.namelist()}
    manifest = json.loads(files.pop("manifest.json"))
    assert manifest["order"] == order.number
    assert manifest["files"] == {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}
    sha = hashlib.sha256(_png((1, 2, 3))).hexdigest()
    assert files[f"attachments/{sha}.png"] == _png((1, 2, 3))
    # Then its voucher verifies with its own log key and covers exactly its records
    from anxin.evidence.note import Verifier

    key = Verifier.from_vkey(files["log-key.vkey"].decode())
    v = voucher.verify(files["voucher.tlog-proof"].decode(), key)
    records = [json.loads(d) for n, d in sorted(files.items()) if n.startswith("records/")]
    assert [x["record"] for x in records] == [*v.history, v.record]
    assert files["checkpoint.txt"].decode() in files["voucher.tlog-proof"].decode()
    # Then its summary page names the order and shows the message
    summary = files["summary.html"].decode()
    assert order.number in summary
    assert "发票" in summary


def test_voucher_page_pdf_and_public_check(order, buyer, other_buyer) -> None:
    # Given a paid order whose records are in the log
    sequencer.integrate_all()
    # When the buyer opens the voucher page, its PDF and its proof
    c = Client()
    c.login(username=buyer.username, password=PASSWORD)
    page = c.get(f"/orders/{order.number}/voucher")
    # Then the page shows a QR code, the order and the log's key, and the PDF is a PDF
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    assert order.number in html
    assert keys.log_verifier().vkey() in html
    # And the log's index, the checkpoint and the command line are folded under technical
    # details: the buyer first reads the order, the item, the seller and the amount
    folded = html.split('data-testid="voucher-technical"', 1)
    assert len(folded) == 2
    for technical in ("anxin verify", keys.log_verifier().vkey(), "检查点大小"):
        assert technical not in folded[0]
        assert technical in folded[1]
    pdf = c.get(f"/orders/{order.number}/voucher.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    # When anyone checks the proof's last entry on the public page, with the right and a wrong
    # fingerprint, and an index that is not in the log
    proof = c.get(f"/orders/{order.number}/voucher.tlog-proof")
    v = voucher.verify(proof.content.decode(), keys.log_verifier())
    # The QR code's page, public: the entry is in the log and the fingerprint matches.
    from anxin.evidence import merkle

    last = Record.objects.get(pk=spans.record_at(v.index))
    leaf = merkle.leaf_hash(bytes(last.entry)).hex()
    anon = Client()
    ok = anon.get(f"/log/verify/{v.index}?leaf={leaf}").content.decode()
    # Then the page says which fingerprint matches, and the unknown index is not found
    assert "fingerprint matches" in ok or "指纹与此条目一致" in ok
    bad = anon.get(f"/log/verify/{v.index}?leaf={'0' * 64}").content.decode()
    assert "NOT match" in bad or "不一致" in bad
    assert anon.get("/log/verify/999999").status_code == 404
    # When another buyer asks for the voucher or the evidence
    # Then she finds nothing
    c.login(username=other_buyer.username, password=PASSWORD)
    assert c.get(f"/orders/{order.number}/voucher").status_code == 404
    assert c.get(f"/orders/{order.number}/evidence.zip").status_code == 404


def test_chat_through_the_page_form(order, buyer) -> None:
    # Given the buyer of a paid order, logged in on the site
    c = Client()
    c.login(username=buyer.username, password=PASSWORD)
    # When she posts a message through the page's form
    r = c.post(f"/orders/{order.number}/messages", {"text": "你好"}, headers={"HX-Request": "true"})
    # Then the chat comes back with her message
    assert r.status_code == 200
    assert "你好" in r.content.decode()
    # When she posts an empty one
    r = c.post(f"/orders/{order.number}/messages", {"text": ""}, headers={"HX-Request": "true"})
    # Then the form says what is wrong and only the first message was saved
    assert r.status_code == 422
    assert "请写下消息或附上一张图片。" in r.content.decode()
    assert OrderMessage.objects.count() == 1


def test_the_chat_form_answers_htmx_with_the_fragment_and_a_plain_post_with_the_page(
    order, buyer
) -> None:
    # Given the buyer of a paid order, logged in on the site
    c = Client()
    c.login(username=buyer.username, password=PASSWORD)
    # When she posts a message without htmx (a browser without JavaScript)
    plain = c.post(f"/orders/{order.number}/messages", {"text": "在吗"})
    # Then she is sent back to the whole order page, at the chat, where the message is
    assert plain.status_code == 302
    assert plain["Location"] == f"/orders/{order.number}#chat"
    page = c.get(plain["Location"]).content.decode()
    assert "<html" in page
    assert "在吗" in page
    # When she posts one through htmx
    fragment = c.post(
        f"/orders/{order.number}/messages", {"text": "好的"}, headers={"HX-Request": "true"}
    )
    # Then only the chat comes back, to be swapped in, with both messages
    body = fragment.content.decode()
    assert fragment.status_code == 200
    assert "<html" not in body
    assert 'id="chat"' in body
    assert "在吗" in body
    assert "好的" in body


def test_the_status_poll_reloads_the_page_only_for_htmx_once_the_payment_landed(
    buyer, seller, clock
) -> None:
    # Given a paid order, its buyer logged in
    o = place_order(buyer, make_listing(seller))
    pay(o)
    c = Client()
    c.force_login(buyer)
    # When the status block is asked for without htmx
    plain = c.get(f"/orders/{o.number}/status")
    # Then it comes back with no instruction to reload
    assert plain.status_code == 200
    assert "HX-Refresh" not in plain
    # When htmx polls it
    polled = c.get(f"/orders/{o.number}/status", headers={"HX-Request": "true"})
    # Then htmx is told to reload the whole page (the actions changed with the payment)
    assert polled.status_code == 200
    assert polled["HX-Refresh"] == "true"
    assert "<html" not in polled.content.decode()


def test_the_public_check_page_reads_plainly(order) -> None:
    from anxin.evidence import merkle
    from anxin.orders.labels import record_label, record_time

    # Given a paid order whose records are in the log, and the entry its voucher points to
    sequencer.integrate_all()
    c = Client()
    c.force_login(order.buyer)
    proof = c.get(f"/orders/{order.number}/voucher.tlog-proof").content.decode()
    idx = voucher.verify(proof, keys.log_verifier()).index
    last = Record.objects.get(pk=spans.record_at(idx))
    entry = json.loads(bytes(last.entry))
    leaf = merkle.leaf_hash(bytes(last.entry)).hex()
    # When anyone opens the check page of that entry with the voucher's fingerprint
    page = Client().get(f"/log/verify/{idx}?leaf={leaf}").content.decode()
    # Then the result is a green success box saying the fingerprint matches
    box = page.split('<div class="flash success" role="status" data-testid="verify-result">')
    assert len(box) == 2
    assert "凭证的指纹与此条目一致" in box[1].split("</div>")[0]
    # And the record reads as a label and a local time, not a code and a UTC timestamp
    before, details = page.split('<details class="technical">')
    assert f'data-testid="entry-kind">{record_label(entry["kind"])}<' in before
    assert f'data-testid="entry-time">{record_time(entry["at"])}<' in before
    assert record_time(entry["at"]) != entry["at"]
    # And it says in plain words to compare with the voucher's order number and amount
    assert "核对凭证上的订单号和金额" in before
    # And the hashes, commitment, checkpoint and key are inside "Technical details" only
    assert "<summary>技术细节</summary>" in details
    # (the leaf hash is also in the page's own address, e.g. the language switcher's)
    assert f'<dd class="mono" translate="no">{leaf}</dd>' in details
    for technical in (entry["commitment"], keys.log_verifier().vkey(), entry["kind"]):
        assert technical in details
        assert technical not in before


def test_the_vouchers_qr_code_opens_its_record_and_the_page_names_the_order(order) -> None:
    from anxin.orders.vouchers import order_voucher

    # Given a paid order whose records are in the log, and its voucher
    sequencer.integrate_all()
    v = order_voucher(order.buyer, order.number)
    path = "/log/" + v.check_url.split("/log/", 1)[1]
    # When anyone scans its QR code (the link carries the record's salt)
    page = Client().get(path).content.decode()
    # Then the page says which order the voucher proves: number, item, amount and shop
    subject = page.split('data-testid="entry-subject">', 1)[1].split("</dl>", 1)[0]
    assert order.number in subject
    assert order.snapshot.title in subject
    assert "¥128.00" in subject
    assert order.seller.seller_profile.shop_name in subject
    assert order.recipient_name not in page
    # When the link has no salt, a wrong one, or one that is not hex
    plain = path.split("&open=", 1)[0]
    wrong = f"{plain}&open={'ab' * 32}"
    junk = f"{plain}&open=not-hex"
    # Then the page shows the entry but not what it is about
    for url in (plain, wrong, junk):
        other = Client().get(url).content.decode()
        assert 'data-testid="entry-subject"' not in other, url
        assert order.number not in other, url
