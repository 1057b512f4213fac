"""The seller's badge: signed, verifiable offline, refused when forged, altered, expired or
revoked; its QR opens the live page."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.test import Client

from anxin.conftest import child_env
from anxin.core.errors import Forbidden
from anxin.evidence.note import NoteError
from anxin.sellers import badge
from anxin.sellers.models import Badge
from anxin.sellers.reverification import seller_verification_lapse

pytestmark = pytest.mark.django_db


def test_a_badge_verifies_offline_and_fails_when_altered_or_signed_by_another_key(seller) -> None:
    # Given a verified seller's badge
    b = badge.issue(actor=seller)
    # When it is checked offline with Anxin's badge key
    checked = badge.check(b.note, badge.verifier())
    # Then it names the seller and her verification level, and has not expired
    assert checked.fields["seller"] == str(seller.pk)
    assert not checked.expired
    assert checked.fields["level"].startswith("1 ")
    # When its seller number is altered
    altered = b.note.replace(f"seller {seller.pk}", f"seller {seller.pk + 1}")
    # Then the check refuses it
    with pytest.raises(NoteError):
        badge.check(altered, badge.verifier())
    from anxin.evidence.note import Signer, sign

    # When it is signed again by another key under the same name
    impostor = Signer.generate("anxin.localhost/badge")  # same name, another key
    forged = sign(b.note[: b.note.rfind("\n\n") + 1], impostor)
    # Then the check refuses it, and the live page calls it forged
    with pytest.raises(NoteError):
        badge.check(forged, badge.verifier())
    assert badge.live(forged)[1].startswith("forged")


def test_the_live_page_says_valid_expired_or_revoked(clock, seller, operator) -> None:
    # Given a seller's badge
    b = badge.issue(actor=seller)
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = f"/s/{seller.pk}?badge={badge.encode(b.note)}"
    # When its live page is opened
    # Then it says the badge is genuine and current
    assert "Genuine and current" in c.get(url).content.decode()
    # When the badge is opened under another seller's address
    other = f"/s/{operator.pk + 1000}?badge={badge.encode(b.note)}"
    # Then it is not found
    assert c.get(other).status_code == 404
    # When the operator revokes it
    badge.revoke(actor=operator, serial=b.serial, reason="冒用他人身份")
    # Then the live page says it was revoked
    assert "Revoked by Anxin" in c.get(url).content.decode()
    # When a new badge reaches its expiry
    b2 = badge.issue(actor=seller)
    clock.move_to(b2.expires_at)
    # Then it is expired
    assert badge.live(b2.note)[1] == "expired"
    # And a seller may not revoke a badge
    with pytest.raises(Forbidden):
        badge.revoke(actor=seller, serial=b2.serial, reason="x")


def test_no_badge_without_a_current_verification(clock, seller) -> None:
    # Given a seller whose verification lapsed at its re-verification date
    v = seller.verification
    clock.move_to(v.reverify_by)
    seller_verification_lapse(seller_id=seller.pk)
    # When she asks for a badge
    # Then she is refused
    with pytest.raises(Forbidden):
        badge.issue(actor=seller)


def test_anyone_checks_a_scanned_badge_with_the_published_key(seller, tmp_path) -> None:
    # Given a seller's badge scanned from its QR code into a file, and Anxin's published key
    b = badge.issue(actor=seller)
    key = Client().get("/sellers/badge.vkey").content.decode()
    (tmp_path / "key").write_text(key)
    scanned = tmp_path / "scan.txt"
    scanned.write_text(f"https://anxin.example/s/{seller.pk}?badge={badge.encode(b.note)}")
    # When the command-line checker reads it with the key
    ok = subprocess.run(
        [sys.executable, "-m", "anxin", "badge", str(scanned), "--key", str(tmp_path / "key")],
        env=child_env(),
        capture_output=True,
        text=True,
    )
    # Then it passes, naming the seller
    assert ok.returncode == 0, ok.stderr
    assert f"seller {seller.pk}" in ok.stdout, ok.stderr
    # When a badge whose shop was altered is checked
    scanned.write_text(badge.encode(b.note.replace("shop ", "shop X")))
    bad = subprocess.run(
        [sys.executable, "-m", "anxin", "badge", str(scanned), "--key", str(tmp_path / "key")],
        env=child_env(),
        capture_output=True,
        text=True,
    )
    # Then it fails, saying why
    assert bad.returncode == 1
    assert "badge:" in bad.stderr


def test_the_seller_issues_a_badge_and_gets_its_qr(seller) -> None:
    # Given a signed-in seller
    c = Client()
    c.force_login(seller)
    # When she issues a badge
    # Then it is made
    assert c.post("/seller/badge").status_code == 302
    # When she asks for its QR code
    svg = c.get("/seller/badge.svg")
    # Then she gets an SVG image
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    # And it is a file of its own with the SVG namespace (without it a browser draws no image)
    assert svg.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')


def test_opening_the_badge_address_goes_to_the_public_page_not_a_blank_405(seller) -> None:
    # Given a signed-in seller
    c = Client()
    c.force_login(seller)
    # When she opens /seller/badge in the browser (a GET, not the button's POST)
    r = c.get("/seller/badge")
    # Then she is sent to her public page, where the badge and its button are
    assert r.status_code == 302
    assert r["Location"] == f"/s/{seller.pk}"
    # And no badge was issued by the GET
    assert not Badge.objects.filter(seller=seller).exists()
